#!/bin/sh
# The text, JSON and HTML reports of every demo sample agree figure for figure:
# each figure the HTML shows is tagged with its JSON path (data-json) and
# equals that JSON value, formatted as the text report formats it; no figure in
# the summary, the process tree or the sections is shown untagged; and every
# size the text report prints is a JSON figure formatted the same way.
. "$(dirname "$0")/lib.sh"

for s in read_scan mmap_scan fork_cow overcommit; do
	[ -x "$SAMPLES/$s" ] || skip_all "samples not built"
done

# fl_fmt_bytes, independently: binary units, 3 significant digits.
# FILE: fails, showing FILE, unless it is empty.
test_must_be_empty() { [ ! -s "$1" ] || { cat "$1"; return 1; }; }

fmt_bytes_awk='
function fmt_bytes(b,    a, u, units) {
	split("B KiB MiB GiB TiB PiB", units, " ")
	a = b < 0 ? -b : b; u = 1
	while (a >= 1024 && u < 6) { a /= 1024; b /= 1024; u++ }
	if (u == 1) return sprintf("%.0f B", b)
	return sprintf(a >= 100 ? "%.0f %s" : a >= 10 ? "%.1f %s" : "%.2f %s", b, units[u])
}'

test_expect_success 'record the demo samples, small and bounded' '
	head -c 4194304 /dev/urandom >"$TMP/data" &&
	"$FL" record -q --max-size 4194304 -o "$TMP/read_scan" -- \
		"$SAMPLES/read_scan" "$TMP/data" 128 warm >/dev/null &&
	"$FL" record -q --max-size 4194304 -o "$TMP/mmap_scan" -- \
		"$SAMPLES/mmap_scan" "$TMP/data" warm >/dev/null &&
	"$FL" record -q --max-size 4194304 -o "$TMP/fork_cow" -- \
		"$SAMPLES/fork_cow" 8 50 child >/dev/null &&
	"$FL" record -q --max-size 4194304 -o "$TMP/overcommit" -- \
		"$SAMPLES/overcommit" 64 10 >/dev/null
'

for s in read_scan mmap_scan fork_cow overcommit; do
	test_expect_success "$s: report as text, --json and --html" '
		"$FL_SAN" report "$TMP/'$s'" >"$TMP/'$s'.txt" &&
		"$FL_SAN" report --json "$TMP/'$s'" >"$TMP/'$s'.json" &&
		"$FL_SAN" report --html "$TMP/'$s'.html" "$TMP/'$s'"
	'

	# (the JSON values are read in one jq call: one a figure took 70 s)
	test_expect_success "$s: every tagged HTML figure is its JSON value, formatted alike" '
		grep -o "data-json=\"[^\"]*\" title=\"[^\"]*\">[^<]*<" "$TMP/'$s'.html" |
			sed "s/&quot;/\"/g; s/^data-json=\"\(.*\)\" title=\"\([^\"]*\)\">\([^<]*\)<$/\1\t\2\t\3/" \
			>"$TMP/'$s'.figs" &&
		test "$(wc -l <"$TMP/'$s'.figs")" -ge 5 &&
		jq -r -R --slurpfile d "$TMP/'$s'.json" \
			"(split(\"\t\")[0] | fromjson) as \$p | \$d[0] | getpath(\$p) | tojson" \
			"$TMP/'$s'.figs" >"$TMP/'$s'.vals" &&
		test "$(wc -l <"$TMP/'$s'.vals")" -eq "$(wc -l <"$TMP/'$s'.figs")" &&
		paste "$TMP/'$s'.vals" "$TMP/'$s'.figs" >"$TMP/'$s'.pairs" &&
		while IFS="	" read -r json path raw text; do
			awk -v j="$json" -v r="$raw" "BEGIN { exit !(j + 0 == r + 0 && j != \"null\") }" || {
				echo "$path: html $raw, json $json"; exit 1; }
			case $text in
			*B) want=$(awk "$fmt_bytes_awk"" BEGIN { print fmt_bytes($raw) }") ;;
			*%) want=$(awk "BEGIN { printf \"%.1f%%\", $raw }") ;;
			*,*) want=$(printf "%s" "$raw" | sed ":a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta") ;;
			*) want=$text ;;
			esac
			test "$text" = "$want" || { echo "$path: shows $text, want $want"; exit 1; }
		done <"$TMP/'$s'.pairs"
	'

	test_expect_success "$s: every heatmap cell is a tagged figure of the regions section" '
		jq "[.sections.regions.processes[] | (.faults // [], .resident // []) |
			.[][] | numbers] | length" "$TMP/'$s'.json" >"$TMP/'$s'.ncells" &&
		test "$(cat "$TMP/'$s'.ncells")" -gt 0 &&
		sed -n "/<section id=\"regions\">/,/<section id=\"cow\">/p" "$TMP/'$s'.html" |
			grep -o "data-json=\"\[&quot;sections&quot;,&quot;regions&quot;,[^\"]*\"" |
			sort -u | wc -l >"$TMP/'$s'.tagged" &&
		test "$(cat "$TMP/'$s'.tagged")" -eq "$(cat "$TMP/'$s'.ncells")"
	'

	test_expect_success "$s: no untagged figure in the summary, tree or sections" '
		sed -n "/<section id=\"summary\">/,/<section id=\"memory\">/p;
			/<section id=\"tree\">/,\$p" "$TMP/'$s'.html" |
			grep -v "<li class=\"finding\|<footer>" |
			sed "s/<span data-json=[^>]*>[^<]*<\/span>//g;
				s/<span class=\"jt\">[^<]*<\/span>//g; s/<[^>]*>/ /g" |
			grep -oE "(^|[ (])[0-9][0-9.,]* ?(B|KiB|MiB|GiB|TiB|%|ms|s|us)([ ,.;:)]|$)" \
			>"$TMP/'$s'.untagged" || :
		test_must_be_empty "$TMP/'$s'.untagged"
	'

	test_expect_success "$s: every size in the text report is a JSON figure" '
		jq "[.. | numbers] | .[]" "$TMP/'$s'.json" |
			awk "$fmt_bytes_awk"" { print fmt_bytes(\$1) }" >"$TMP/'$s'.jsizes" &&
		# sizes inside the JSON strings (finding texts) are the JSON own words
		jq -r "[.. | strings] | .[]" "$TMP/'$s'.json" |
			grep -oE "[0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)\b" >>"$TMP/'$s'.jsizes" || :
		sort -u -o "$TMP/'$s'.jsizes" "$TMP/'$s'.jsizes" &&
		# Left out: prose about the page size ("the 4 KiB page"). The io
		# section per-call sizes ("4.00 KiB/call") are its bytes_per_call.
		grep -oE "[0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)( page|/call)?\b" "$TMP/'$s'.txt" |
			grep -v " page$" | sed "s|/call$||" | sort -u \
			>"$TMP/'$s'.tsizes" &&
		test "$(grep -c "^  fd .*/call)$" "$TMP/'$s'.txt")" -eq \
			"$(jq "[.sections.io.processes[].files[]] | length" "$TMP/'$s'.json")" &&
		test -s "$TMP/'$s'.tsizes" &&
		comm -23 "$TMP/'$s'.tsizes" "$TMP/'$s'.jsizes" >"$TMP/'$s'.missing" &&
		test_must_be_empty "$TMP/'$s'.missing"
	'
done

# mmap_scan unmaps its data file before it exits: the residency replay must not
# keep the mapping resident after that (the heatmap once showed it to the end).
test_expect_success 'mmap_scan: the unmapped data file holds no resident pages at the end' '
	jq -e ".sections.regions.processes[0] as \$p |
		([\$p.rows[].label | startswith(\"data \")] | index(true)) as \$i |
		\$i != null and \$p.rows[\$i].peak_resident > 0 and
		\$p.resident[\$i][-1] == null" \
		"$TMP/mmap_scan.json"
'

test_done
