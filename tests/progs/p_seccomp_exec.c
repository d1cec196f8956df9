/*
 * Runs PROGRAM under a seccomp filter that refuses some system calls, as a
 * sandbox would (man-db's, systemd's SystemCallFilter): each option
 * refuses one, returning the error it names; the filter is inherited
 * across the exec.
 *
 *   p_seccomp_exec [perf_event_open=E] [timer_create=E] [clone3=E]
 *                  [threads=E] [process_vm_readv=E] -- PROGRAM [ARGS...]
 *
 * E is an errno number; threads refuses clone with CLONE_THREAD (glibc
 * falls back to clone where clone3 is refused).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int nr;
} calls[] = {
    {"perf_event_open", __NR_perf_event_open},
    {"timer_create", __NR_timer_create},
    {"clone3", __NR_clone3},
    {"process_vm_readv", __NR_process_vm_readv},
};

int main(int argc, char **argv)
{
	struct sock_filter f[64];
	int n = 0, i = 1;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *eq = strchr(argv[i], '=');
		int err = eq ? atoi(eq + 1) : 0, known = 0;
		size_t len = eq ? (size_t)(eq - argv[i]) : 0;
		if (!eq || err <= 0 || n > 56)
			return 2;
		if (len == 7 && !strncmp(argv[i], "threads", 7)) {
			/* clone with CLONE_THREAD in its flags (args[0]) */
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone,
							      0, 3);
			f[n++] = (struct sock_filter)BPF_STMT(
			    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
							      CLONE_THREAD, 0, 1);
			f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							      SECCOMP_RET_ERRNO | (unsigned)err);
			/* the number again, for the rules after this one */
			f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							      offsetof(struct seccomp_data, nr));
			continue;
		}
		for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
			if (strlen(calls[k].name) == len && !strncmp(argv[i], calls[k].name, len)) {
				f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								      (unsigned)calls[k].nr, 0, 1);
				f[n++] = (struct sock_filter)BPF_STMT(
				    BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err);
				known = 1;
			}
		if (!known)
			return 2;
	}
	if (i + 1 >= argc)
		return 2;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {(unsigned short)n, f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 3;
	}
	execv(argv[i + 1], argv + i + 1);
	perror("execv");
	return 4;
}
