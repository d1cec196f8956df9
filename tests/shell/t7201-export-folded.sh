#!/bin/sh
# export --format folded: flame-graph input whose weights add up to what
# the trace recorded (bytes allocated, page faults sampled), one measure per
# file.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0

[ -x "$SAMPLES/overcommit" ] || skip_all "samples not built"

test_expect_success 'record the overcommit sample' '
	run_traced "$TMP/t" "$SAMPLES/overcommit" 64 50 >/dev/null
'

test_expect_success 'export writes folded stacks and exits 0' '
	"$FL_SAN" export --format folded "$TMP/t" >"$TMP/f" && test -s "$TMP/f" &&
	"$FL_SAN" export --format folded --what faults -o "$TMP/faults" "$TMP/t" &&
	test -s "$TMP/faults"
'

test_expect_success 'every line is "root;frame;...;frame weight", one root per file' '
	! grep -vE "^alloc;[^;]+(;[^;]+)* [0-9]+\$" "$TMP/f" &&
	! grep -vE "^fault;[^;]+(;[^;]+)* [0-9]+\$" "$TMP/faults"
'

test_expect_success 'stacks are merged: no stack appears twice' '
	cat "$TMP/f" "$TMP/faults" | sed "s/ [0-9]*\$//" | sort | uniq -d >"$TMP/dups" &&
	! test -s "$TMP/dups"
'

test_expect_success 'alloc weights add up to the bytes the trace recorded' '
	want=$(cat "$TMP"/t/*.ndjson | jq -s "[.[] | select(.e==\"alloc\" or .e==\"realloc\") | .weight] + [.[] | select((.e==\"mmap\" or .e==\"mremap\") and .errno==0) | .size] | add // 0") &&
	got=$(awk "/^alloc;/ { s += \$NF } END { printf \"%.0f\", s }" "$TMP/f") &&
	test "$got" = "$want"
'

test_expect_success 'the big reservation is under main;reserve_big, root first' '
	grep -E "^alloc;overcommit \[[0-9]+\];.*main;reserve_big 67108864\$" "$TMP/f"
'

test_expect_success 'fault weights add up to the fault samples times their period' '
	want=$(cat "$TMP"/t/*.ndjson | jq -s "[.[] | select(.e==\"faults\") | (.samples|length) * (.period // 1)] | add // 0") &&
	got=$(awk "{ s += \$NF } END { printf \"%.0f\", s }" "$TMP/faults") &&
	test "$got" = "$want"
'

test_expect_success 'flamegraph.pl renders it, where installed' '
	if command -v flamegraph.pl >/dev/null; then
		flamegraph.pl "$TMP/f" >"$TMP/f.svg" && grep -q "reserve_big" "$TMP/f.svg" &&
		flamegraph.pl "$TMP/faults" >"$TMP/faults.svg" && grep -q "touch_fraction" "$TMP/faults.svg"
	fi
'

test_expect_success 'export refuses an unknown format and a missing trace' '
	"$FL" export --format svg "$TMP/t" 2>"$TMP/err"; test $? -eq 2 &&
	grep -q "unknown format" "$TMP/err" &&
	"$FL" export --format folded 2>"$TMP/err"; test $? -eq 2 &&
	! "$FL" export --format folded "$TMP/none" 2>/dev/null
'
test_done
