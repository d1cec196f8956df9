#!/bin/sh
# --all with threads allocating at the same sites at once: every site's
# figures are still exact. The churn site's allocs and frees balance to the
# call; the hold site's peak is exactly the blocks all threads held together
# at a barrier; the leak site's live bytes are what the threads leaked.
# Oracle: the program's own constants; sites found as in t1006.
. "$(dirname "$0")/lib.sh"

command -v nm >/dev/null 2>&1 || skip_all "nm not installed"

test_expect_success 'record p_heap_threads with --all' '
	"$FL" record -q --all -o "$TMP/a" -- "$PROGS/p_heap_threads" >"$TMP/own" &&
	cat "$TMP"/a/*.ndjson >"$TMP/trace" &&
	T=$(jq .threads "$TMP/own") && C=$(jq .churn "$TMP/own") &&
	H=$(jq .hold "$TMP/own") && L=$(jq .leak "$TMP/own") &&
	echo "T=$T C=$C H=$H L=$L" >"$TMP/consts"
'

SITE_PROG=$PROGS/p_heap_threads
. tests/shell/heap/site.sh

test_expect_success 'the churn site: every alloc of every thread, all freed' '
	. "$TMP/consts" && site churn_site >"$TMP/c.json" && cat "$TMP/c.json" &&
	jq -e ".n == 1 and .allocs == $T * $C and .frees == $T * $C and .bytes == $T * $C * 16 and
		.live == 0 and .peak >= 16 and .peak <= $T * 16" "$TMP/c.json" >/dev/null
'

test_expect_success 'the hold site: peak is every block held at the barrier' '
	. "$TMP/consts" && site hold_site >"$TMP/h.json" && cat "$TMP/h.json" &&
	jq -e ".n == 1 and .allocs == $T * $H and .frees == $T * $H and .live == 0 and
		.peak == $T * $H * 32" "$TMP/h.json" >/dev/null
'

test_expect_success 'the leak site: the leaked blocks are live at exit' '
	. "$TMP/consts" && site leak_site >"$TMP/l.json" && cat "$TMP/l.json" &&
	jq -e ".n == 1 and .allocs == $T * $L and .frees == 0 and .live == $T * $L * 48 and
		.peak == $T * $L * 48" "$TMP/l.json" >/dev/null
'
test_done
