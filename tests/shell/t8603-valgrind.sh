#!/bin/sh
# A program run under valgrind and traced: the shim reads nothing outside a
# block. Its start-up check of glibc's chunk headers read 8 bytes before a
# block of valgrind's allocator, and valgrind --error-exitcode failed.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || skip_all "valgrind not installed"

test_expect_success 'valgrind --error-exitcode=3 /bin/echo: no error, as natively' '
	valgrind -q --error-exitcode=3 /bin/echo hi >"$TMP/n.out" 2>"$TMP/n.err" &&
	timeout 300 "$FL" record -q -o "$TMP/t" -- \
		valgrind -q --error-exitcode=3 /bin/echo hi >"$TMP/t.out" 2>"$TMP/t.err" ||
		{ cat "$TMP/t.err"; exit 1; }
	diff -u "$TMP/n.out" "$TMP/t.out" &&
	diff -u "$TMP/n.err" "$TMP/t.err"
'
test_done
