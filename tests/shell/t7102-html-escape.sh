#!/bin/sh
# Strings from the trace (program name, argv, mapped file paths) never
# become live markup in the HTML report.
. "$(dirname "$0")/lib.sh"

[ -x "$SAMPLES/mmap_scan" ] || skip_all "samples not built"
command -v python3 >/dev/null || skip_all "python3 not installed"

evil='<script>alert(1)</script>&amp;"q'"'"'s'
dir="$TMP/<b onmouseover=\"x\">&'d"
prog="$TMP/<script>x&\"'prog"

test_expect_success 'trace a program with a hostile name, argv and mapped file' '
	mkdir -p "$dir" &&
	head -c 1048576 /dev/zero >"$dir/<img src=x onerror=alert(2)>.bin" &&
	cp "$SAMPLES/mmap_scan" "$prog" &&
	run_traced "$TMP/t" "$prog" "$dir/<img src=x onerror=alert(2)>.bin" warm "$evil" >/dev/null &&
	grep -qF "onerror=alert(2)" "$TMP"/t/*.ndjson
'

test_expect_success 'the report names them, escaped' '
	"$FL" report --html "$TMP/r.html" "$TMP/t" >/dev/null &&
	grep -qF "&lt;script&gt;x&amp;&quot;&#39;prog" "$TMP/r.html" &&
	grep -qF "&lt;img src=x onerror=alert(2)&gt;.bin" "$TMP/r.html" &&
	grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&quot;q&#39;s" "$TMP/r.html"
'

test_expect_success 'none of them is live markup: only the renderer'"'"'s own tags and attributes' '
	python3 - "$TMP/r.html" <<-\PY
	import sys
	from html.parser import HTMLParser
	tags = set("""html head meta title style body header h1 h2 h3 h4 p code nav ul li a main
	section div b span figure figcaption svg g line text rect path circle defs pattern
	lineargradient stop details summary table tr th td footer br
	script select option input button output""".split())
	attrs = set("""lang charset name content class id href xmlns viewbox role font-family
	font-size aria-label x y x1 y1 x2 y2 width height fill stroke stroke-width
	stroke-dasharray stroke-linejoin text-anchor transform d r cx cy fill-opacity
	patternunits offset stop-color colspan title data-json http-equiv data-v data-n data-w
	data-row data-unit hidden value type placeholder""".split())
	bad = []
	class P(HTMLParser):
	    scripts = 0
	    def handle_starttag(self, tag, a):
	        if tag == "script":
	            self.scripts += 1
	            if self.scripts > 1 or a:
	                bad.append("a second script, or one with attributes")
	        if tag not in tags:
	            bad.append("tag " + tag)
	        for k, v in a:
	            if k not in attrs:
	                bad.append("attribute %s on %s" % (k, tag))
	            if k == "href" and not v.startswith("#"):
	                bad.append("link " + v)
	P().feed(open(sys.argv[1], encoding="utf-8").read())
	if bad:
	    print("\n".join(sorted(set(bad))))
	    sys.exit(1)
	PY
'

test_expect_success 'the exports keep the strings intact and well-formed' '
	"$FL" export --format perfetto "$TMP/t" | jq -e "[.traceEvents[] | select(.ph==\"M\" and .name==\"process_name\") | .args.name] | any(contains(\"<script>x&\"))" >/dev/null &&
	"$FL" export --format json "$TMP/t" | jq -e "[.processes[].argv[]] | index(\"$(printf "%s" "$evil" | sed "s/\"/\\\\\"/g")\") != null" >/dev/null
'
test_done
