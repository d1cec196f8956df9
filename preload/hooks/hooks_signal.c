/*
 * The fatal-signal recorder. Where the program leaves a terminating signal
 * at SIG_DFL, the shim installs a handler that writes the exit line, puts
 * SIG_DFL back and lets the signal kill the process as it would have: a
 * fault re-executes the faulting instruction, a sent signal is sent again
 * with its siginfo. The program never sees the recorder: sigaction and
 * signal report SIG_DFL (with the program's own flags and mask) while it
 * is installed, and setting any other disposition replaces it.
 *
 * SIGURG carries the shim's ticks (session/init.c): a disposition the
 * program sets for it stops them first, and it reads back its own; so does
 * a signalfd that takes SIGURG, which would otherwise read the ticks.
 *
 * sigaltstack is watched, not changed: a program's handler on a small
 * alternate stack must not run the shim's recording there (hooks.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/sys.h"
#include "hooks/hooks.h"

/* glibc's sigaltstack is the bare syscall: no real symbol is needed. */
FL_EXPORT int sigaltstack(const stack_t *ss, stack_t *old)
{
	int r = (int)syscall(SYS_sigaltstack, ss, old);
	if (r == 0 && ss) {
		int off = ss->ss_flags & SS_DISABLE;
		fl_tls.alt_lo = off ? 0 : (uintptr_t)ss->ss_sp;
		fl_tls.alt_size = off ? 0 : ss->ss_size;
		fl_thread_fast_update();
	}
	return r;
}

/* glibc's signalfd is the bare syscall too. A program that reads SIGURG
 * from a signalfd (blocked, so its ticks stay pending) would read ours:
 * the ticks stop first, as for a SIGURG handler of its own. */
FL_EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
	if (mask && sigismember(mask, FL_TICK_SIGNAL) == 1 && !fl_proc_in_vfork_child())
		fl_init_stop_ticker();
	return (int)syscall(SYS_signalfd4, fd, mask, (size_t)(_NSIG / 8), flags);
}

static const int fatal[] = {SIGHUP,  SIGINT,  SIGQUIT,	 SIGILL,  SIGABRT, SIGBUS,  SIGFPE,
			    SIGUSR1, SIGSEGV, SIGUSR2,	 SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT,
			    SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGPWR};
static uint64_t managed;
/* The program's last SIG_DFL action per signal, reported back as is. */
static struct sigaction prog_dfl[65];

static int is_managed(int sig)
{
	return sig > 0 && sig < 64 && (managed >> sig & 1);
}

static int dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
		return 1;
	default:
		return 0;
	}
}

static void recorder(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;
	int saved = errno;
	pid_t pid = fl_sys_getpid();
	(void)uc;
	fl_init_finish("signal", -1, sig, dumps_core(sig), 1);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	fl_real.sigaction(sig, &dfl, NULL);
	/* A fault happens again when the instruction is retried; anything
	 * else is sent again, pending until this handler returns. */
	if (!(si && si->si_code > 0 &&
	      (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE))) {
		if (!si || syscall(SYS_rt_tgsigqueueinfo, pid, fl_sys_gettid(), sig, si) != 0)
			syscall(SYS_tgkill, pid, fl_sys_gettid(), sig);
	}
	errno = saved;
}

static void recorder_action(struct sigaction *a)
{
	memset(a, 0, sizeof(*a));
	a->sa_sigaction = recorder;
	a->sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigfillset(&a->sa_mask);
}

/* Installs the recorder where the program's disposition of a fatal signal
 * is SIG_DFL. Runs right after the session's constructor (priority 101),
 * once tracing is on. */
__attribute__((constructor(102))) static void install(void)
{
	struct sigaction cur, mine;
	if (fl_state != FL_READY)
		return;
	recorder_action(&mine);
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++) {
		int sig = fatal[i];
		if (fl_real.sigaction(sig, NULL, &cur) != 0 || cur.sa_handler != SIG_DFL)
			continue;
		prog_dfl[sig] = cur;
		if (fl_real.sigaction(sig, &mine, NULL) == 0)
			__atomic_or_fetch(&managed, 1ull << sig, __ATOMIC_RELAXED);
	}
}

FL_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction mine, cur;
	const struct sigaction *set = act;
	int r;

	if (FL_UNLIKELY(!fl_real.sigaction))
		fl_init_resolve();
	if (sig == FL_TICK_SIGNAL && !fl_proc_in_vfork_child())
		return fl_init_tick_sigaction(act, old);
	if (!is_managed(sig) || fl_proc_in_vfork_child())
		return fl_real.sigaction(sig, act, old);
	if (act && act->sa_handler == SIG_DFL) {
		recorder_action(&mine);
		set = &mine;
	}
	r = fl_real.sigaction(sig, set, &cur);
	if (r != 0)
		return r;
	if (old) {
		*old = cur;
		if (cur.sa_sigaction == recorder)
			*old = prog_dfl[sig];
	}
	if (act && act->sa_handler == SIG_DFL)
		prog_dfl[sig] = *act;
	return 0;
}

/* glibc's signal() calls its sigaction internally: the same BSD semantics
 * (SA_RESTART, the signal masked in its handler) through ours. */
FL_EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
	struct sigaction act, old;
	if (!(is_managed(sig) || sig == FL_TICK_SIGNAL) || fl_proc_in_vfork_child())
		return REAL(signal)(sig, handler);
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	act.sa_flags = SA_RESTART;
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}
