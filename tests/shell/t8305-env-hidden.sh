#!/bin/sh
# The shim's variables (LD_PRELOAD, FAULTLINE_*) are taken out of the
# program's environment once read: `env` prints the same under record as
# natively, and children are still followed (each exec and spawn gets them
# back from the shim).
. "$(dirname "$0")/lib.sh"

test_expect_success 'env -i env prints the same as natively' '
	env -i env >"$TMP/native" &&
	run_traced "$TMP/t1" env -i env >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced"
'

# FAULTLINE_QUIET (lib.sh) is one of the shim's options: hidden too.
test_expect_success 'env prints the same as natively' '
	env | grep -v "^FAULTLINE_" | sort >"$TMP/native2" &&
	run_traced "$TMP/t2" env | sort >"$TMP/traced2" &&
	diff -u "$TMP/native2" "$TMP/traced2"
'

test_expect_success 'another library in LD_PRELOAD stays, ours goes' '
	LD_PRELOAD=libc.so.6 env | grep "^LD_PRELOAD=" >"$TMP/native3" &&
	LD_PRELOAD=libc.so.6 "$FL" record -q -o "$TMP/t3" -- env | grep "^LD_PRELOAD=" >"$TMP/traced3" &&
	diff -u "$TMP/native3" "$TMP/traced3"
'

test_expect_success 'children are still followed: sh, env -i and a shell pipeline' '
	run_traced "$TMP/t4" sh -c "env -i sh -c \"env | wc -l\"; env >/dev/null" >"$TMP/out4" &&
	test "$(ls "$TMP"/t4/*.ndjson | wc -l)" -ge 4 &&
	env -i sh -c "env | wc -l" >"$TMP/native4" &&
	diff -u "$TMP/native4" "$TMP/out4"
'
test_done
