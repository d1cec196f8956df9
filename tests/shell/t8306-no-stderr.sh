#!/bin/sh
# The shim prints nothing on the program's stderr: its warnings go into the
# trace as notes. Here a seccomp filter (as man-db's sandbox has) refuses
# thread creation, perf_event_open and timer_create to a program that then
# execs another: the shim in that program cannot start its tick timer and
# says so.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/sandbox.c" <<'PROG'
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DENY(nr, err) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err))

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		DENY(__NR_perf_event_open, EACCES),
		DENY(__NR_timer_create, EPERM),
		DENY(__NR_clone3, ENOSYS), /* glibc falls back to clone */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	if (argc < 2)
		return 2;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 3;
	}
	execv(argv[1], argv + 1);
	perror("execv");
	return 4;
}
PROG

# The warnings are not silenced here: that is what this test looks at.
unset FAULTLINE_QUIET

test_expect_success 'a sandboxed child (no threads, perf or timers) prints nothing extra on stderr' '
	cc -o "$TMP/sandbox" "$TMP/sandbox.c" &&
	"$TMP/sandbox" /bin/echo hello >"$TMP/n.out" 2>"$TMP/n.err" &&
	run_traced "$TMP/t" "$TMP/sandbox" /bin/echo hello >"$TMP/t.out" 2>"$TMP/t.err" &&
	diff -u "$TMP/n.out" "$TMP/t.out" &&
	diff -u "$TMP/n.err" "$TMP/t.err"
'

test_expect_success 'the warning is in the trace instead' '
	grep -h "\"e\":\"note\"" "$TMP"/t/*.ndjson | grep "\"what\":\"warning\"" >"$TMP/notes" &&
	grep -q "tick timer" "$TMP/notes"
'
test_done
