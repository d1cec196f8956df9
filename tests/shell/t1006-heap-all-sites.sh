#!/bin/sh
# --all: per-site figures ("sites" lines) are exact: the leaking function's
# site shows exactly its leaked blocks and bytes at exit, a churning site
# shows every alloc freed and a peak of one block, a realloc chain moves its
# block from site to site. Sites are found by the innermost frame, against
# the functions' addresses (printed by the program) and sizes (nm).
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0

command -v nm >/dev/null 2>&1 || skip_all "nm not installed"

test_expect_success 'record p_heap_leak with --all' '
	"$FL" record -q --all -o "$TMP/a" -- "$PROGS/p_heap_leak" >"$TMP/own" &&
	cat "$TMP"/a/*.ndjson >"$TMP/trace"
'

SITE_PROG=$PROGS/p_heap_leak
. tests/shell/heap/site.sh

test_expect_success 'the leaking site: 37 blocks and their exact bytes live at exit' '
	site leak_a >"$TMP/a.json" && cat "$TMP/a.json" &&
	want=$(jq .leaked_bytes "$TMP/own") &&
	jq -e ".n == 1 and .allocs == 37 and .frees == 0 and .bytes == $want and .live == $want and .peak == $want" "$TMP/a.json" >/dev/null
'

test_expect_success 'the churning site: 5000 allocs, all freed, peak one block' '
	site churn_b >"$TMP/b.json" && cat "$TMP/b.json" &&
	jq -e ".n == 1 and .allocs == 5000 and .frees == 5000 and .bytes == 500000 and .live == 0 and .peak == 100" "$TMP/b.json" >/dev/null
'

test_expect_success 'the realloc chain: 11 blocks in, 11 out, nothing left' '
	site grow_c >"$TMP/c.json" && cat "$TMP/c.json" &&
	jq -e ".allocs == 11 and .frees == 11 and .live == 0 and .bytes == (16 + ([range(10)] | map(32 * pow(2; .)) | add))" "$TMP/c.json" >/dev/null
'

test_expect_success 'only blocks >= FAULTLINE_LARGE get alloc/free lines' '
	jq -s -e "[.[] | select(.e == \"alloc\" or .e == \"realloc\") | .size] | all(. >= 65536)" "$TMP/trace" >/dev/null
'
test_done
