/*
 * Following processes, part four: the ends. wait reports how each child
 * ended, as its parent saw it (SIGKILL too); _exit, _Exit and syscall()'s
 * exit_group are ways out that skip exit handlers; prctl can turn off the
 * program's perf events under us, which the trace must say.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks/hooks.h"
#include "session/lines.h"
#include "trace/writer.h"

/* ---- wait: how each child ended, as its parent saw it (SIGKILL too) ---- */

/* The program's own reaping, traced even in a signal handler that
 * interrupted the shim (a SIGCHLD handler during the fork hook): the
 * writer lock never waits for its own thread (nested lines), and waiting
 * for another holder is safe, as a holder waits for nothing this thread
 * can hold. Not the shim's own waits (system()). */
static int program_reaps(void)
{
	return fl_state == FL_READY && fl_tls_guard != FL_GUARD_INTERNAL;
}

static void reaped(pid_t pid, int status, const struct rusage *ru)
{
	if (pid <= 0 || !program_reaps() || fl_proc_in_vfork_child() ||
	    !(WIFEXITED(status) || WIFSIGNALED(status)))
		return;
	fl_tls_guard++;
	fl_writer_lock();
	fl_lines_wait(pid, status, ru);
	fl_writer_unlock();
	fl_tls_guard--;
}

/* The wait family but waitid: one wait4, with the rusage asked for whether
 * the caller wants it or not (waitpid and wait make the same system call
 * without it), so that the wait line has the child's whole-life figures,
 * the faults and CPU after its own exit line included. Called directly,
 * not through the exported names, which a program may define itself. */
static pid_t traced_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int st = 0;
	struct rusage own = {0}; /* read only when the kernel filled it (r > 0) */
	pid_t r = REAL(wait4)(pid, &st, options, &own);
	int err = errno;
	if (status && r > 0)
		*status = st;
	if (ru && r > 0)
		*ru = own;
	reaped(r, st, &own);
	errno = err;
	return r;
}

FL_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	return traced_wait4(pid, status, options, NULL);
}

FL_EXPORT pid_t wait(int *status)
{
	return traced_wait4(-1, status, 0, NULL);
}

FL_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return traced_wait4(pid, status, options, ru);
}

FL_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	return traced_wait4(-1, status, options, ru);
}

/* The status word wait4 would have given for a child's waitid report. */
static int waitid_status(const siginfo_t *info)
{
	if (info->si_code == CLD_EXITED)
		return (info->si_status & 0xff) << 8;
	if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
		return (info->si_status & 0x7f) | (info->si_code == CLD_DUMPED ? 0x80 : 0);
	return 0x7f; /* stopped or continued: not an end */
}

/* The kernel's waitid, which takes a rusage glibc's does not pass (it asks
 * for none), for a call that does not block (WNOHANG). (A seccomp filter
 * that refused it would refuse glibc's too: the same system call.) */
static int waitid_rusage(idtype_t type, id_t id, siginfo_t *info, int options, struct rusage *ru)
{
	info->si_pid = 0; /* the kernel leaves it when no child was waitable */
	return (int)syscall(SYS_waitid, type, id, info, options, ru);
}

/*
 * waitid reaps with the child's whole-life rusage too, as the wait4 family
 * does, without changing what the program sees. glibc's waitid is a
 * cancellation point and the raw system call is not, so a call that may
 * block waits in glibc's with WNOWAIT (cancellable, nothing reaped), then
 * reaps the child it reported with the raw call and WNOHANG. Another thread
 * that reaps that child in between makes it wait again, as it would have
 * had that thread been first. WNOHANG calls, which never block, take the
 * raw call at once, after the cancellation point's test. The shim's own
 * waits, a vfork child's and WNOWAIT peeks go to glibc's as they are.
 */
FL_EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	siginfo_t own, peek;
	struct rusage ru;
	int r, err;
	if (!program_reaps() || fl_proc_in_vfork_child() || (options & WNOWAIT))
		return REAL(waitid)(type, id, info, options);
	if (!info)
		info = &own;
	if (options & WNOHANG) {
		pthread_testcancel();
		r = waitid_rusage(type, id, info, options, &ru);
	} else {
		for (;;) {
			peek.si_pid = 0;
			r = REAL(waitid)(type, id, &peek, options | WNOWAIT);
			if (r != 0)
				return r;
			r = waitid_rusage(P_PID, (id_t)peek.si_pid, info, options | WNOHANG, &ru);
			/* reaped by another thread meanwhile: wait again */
			if ((r == 0 && info->si_pid == 0) || (r != 0 && errno == ECHILD))
				continue;
			break;
		}
	}
	err = errno;
	if (r == 0 && info->si_pid > 0)
		reaped(info->si_pid, waitid_status(info), &ru);
	errno = err;
	return r;
}

/* ---- the ways out that skip exit handlers ---- */

FL_EXPORT void _exit(int status)
{
	if (!fl_proc_in_vfork_child())
		fl_init_finish("_exit", status, 0, 0, 0);
	REAL(_exit)(status);
	__builtin_unreachable();
}

FL_EXPORT void _Exit(int status)
{
	if (!fl_proc_in_vfork_child())
		fl_init_finish("_exit", status, 0, 0, 0);
	REAL(_Exit)(status);
	__builtin_unreachable();
}

static long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* syscall(): exit_group and execve through it are ways out too. The shim's
 * own raw syscalls (sys.c) land here as well, and pass straight on. */
FL_EXPORT long syscall(long n, ...)
{
	va_list ap;
	long a, b, c, d, e, f, r;
	va_start(ap, n);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	f = va_arg(ap, long);
	va_end(ap);
	if (FL_UNLIKELY(n == SYS_exit_group) && !fl_tls_guard && !fl_proc_in_vfork_child())
		fl_init_finish("exit_group", (int)a, 0, 0, 0);
	else if (FL_UNLIKELY(n == SYS_execve) && !fl_tls_guard)
		return execve((const char *)a, (char *const *)b, (char *const *)c);
	r = raw_syscall(n, a, b, c, d, e, f);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- hostile programs ---- */

FL_EXPORT int prctl(int op, ...)
{
	va_list ap;
	unsigned long a, b, c, d;
	int r, err;
	va_start(ap, op);
	a = va_arg(ap, unsigned long);
	b = va_arg(ap, unsigned long);
	c = va_arg(ap, unsigned long);
	d = va_arg(ap, unsigned long);
	va_end(ap);
	r = (int)syscall(SYS_prctl, op, a, b, c, d);
	err = errno;
	if (r == 0 && (op == PR_TASK_PERF_EVENTS_DISABLE || op == PR_TASK_PERF_EVENTS_ENABLE) &&
	    TRACING() && !fl_proc_in_vfork_child()) {
		fl_tls_guard++;
		fl_writer_lock();
		fl_writer_note(op == PR_TASK_PERF_EVENTS_DISABLE ? "perf_disabled" : "perf_enabled",
			       op == PR_TASK_PERF_EVENTS_DISABLE
				   ? "the program disabled its perf events: fault counts and "
				     "samples stop from here"
				   : "the program re-enabled its perf events",
			       0);
		fl_writer_unlock();
		fl_tls_guard--;
	}
	errno = err;
	return r;
}
