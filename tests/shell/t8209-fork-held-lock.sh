#!/bin/sh
# A fork while another thread is inside a lock the unwinder needs, made to
# happen every time (p_proc_fork_held_lock): the child inherits the lock
# held by a thread it does not have, and its first backtrace would wait
# forever. The program kills a child still alive after 5 s and says "child
# hung"; each run is under a timeout too. The parent must not wait either:
# a tick that walked the loaded objects (dl_iterate_phdr) on its thread
# slept behind the holder until it let go after 30 s (the program says
# "parent stalled"; 3 runs in 8 of the previous build, and 95 s of CI).
. "$(dirname "$0")/lib.sh"

"$PROGS/p_proc_fork_held_lock" loader >"$TMP/native.out" || exit 1

# mode, then record's options
run() {
	mode=$1
	shift
	rm -rf "$TMP/t" &&
	timeout 60 "$FL" record -q "$@" -o "$TMP/t" -- "$PROGS/p_proc_fork_held_lock" $mode \
		>"$TMP/traced.out" 2>"$TMP/traced.err"
	st=$?
	test $st -ne 124 || { say "$mode $*: hung (timeout)"; return 1; }
	test $st -eq 0 || { say "$mode $*: status $st"; cat "$TMP/traced.out" "$TMP/traced.err"; return 1; }
	diff -u "$TMP/native.out" "$TMP/traced.out"
}

# The child's trace: linked to its parent's fork, its 20 large blocks there.
child_recorded() {
	for f in "$TMP"/t/*.ndjson; do
		head -n 1 "$f" | grep -q "\"kind\":\"fork\"" || continue
		FAULTLINE_COMPACT=0 grep -c "\"e\":\"alloc\".*\"size\":200000" "$f"
	done >"$TMP/children" &&
	echo 20 >"$TMP/expect" &&
	diff -u "$TMP/expect" "$TMP/children"
}

export FAULTLINE_COMPACT=0

test_expect_success "the loader's lock held by a thread at the fork" '
	run loader && child_recorded
'

test_expect_success "the loader's lock held at the fork, under --all" '
	run loader --all && child_recorded
'

test_expect_success "the loader's lock held by a thread that made no traced call" '
	run "loader quiet" && child_recorded
'

test_expect_success "the loader's lock held by a quiet thread, under --all" '
	run "loader quiet" --all && child_recorded
'

test_expect_success "libunwind's lock held by a thread at the fork" '
	run unwinder && child_recorded
'

test_expect_success "libunwind's lock held at the fork, under --all" '
	run unwinder --all && child_recorded
'
# The child's stacks: the most frames of any (1 when walking was off).
child_depth() {
	for f in "$TMP"/t/*.ndjson; do
		head -n 1 "$f" | grep -q "\"kind\":\"fork\"" || continue
		grep "\"e\":\"stack\"" "$f" | sed "s/.*\"frames\":\[//; s/\].*//" |
			awk -F, "{ if (NF > n) n = NF } END { print n + 0 }"
	done
}

test_expect_success 'with no other thread at the fork, the child walks its stacks in full' '
	run alone && child_recorded &&
	test "$(child_depth)" -gt 1
'
test_done
