#!/bin/sh
# Threads and clone(): thread ids on events, rings of exited threads drained,
# a raw CLONE_VM|CLONE_THREAD thread runs, clone() without CLONE_VM is a
# followed child.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0
. "$(dirname "$0")/proc-lib.sh"

test_expect_success 'same output and status as native' '
	"$PROGS/p_proc_clone" >"$TMP/native" &&
	run_traced "$TMP/c" "$PROGS/p_proc_clone" >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced"
'

test_expect_success 'the 8 exited threads: 10 recorded allocations each, under their own tid' '
	root=$(proc_events "$TMP/c" | jq "select(.e==\"header\" and .parent.kind==\"none\") | .pid") &&
	f="$TMP/c/$root.ndjson" &&
	jq -c "select(.e==\"alloc\" and .size==102400) | .tid" "$f" | sort | uniq -c >"$TMP/tids" &&
	test "$(wc -l <"$TMP/tids")" -eq 8 &&
	! grep -v "^ *10 " "$TMP/tids" &&
	! grep -q " $root\$" "$TMP/tids"
'

test_expect_success 'clone() without CLONE_VM: a linked child with its own allocations' '
	test "$(ls "$TMP"/c/*.ndjson | wc -l)" -eq 2 &&
	test "$(proc_count "$TMP/c" ".e==\"fork\" and .kind==\"clone\"")" -eq 1 &&
	proc_bad_links "$TMP/c" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	child=$(proc_events "$TMP/c" | jq "select(.e==\"header\" and .parent.kind==\"clone\") | .pid") &&
	test "$(jq -c "select(.e==\"alloc\" and .size==102400)" "$TMP/c/$child.ndjson" | wc -l)" -eq 10 &&
	tail -n 1 "$TMP/c/$child.ndjson" | jq -e ".e==\"exit\" and .status==7" >/dev/null &&
	proc_events "$TMP/c" | jq -s -e "map(select(.e==\"wait\" and .child==$child and .status==7)) | length == 1" >/dev/null
'
test_done
