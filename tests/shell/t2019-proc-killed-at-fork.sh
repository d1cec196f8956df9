#!/bin/sh
# A parent that kills a child it has just forked (multiprocessing.Pool's
# terminate does, to workers it started a moment before): the child still
# leaves a trace, linked to its parent's fork line, whose exit line says it
# died of the signal. The child's own signals wait while the shim opens its
# trace file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

cat >"$TMP/killer.c" <<'PROG'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20, killed = 0;
	for (int i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0 || kill(pid, SIGTERM) != 0 || waitpid(pid, &status, 0) != pid)
			return 1;
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	}
	printf("%d killed\n", killed);
	return 0;
}
PROG

test_expect_success 'children killed as they are forked: same output as native' '
	cc -o "$TMP/killer" "$TMP/killer.c" &&
	"$TMP/killer" 20 >"$TMP/n.out" &&
	run_traced "$TMP/t" "$TMP/killer" 20 >"$TMP/t.out" &&
	diff -u "$TMP/n.out" "$TMP/t.out"
'

test_expect_success 'each child has a trace, linked to its fork line' '
	test "$(ls "$TMP"/t/*.ndjson | wc -l)" -eq 21 &&
	proc_bad_links "$TMP/t" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success 'and ends with the signal that killed it' '
	test "$(proc_count "$TMP/t" ".e==\"exit\" and .how==\"signal\" and .signal==15")" -eq 20
'
test_done
