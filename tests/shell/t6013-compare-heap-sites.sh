#!/bin/sh
# faultline compare of two python runs by heap site: one builds lists, the
# other dicts. The sites are matched across the traces by name (addresses
# differ from run to run), the largest change comes first, and two heap-heavy
# runs get no read/mmap verdict.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "no python3"
"$FL" record -q --all -o "$TMP/lists" -- python3 -c 'x = [list(range(200)) for _ in range(20000)]' &&
"$FL" record -q --all -o "$TMP/dicts" -- python3 -c 'x = [dict.fromkeys(range(200)) for _ in range(5000)]' &&
"$FL_SAN" compare --json "$TMP/lists" "$TMP/dicts" >"$TMP/cmp.json" || exit 1

test_expect_success 'heap sites are listed with bytes, calls, peak and leaked on both sides' '
	jq -e ".heap_sites | length > 2 and all(.[]; (.a | has(\"bytes\") and has(\"calls\") and
		has(\"peak\") and has(\"leaked\")) and (.b | has(\"bytes\")))" "$TMP/cmp.json" >/dev/null
'

test_expect_success 'the largest change comes first' '
	jq -r ".heap_sites[].change_bytes | fabs" "$TMP/cmp.json" >"$TMP/changes" &&
	sort -g -r "$TMP/changes" | diff -u - "$TMP/changes"
'

test_expect_success 'the list site grows in A, the dict site in B, by the bytes the programs asked' '
	# 20000 lists of 200 pointers and 5000 dicts of 200 keys: megabytes each
	jq -e "[.heap_sites[:4][] | select(.a.bytes > 8000000 and .b.bytes < .a.bytes / 10)] | length >= 1" \
		"$TMP/cmp.json" >/dev/null &&
	jq -e "[.heap_sites[:4][] | select(.b.bytes > 8000000 and .a.bytes < .b.bytes / 10)] | length >= 1" \
		"$TMP/cmp.json" >/dev/null
'

test_expect_success 'a site present on both sides is one row, not two' '
	jq -r ".heap_sites[].site" "$TMP/cmp.json" | sort | uniq -d >"$TMP/dups" &&
	test ! -s "$TMP/dups"
'

test_expect_success 'no read/mmap verdict for two heap-heavy runs' '
	jq -e ".verdict.pair == false and (.verdict.text | test(\"saved\") | not)" "$TMP/cmp.json" >/dev/null &&
	"$FL" compare "$TMP/lists" "$TMP/dicts" >"$TMP/cmp.txt" &&
	grep -q "heap by site" "$TMP/cmp.txt" && grep -q "no read/mmap verdict" "$TMP/cmp.txt"
'
test_done
