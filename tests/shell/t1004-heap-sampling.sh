#!/bin/sh
# Default sampling: the weights of the sampled small allocations add up to
# the bytes the program asked for, within 5 standard deviations of the
# estimator (the program computes it: about 1% for the ~10000 samples of
# 5 GiB at 512 KiB); every allocation >= FAULTLINE_LARGE is recorded; a
# free is recorded only for a block whose allocation was.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0

test_expect_success 'record the sampling program' '
	"$FL" record -q -o "$TMP/a" -- "$PROGS/p_heap_sample" >"$TMP/own" &&
	cat "$TMP"/a/*.ndjson >"$TMP/trace"
'

test_expect_success 'sum of weights estimates the small bytes within 5 sigma' '
	est=$(jq -s "[.[] | select(.e == \"alloc\" and .size < 65536) | .weight] | add" "$TMP/trace") &&
	n=$(jq -s "[.[] | select(.e == \"alloc\" and .size < 65536)] | length" "$TMP/trace") &&
	want=$(jq .small_bytes "$TMP/own") && sigma=$(jq .sigma "$TMP/own") &&
	say "estimate $est from $n samples; asked $want; sigma $sigma" &&
	test "$n" -gt 5000 &&
	awk -v e="$est" -v w="$want" -v s="$sigma" "BEGIN { d = e - w; if (d < 0) d = -d; exit !(d <= 5 * s && s < 0.02 * w) }"
'

test_expect_success 'every large allocation is recorded, with its free' '
	want=$(jq .large "$TMP/own") && size=$(jq .large_size "$TMP/own") &&
	test "$(jq -s "[.[] | select(.e == \"alloc\" and .size == $size and .weight == $size)] | length" "$TMP/trace")" -eq "$want" &&
	test "$(jq -s "[.[] | select(.e == \"free\" and .size == $size)] | length" "$TMP/trace")" -eq "$want"
'

test_expect_success 'a free is recorded only if its allocation was' '
	jq -s -f tests/shell/heap/pairing.jq "$TMP/trace" >/dev/null
'

test_expect_success 'each alloc refers to a stack written before it in the file' '
	jq -s -e "reduce .[] as \$l ({ok: true, ids: {}};
		if \$l.e == \"stack\" then .ids[\$l.id | tostring] = 1
		elif \$l.e == \"alloc\" and \$l.stack != 0 then .ok = (.ok and (.ids[\$l.stack | tostring] == 1))
		else . end) | .ok" "$TMP/trace" >/dev/null
'
test_done
