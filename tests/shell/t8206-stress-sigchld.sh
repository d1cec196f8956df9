#!/bin/sh
# A SIGCHLD handler that reaps with waitpid() while the program forks: the
# handler can land in the fork hook while it holds the trace writer's lock,
# and the wait hook must never wait for its own thread. 50 runs, each under
# a timeout: none hangs, every fork and every wait has its line.
. "$(dirname "$0")/lib.sh"

runs=${SIGCHLD_RUNS:-50}
n=200
"$PROGS/p_proc_sigchld" $n >"$TMP/native.out" || exit 1

test_expect_success "$runs runs under record: none hangs, the output is the native one" '
	i=0 && : >"$TMP/counts" &&
	while test $i -lt $runs; do
		i=$((i + 1))
		rm -rf "$TMP/t" &&
		timeout 20 "$FL" record -q -o "$TMP/t" -- "$PROGS/p_proc_sigchld" $n \
			>"$TMP/traced.out" 2>"$TMP/traced.err"
		st=$?
		test $st -ne 124 || { say "run $i hung"; exit 1; }
		test $st -eq 0 || { say "run $i: status $st"; cat "$TMP/traced.err"; exit 1; }
		diff -u "$TMP/native.out" "$TMP/traced.out" || exit 1
		echo "$(cat "$TMP"/t/*.ndjson | grep -c "\"e\":\"fork\"")" \
			"$(cat "$TMP"/t/*.ndjson | grep -c "\"e\":\"wait\"")" >>"$TMP/counts"
	done
'

test_expect_success 'every run has a fork line and a wait line per child' '
	test "$(wc -l <"$TMP/counts")" -eq $runs &&
	! grep -v -x "$n $n" "$TMP/counts"
'
test_done
