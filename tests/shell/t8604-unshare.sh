#!/bin/sh
# unshare(CLONE_NEWUSER) needs a single-threaded caller: the shim has no
# thread of its own (it ticks from a timer signal). `unshare -U -r id` failed
# under record with "Invalid argument".
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || skip_all "no unshare(1)"
unshare -U -r true 2>/dev/null || skip_all "user namespaces are not available here"

test_expect_success 'unshare -U -r id under record prints what it does natively' '
	unshare -U -r id >"$TMP/n.out" 2>&1 &&
	run_traced "$TMP/t" unshare -U -r id >"$TMP/t.out" 2>&1 &&
	diff -u "$TMP/n.out" "$TMP/t.out"
'

test_expect_success 'a program that unshares then execs runs and is traced' '
	run_traced "$TMP/t2" unshare -U -r sh -c "sleep 0.3; echo done" >"$TMP/t2.out" &&
	grep -q done "$TMP/t2.out" &&
	"$FL" report "$TMP/t2" >/dev/null
'
test_done
