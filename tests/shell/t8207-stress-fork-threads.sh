#!/bin/sh
# Four threads allocate (and are unwound) while the main thread forks
# children that allocate and exit: a child must never unwind through a lock
# (libunwind's, the loader's) that another thread held at the fork. 50
# runs, each under a timeout: none hangs, every child is traced.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0

runs=${FORK_THREADS_RUNS:-50}
"$PROGS/p_proc_fork_threads" 4 20 >"$TMP/native.out" || exit 1

test_expect_success "$runs runs under record: none hangs, the output is the native one" '
	i=0 && : >"$TMP/children" &&
	while test $i -lt $runs; do
		i=$((i + 1))
		rm -rf "$TMP/t" &&
		timeout 30 "$FL" record -q -o "$TMP/t" -- "$PROGS/p_proc_fork_threads" 4 20 \
			>"$TMP/traced.out" 2>"$TMP/traced.err"
		st=$?
		test $st -ne 124 || { say "run $i hung"; exit 1; }
		test $st -eq 0 || { say "run $i: status $st"; cat "$TMP/traced.err"; exit 1; }
		diff -u "$TMP/native.out" "$TMP/traced.out" || exit 1
		for f in "$TMP"/t/*.ndjson; do
			head -n 1 "$f" | grep -q "\"kind\":\"fork\"" || continue
			grep -c "\"e\":\"alloc\".*\"size\":200000" "$f"
		done | sort | uniq -c >>"$TMP/children"
	done
'

test_expect_success 'every child of every run recorded its 50 large blocks' '
	test "$(wc -l <"$TMP/children")" -eq $runs &&
	! grep -v -x " *20 50" "$TMP/children"
'
test_done
