#!/bin/sh
# The HTML report's flame graphs, checked offline: the heap graph has a frame
# for each site the heap report lists, as wide as its share of the bytes;
# every frame's width is its share of the root's; the root's children add
# up to the root; the fault graph is there when faults of the program were
# sampled (not only the shim's own) and adds up to the faults section's
# count.
. "$(dirname "$0")/lib.sh"

[ -x "$PROGS/p_report_leak" ] || skip_all "test programs not built"
command -v python3 >/dev/null || skip_all "python3 not installed"

# FRAMES.tsv: one line per flame frame: graph, depth, x, width, values, parent
# values, children's first values summed, name, first line of the title.
frames() {
	python3 - "$1" <<-\PY
	import sys
	from html.parser import HTMLParser
	out, stack = [], []
	class P(HTMLParser):
	    graph, field = None, None
	    def handle_starttag(self, tag, a):
	        a = dict(a)
	        if tag == "svg" and a.get("class") == "flame":
	            self.graph = a["id"]
	        elif tag == "g" and a.get("class") == "fr":
	            f = {"graph": self.graph, "v": a["data-v"], "n": a["data-n"], "kids": 0,
	                 "depth": len(stack), "title": ""}
	            if stack:
	                stack[-1]["kids"] += int(f["v"].split()[0])
	                f["parent"] = stack[-1]["v"]
	            stack.append(f)
	            out.append(f)
	        elif tag == "rect" and stack and "x" not in stack[-1]:
	            stack[-1]["x"], stack[-1]["w"] = a["x"], a["width"]
	        elif tag == "title" and stack:
	            self.field = stack[-1]
	    def handle_endtag(self, tag):
	        if tag == "g" and stack and self.graph:
	            stack.pop()
	        elif tag == "title":
	            self.field = None
	        elif tag == "svg":
	            self.graph = None
	    def handle_data(self, d):
	        if self.field is not None:
	            self.field["title"] += d
	P(convert_charrefs=True).feed(open(sys.argv[1], encoding="utf-8").read())
	for f in out:
	    print("\t".join([f["graph"], str(f["depth"]), f["x"], f["w"], f["v"],
	                     f.get("parent", "-"), str(f["kids"]), f["n"],
	                     f["title"].split("\n")[0]]))
	PY
}

test_expect_success 'trace a leaking program with --all, report as JSON and HTML' '
	"$FL" record -q --all -o "$TMP/t" -- "$PROGS/p_report_leak" >/dev/null &&
	"$FL_SAN" report --json "$TMP/t" >"$TMP/r.json" &&
	"$FL_SAN" report --html "$TMP/r.html" "$TMP/t" >/dev/null &&
	frames "$TMP/r.html" >"$TMP/frames.tsv" &&
	test "$(grep -c "^flame-heap	" "$TMP/frames.tsv")" -ge 5
'

test_expect_success 'every site the heap report lists has a frame with its figures' '
	jq -r ".sections.heap | (.by_bytes + .by_peak + .leaks)[] |
		[.site.text, .bytes, .peak_live, .leaked_bytes] | @tsv" "$TMP/r.json" |
		sort -u >"$TMP/sites" &&
	test "$(wc -l <"$TMP/sites")" -ge 2 &&
	grep -q "^leak_here " "$TMP/sites" &&
	while IFS="	" read -r text bytes peak leaked; do
		awk -F"	" -v t="$text" -v want="$bytes $peak $leaked" \
			"\$1 == \"flame-heap\" && \$9 == t && \$5 == want { n++ } END { exit n != 1 }" \
			"$TMP/frames.tsv" || { echo "no frame \"$text\" with $bytes $peak $leaked"; exit 1; }
	done <"$TMP/sites"
'

test_expect_success 'each frame is as wide as its share of the root, the root fills the graph' '
	root=$(jq ".sections.heap.flame.bytes" "$TMP/r.json") &&
	test "$root" -gt 0 &&
	awk -F"	" -v root="$root" "
		\$1 != \"flame-heap\" { next }
		\$2 == 0 && (\$3 != 0 || \$4 != 1200 || \$5 + 0 != root) { print \"root:\", \$0; bad = 1 }
		{ split(\$5, v, \" \"); w = 1200 * v[1] / root; d = \$4 - w
		  if (d > 0.002 || d < -0.002) { print \"width\", \$4, \"want\", w, \$0; bad = 1 } }
		END { exit bad }" "$TMP/frames.tsv"
'

test_expect_success 'the root'"'"'s children add up to the root, each parent to at least its children' '
	awk -F"	" "\$1 == \"flame-heap\" && \$2 == 0 { split(\$5, v, \" \"); exit !(\$7 == v[1]) }" \
		"$TMP/frames.tsv" &&
	awk -F"	" "{ split(\$5, v, \" \") } \$7 > v[1] { print; bad = 1 } END { exit bad }" \
		"$TMP/frames.tsv"
'

test_expect_success 'the heap total is every site'"'"'s bytes: the sum of --top 1000 by_bytes' '
	"$FL" report --json --top 1000 --section heap "$TMP/t" |
		jq -e "(.sections.heap.by_bytes | map(.bytes) | add) == .sections.heap.flame.bytes" >/dev/null
'

test_expect_success 'the fault graph is there when faults were sampled, with the section'"'"'s count' '
	faults=$(jq "[.sections.faults.processes[].faults] | add // 0" "$TMP/r.json") &&
	if test "$faults" -gt 0; then
		awk -F"	" -v f="$faults" "\$1 == \"flame-faults\" && \$2 == 0 && \$5 == f && \$7 == f { ok = 1 }
			END { exit !ok }" "$TMP/frames.tsv"
	else
		say "no fault of the program was sampled (perf refused, or the few samples were the shim'"'"'s): only checking the note" &&
		grep -q "No page fault of the program was sampled" "$TMP/r.html"
	fi
'

test_done
