/*
 * The traced program runs in record's own process group, as the one job a
 * shell started. Three consequences shape this file:
 *
 * - The terminal sends ^C, ^\, ^Z and window-size changes to the whole
 *   foreground group, program included: sending them again would deliver
 *   them twice. Only the signals sent to record alone (kill PID, a
 *   supervisor) are forwarded. The kernel marks the terminal's with
 *   SI_KERNEL, a kill() with SI_USER.
 * - The shell sees record, not the program: when the program stops
 *   (SIGTSTP, SIGTTIN, SIGTTOU), record stops itself with the same signal so
 *   that `jobs` says Stopped and the terminal goes back to the shell; `fg`
 *   and `bg` continue the whole group.
 * - Nothing would stop the program when record is killed with SIGKILL: the
 *   kernel sends it SIGKILL then (PR_SET_PDEATHSIG; it survives exec, except
 *   of a setuid or file-capability program, which record refuses anyway).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/launch.h"
#include "faultline/schema.h"
#include "util/diag.h"

/* Exit statuses of a shell that cannot run a command (POSIX 2.8.2). */
#define EXIT_NOT_FOUND 127
#define EXIT_CANNOT_RUN 126

static const int forwarded[] = {SIGINT,	 SIGQUIT,  SIGTERM, SIGHUP,  SIGUSR1,
				SIGUSR2, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU};
#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static struct sigaction saved[N_FORWARDED];
static volatile sig_atomic_t launched_pid;

static void forward(int sig, siginfo_t *si, void *context)
{
	int saved_errno = errno;
	pid_t pid = (pid_t)launched_pid;

	(void)context;
	/* From the terminal, the program got it too, unless it left our group. */
	if (pid > 0 && !(si->si_code == SI_KERNEL && getpgid(pid) == getpgrp()))
		kill(pid, sig);
	errno = saved_errno;
}

static void block_forwarded(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_handlers(void)
{
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaction(forwarded[i], &saved[i], NULL);
}

/*
 * The faults the kernel takes in kernel mode while it loads the program
 * (its stack, the ELF's bss) and in the loader's first syscalls come
 * before the shim's perf counters start, and perf stat counts them from the
 * exec: a counter of the program's kernel-mode minor faults, opened in the
 * child and enabled at its exec, goes to the shim by number (it reads it
 * once as its own counters start, then closes it: doc/kernel.md). The
 * variable is in the environment before the vfork; the child writes the
 * number in place (nothing allocates between vfork and exec).
 */
#define FD_DIGITS 12
static char exec_faults_var[sizeof(FL_ENV_EXEC_FAULTS_FD "=") + FD_DIGITS];

static void exec_counter_open(void)
{
	struct perf_event_attr a;
	char *v = exec_faults_var + sizeof(FL_ENV_EXEC_FAULTS_FD "=") - 1, d[FD_DIGITS];
	struct rlimit rl;
	long fd;
	int n = 0;
	if (!exec_faults_var[0])
		return; /* not in the environment: the shim would not know the fd */
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	a.disabled = 1;
	a.enable_on_exec = 1;
	a.exclude_user = 1;
	a.exclude_hv = 1;
	/* No close-on-exec: the program's shim reads it. */
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		return; /* "-1": none (perf_event_paranoid, seccomp) */
	/* Out of the way of the program's first open() (3), should no shim
	 * ever close it (a static program): the lowest free fd in the upper
	 * half of what RLIMIT_NOFILE allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 8) {
		long high =
		    fcntl((int)fd, F_DUPFD, (int)((rl.rlim_cur > 4096 ? 4096 : rl.rlim_cur) / 2));
		close((int)fd);
		if (high < 0)
			return;
		fd = high;
	}
	do
		d[n++] = (char)('0' + fd % 10);
	while ((fd /= 10) && n < FD_DIGITS - 1);
	while (n)
		*v++ = d[--n];
	*v = '\0';
}

/*
 * Every traced process opens page-fault software events (its shim's counters
 * and samplers) and closes them at exit. The first such event on the
 * machine switches the kernel's software-event and context-switch hooks on
 * (static keys: kernel text patched on every CPU with IPIs, ~5 % of a short
 * process's CPU time here, then synchronize_rcu, 5-20 ms of wall time on an
 * idle VM) and the last one switches them off again: a script or build
 * whose processes run one after another paid that in each of them. Record
 * holds one disabled event of each kind open on itself for as long as it
 * runs, so the switches stay on (doc/limits.md). Best effort: without
 * perf, nothing to hold. Close-on-exec keeps them from the program.
 */
static void hold_fault_events(void)
{
	static const unsigned long long kinds[] = {PERF_COUNT_SW_PAGE_FAULTS_MIN,
						   PERF_COUNT_SW_PAGE_FAULTS_MAJ};
	static int held;
	struct perf_event_attr a;
	if (held)
		return;
	held = 1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.type = PERF_TYPE_SOFTWARE;
		a.size = sizeof(a);
		a.config = kinds[i];
		a.disabled = 1;
		a.exclude_kernel = 1; /* what an unprivileged user may open */
		a.exclude_hv = 1;
		syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
}

/* Appends s to the n bytes of b (cap in all), as far as it fits. */
static size_t append(char *b, size_t n, size_t cap, const char *s)
{
	size_t len = strlen(s);
	if (len > cap - n)
		len = cap - n;
	memcpy(b + n, s, len);
	return n + len;
}

/* "faultline: cannot run 'PROG': REASON", written at once, without stdio
 * (whose buffers and locks are record's: exec_program). */
static void say_cannot_run(const char *prog, int err)
{
	char b[512];
	const char *why = strerrordesc_np(err);
	size_t n = append(b, 0, sizeof(b) - 1, "faultline: cannot run '");
	n = append(b, n, sizeof(b) - 1, prog);
	n = append(b, n, sizeof(b) - 1, "': ");
	n = append(b, n, sizeof(b) - 1, why ? why : "unknown error");
	b[n++] = '\n';
	if (write(STDERR_FILENO, b, n) < 0)
		return; /* nowhere left to say it */
}

/*
 * In the child, between vfork and exec. It runs on record's memory (its
 * stack below record's frames, record's static data), record suspended
 * until it execs or exits: only system calls, writes to its own stack and
 * to exec_faults_var (which is there for it), no stdio, no allocation. Its
 * signal dispositions are its own (no CLONE_SIGHAND): restoring them here
 * leaves record's forwarding in place.
 */
static FL_NORETURN void exec_program(char *const argv[], pid_t record_pid, const sigset_t *mask)
{
	int err;
	exec_counter_open();
	restore_handlers();
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* If record is already gone, the signal would never come. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != record_pid)
		_exit(EXIT_CANNOT_RUN);
	execvp(argv[0], argv); /* glibc's PATH search allocates nothing */
	err = errno;
	say_cannot_run(argv[0], err);
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

pid_t fl_launch_start(char *const argv[])
{
	struct sigaction sa;
	sigset_t mask;
	pid_t record_pid = getpid(), pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	/* Blocked until launched_pid names the new child: none is lost or sent
	 * to the previous one. */
	hold_fault_events();
	block_forwarded(&mask);
	launched_pid = 0;
	snprintf(exec_faults_var, sizeof(exec_faults_var), "%s=-1", FL_ENV_EXEC_FAULTS_FD);
	if (putenv(exec_faults_var) != 0)
		exec_faults_var[0] = '\0';
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaction(forwarded[i], &sa, &saved[i]);
	/* vfork, not fork: the child execs at once, so copying record's page
	 * tables for it (and the copy-on-write faults record then took on its
	 * own pages) bought nothing; ~0.1-0.2 ms a run here (doc/limits.md). */
	pid = vfork();
	if (pid == 0)
		exec_program(argv, record_pid, &mask);
	unsetenv(FL_ENV_EXEC_FAULTS_FD);
	if (pid < 0) {
		int fork_errno = errno;
		restore_handlers();
		sigprocmask(SIG_SETMASK, &mask, NULL);
		return fl_error("cannot fork: %s", strerror(fork_errno));
	}
	launched_pid = pid;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	return pid;
}

/* The state letter of /proc/PID/stat ('T' stopped), or 0. */
static char process_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * The program stopped on SIG: stop record with it, as the shell expects of
 * its job. Once continued (`fg` continues the whole group, so the program
 * normally is too), continues the program if it is still stopped: record
 * alone may have been sent SIGCONT. The short wait lets the shell's SIGCONT
 * reach the program first, so that it does not get a second one.
 */
static void stop_with(int sig, pid_t pid)
{
	struct sigaction dfl, old;
	struct timespec ms = {0, 1000 * 1000};

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, &old);
	raise(sig);
	sigaction(sig, &old, NULL);
	for (int i = 0; i < 20 && process_state(pid) == 'T'; i++)
		nanosleep(&ms, NULL);
	if (process_state(pid) == 'T')
		kill(pid, SIGCONT);
}

static int is_job_control_stop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

int fl_launch_wait(pid_t pid, int *wstatus, struct rusage *ru)
{
	int status, ret = -1;

	for (;;) {
		if (wait4(pid, &status, WUNTRACED, ru) < 0) {
			if (errno == EINTR)
				continue;
			fl_error("waitpid: %s", strerror(errno));
			break;
		}
		if (WIFSTOPPED(status)) {
			if (is_job_control_stop(WSTOPSIG(status)))
				stop_with(WSTOPSIG(status), pid);
			continue;
		}
		*wstatus = status;
		ret = WIFEXITED(status)	    ? WEXITSTATUS(status)
		      : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
					    : 1;
		break;
	}
	launched_pid = 0;
	restore_handlers();
	return ret;
}
