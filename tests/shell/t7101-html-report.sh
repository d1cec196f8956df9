#!/bin/sh
# faultline report --html writes one self-contained page whose charts and
# tables carry the trace's own numbers.
. "$(dirname "$0")/lib.sh"

[ -x "$SAMPLES/overcommit" ] || skip_all "samples not built"

test_expect_success 'record the overcommit sample' '
	run_traced "$TMP/t" "$SAMPLES/overcommit" 256 25 >"$TMP/truth" &&
	grep -q "^truth reserved=268435456" "$TMP/truth"
'

test_expect_success 'report --html writes a page and exits 0' '
	"$FL_SAN" report --html "$TMP/r.html" "$TMP/t" >/dev/null &&
	head -1 "$TMP/r.html" | grep -qx "<!DOCTYPE html>" &&
	tail -1 "$TMP/r.html" | grep -qx "</html>"
'

test_expect_success 'the page is self-contained: one inline script, no external resource' '
	test "$(grep -ci "<script" "$TMP/r.html")" -eq 1 &&
	grep -q "^<script>$" "$TMP/r.html" &&
	grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src '"'"'none'"'"';" "$TMP/r.html" &&
	! grep -qiE "(src|href)=\"(https?:)?//" "$TMP/r.html" &&
	! grep -qiE "@import|url\((https?:)?//" "$TMP/r.html" &&
	test "$(grep -o "https\?://[^\"]*" "$TMP/r.html" | sort -u)" = "http://www.w3.org/2000/svg"
'

test_expect_success 'it has the charts: memory, faults, overcommit bars' '
	grep -q "<svg class=\"chart\"[^>]* id=\"mem-0\"" "$TMP/r.html" &&
	grep -q "<svg class=\"chart\"[^>]* id=\"faults-0\"" "$TMP/r.html" &&
	grep -q "<svg class=\"chart\"[^>]* id=\"overcommit-bars\"" "$TMP/r.html" &&
	test "$(grep -c "<svg " "$TMP/r.html")" -eq "$(grep -c "</svg>" "$TMP/r.html")"
'

test_expect_success 'the memory table holds the trace peak RSS and the program'"'"'s peak virtual size exactly' '
	f=$(ls "$TMP"/t/*.ndjson | head -1) &&
	rss=$(jq -s "[.[] | select(.e==\"counters\") | .rss_anon + .rss_file + .rss_shmem] | max" "$f") &&
	vsz=$("$FL" report --json --section summary "$TMP/t" | jq ".sections.summary.peak_vsz") &&
	grep -q "<td title=\"$rss\">" "$TMP/r.html" &&
	grep -q "<td title=\"$vsz\">" "$TMP/r.html"
'

test_expect_success 'the overcommit bars name the allocating function and its size' '
	grep -q "reserve_big" "$TMP/r.html" &&
	grep -q "<td title=\"268435456\">256 MiB</td>" "$TMP/r.html"
'

test_expect_success 'every finding of report --json is on the page with its explanation' '
	"$FL" report --json "$TMP/t" >"$TMP/r.json" &&
	jq -r ".sections[].findings[]? | .explain" "$TMP/r.json" | sort -u >"$TMP/explains" &&
	test -s "$TMP/explains" &&
	while read -r e; do
		esc=$(printf "%s" "$e" | sed "s/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/\"/\&quot;/g; s/'"'"'/\&#39;/g")
		grep -qF "$esc" "$TMP/r.html" || { echo "missing: $e"; exit 1; }
	done <"$TMP/explains"
'

test_expect_success 'the page is readable on a phone: viewport meta and scaling charts' '
	grep -q "<meta name=\"viewport\" content=\"width=device-width" "$TMP/r.html" &&
	grep -q "@media (max-width:640px)" "$TMP/r.html" &&
	! grep -q "<svg class=\"chart\"[^>]* width=" "$TMP/r.html"
'

test_expect_success 'table cells: page counts stay counts, percentages are percent, bytes are bytes' '
	run_traced "$TMP/cow" "$SAMPLES/fork_cow" 16 25 child >"$TMP/cow.out" &&
	"$FL_SAN" report --html "$TMP/cow.html" "$TMP/cow" >/dev/null &&
	"$FL" report --json --section cow "$TMP/cow" >"$TMP/cow.json" &&
	row=$(sed -n "/<th>copied_by_child<\/th>/,/<\/tr>/p" "$TMP/cow.html" | sed -n "/<tr><td>/p" | head -1) &&
	shared=$(jq ".sections.cow.forks[0].shared_at_fork" "$TMP/cow.json") &&
	child=$(jq ".sections.cow.forks[0].copied_by_child" "$TMP/cow.json") &&
	pct=$(jq -r ".sections.cow.forks[0].copied_by_child_pct" "$TMP/cow.json") &&
	echo "$row" | grep -q "title=\"$shared\">$shared</span></td>" &&
	echo "$row" | grep -q "title=\"$child\">$child</span></td>" &&
	echo "$row" | grep -o ">[0-9.]*%</span></td>" | tr -dc "0-9.\n" |
		awk -v p="$pct" "{ d = \$1 - p; if (d < 0) d = -d; if (d <= 0.051) ok = 1 } END { exit !ok }" &&
	echo "$row" | grep -q " title=\"$(jq ".sections.cow.forks[0].bytes_copied" "$TMP/cow.json")\">[0-9.]* [KM]iB</span>"
'

test_expect_success 'a process start time reads as a UTC date, not as a duration' '
	ns=$("$FL" report --json --section tree "$TMP/t" | jq ".sections.tree.processes[0].start_ns") &&
	grep -q ">$(date -u -d "@$((ns / 1000000000))" "+%Y-%m-%d %H:%M:%S").$(printf %03d $((ns / 1000000 % 1000))) UTC</span></td>" "$TMP/r.html"
'

test_expect_success 'an unwritable --html path is an error' '
	! "$FL" report --html "$TMP/no/such/dir/r.html" "$TMP/t" 2>"$TMP/err" >/dev/null &&
	grep -q "cannot open" "$TMP/err"
'
test_done
