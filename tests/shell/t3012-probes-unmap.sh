#!/bin/sh
# Before a large munmap the shim measures what is about to go: mappings
# made and unmapped between two ticks still have their pages counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

N=2048

# unmap_row FILE N: the rows of the N-th "unmap" residency line (the
# program unmaps in a known order; its buffers may reuse one address)
unmap_row() {
	jq -c "select(.e == \"residency\" and .why == \"unmap\")" "$1" | sed -n "$2p" |
		jq -c ".regions[]"
}

kernel_at_least 6 11 || skip_all "Linux $(uname -r) has no PROCMAP_QUERY (6.11+)"
# One run with no tick while the mappings live.
"$FL" record -q --interval 10000 -o "$TMP/t" -- "$PROGS/p_probe_unmap" $N "$TMP/file" >"$TMP/out" ||
	{ say "p_probe_unmap failed"; exit 1; }
f=$(trace_of "$TMP/t")
head -1 "$f" | jq -e ".probes.pagemap_scan.ok" >/dev/null || skip_all "no PAGEMAP_SCAN here"

test_expect_success 'an anonymous buffer written and unmapped whole: every page counted' '
	unmap_row "$f" 1 >"$TMP/anon.row" && cat "$TMP/anon.row" &&
	test "$(wc -l <"$TMP/anon.row")" -eq 1 &&
	jq -e ".[2] >= $N and .[5] >= $N" "$TMP/anon.row" >/dev/null
'

test_expect_success 'a file read through a mapping: its pages are file pages mapped' '
	unmap_row "$f" 2 >"$TMP/file.row" && cat "$TMP/file.row" &&
	test "$(wc -l <"$TMP/file.row")" -eq 1 &&
	jq -e ".[2] == $N and .[4] == $N" "$TMP/file.row" >/dev/null &&
	"$FL_SAN" report --json --section io "$TMP/t" >"$TMP/io.json" &&
	jq -e ".sections.io.processes[0].file_pages_mapped >= $N" "$TMP/io.json" >/dev/null
'

test_expect_success 'the middle of a buffer unmapped: the whole VMA is measured, once' '
	unmap_row "$f" 3 >"$TMP/mid.row" && cat "$TMP/mid.row" &&
	test "$(wc -l <"$TMP/mid.row")" -eq 1 &&
	jq -e ".[2] >= 3 * $N and .[5] >= 3 * $N" "$TMP/mid.row" >/dev/null
'
test_done
