/*
 * Constructor, destructor, fork handlers, exec and exit transitions, and the
 * tick timer. The session drives the producers: it opens each trace
 * file, asks for each tick and writes the process's own lines.
 */
#include "session/init.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/envp.h"
#include "base/fmt.h"
#include "base/log.h"
#include "base/sys.h"
#include "probes/buildid.h"
#include "probes/maps.h"
#include "probes/perf.h"
#include "probes/probes.h"
#include "record/drain.h"
#include "record/ptrset.h"
#include "record/record.h"
#include "record/resolve.h"
#include "record/sites.h"
#include "record/stacks.h"
#include "record/thread.h"
#include "session/header.h"
#include "session/lines.h"
#include "session/tick.h"
#include "trace/clock.h"
#include "trace/writer.h"

__thread uint64_t fl_tls_fork_t __attribute__((tls_model("initial-exec")));
__thread uint64_t fl_tls_fork_seq __attribute__((tls_model("initial-exec")));
__thread int fl_tls_fork_armed __attribute__((tls_model("initial-exec")));
/* The program's signal mask before a fork, given back after it. */
static __thread sigset_t fork_saved_mask __attribute__((tls_model("initial-exec")));

extern char **environ;

static int finished;
static int on_exit_ok;

void fl_init_resolve(void)
{
	const char *missing = NULL;
	if (fl_real.malloc || fl_resolving)
		return;
	if (fl_resolve_all(&missing) != 0) {
		static const char msg[] = "faultline: fatal: cannot resolve a libc function\n";
		fl_sys_write_all(2, msg, sizeof(msg) - 1);
		abort();
	}
}

/* Another thread than the forking one could hold the unwinder's or the
 * loader's lock: a program thread that made a traced call (a tick takes
 * neither: probes/buildid.h). */
static int others_may_unwind(void)
{
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		if (t != fl_tls_self && __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == FL_TS_LIVE)
			return 1;
	return 0;
}

/*
 * The ticker without a thread of its own. A thread would show in
 * /proc/self/status, count against RLIMIT_NPROC and make unshare(CLONE_NEWUSER)
 * fail. Instead each traced thread has a POSIX timer on its own CPU clock
 * that sends TICK_SIGNAL to that thread every CHECK_NS of its CPU time: the
 * signal comes only while the thread runs, so no thread asleep in read,
 * select or epoll_wait is interrupted (EINTR) by it. A process-wide CPU
 * timer would not do: when the running thread blocks the signal (workers
 * that block all signals) the kernel gives it to another thread, one asleep
 * in select (t8608). The handler ticks when the interval has passed, or
 * earlier when a perf buffer fills; a thread that sleeps through the libc
 * sleep calls ticks from them (hooks_sleep.c).
 *
 * SIGURG because its default action is to ignore it: a program that resets
 * every signal to SIG_DFL loses ticks, never its life, as it would with a
 * real-time signal. A program that sets its own SIGURG disposition has it
 * (sigaction, hooks_signal.c): the timers stop and that process ticks from
 * sleeps and at exit only. NEEDSWORK: a thread that blocks SIGURG and then
 * sigwait()s for it can take a pending tick of its own.
 */
#define TICK_SIGNAL FL_TICK_SIGNAL
_Static_assert(FL_TICK_SIGNAL == SIGURG, "the tick signal is SIGURG");
#define CHECK_NS 10000000u /* a perf buffer takes ~0.1 s of faults to fill */

static int ticking;		  /* the handler is ours and threads get timers */
static struct sigaction prog_urg; /* the program's SIG_DFL action, reported back */
static uint64_t next_tick_ns;
/* The path the loader loaded the shim from, as dladdr would give it. */
static const char *own_path(void)
{
	const char *path;
	uintptr_t base;
	return fl_resolve_object_of((void *)fl_init_resolve, &path, &base) ? path : "";
}

/*
 * A thread without a timer of its own: timer_create failed (EAGAIN once the
 * user's queued signals, which every POSIX timer holds one of in advance,
 * reach RLIMIT_SIGPENDING: another program's signal storm, or a limit of
 * 0), or the program took SIGURG. Such a thread ticks from its sleeps and
 * from the heap hooks' slow path (fl_init_tick_untimed), which a thread
 * allocating reaches at least once per FAULTLINE_LARGE bytes. Where the
 * timer failed, the thread tries again from there, at most once per tick
 * interval and then, while it keeps failing, at doubling gaps up to
 * RETRY_GAP_MAX. The trace says once why the ticks fell back ("ticks"
 * note); the size and rate caps need no tick (writer.c checks them at each
 * write). A thread with a timer ticks there too when its signal came while
 * it was inside the shim (tick_missed): with --all that is most of the
 * time, and a due tick waited for the next signal that found it outside.
 */
#define RETRY_GAP_MAX 2000000000ull
static int timer_errno;	     /* the last timer_create failure, 0 if none */
static int fallback_to_note; /* set at a failure, taken by the next writer */
static int fallback_noted;   /* once per trace file */
static uint64_t retry_at_ns, retry_gap_ns;
static void timer_retry(struct fl_thread *t, uint64_t now);

static void timer_failed(int err)
{
	__atomic_store_n(&timer_errno, err ? err : EAGAIN, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&fallback_noted, __ATOMIC_ACQUIRE))
		__atomic_store_n(&fallback_to_note, 1, __ATOMIC_RELEASE);
}

/* Writer lock held. */
static void note_fallback_locked(void)
{
	int err = __atomic_load_n(&timer_errno, __ATOMIC_RELAXED);
	if (!__atomic_exchange_n(&fallback_to_note, 0, __ATOMIC_ACQ_REL) ||
	    __atomic_exchange_n(&fallback_noted, 1, __ATOMIC_ACQ_REL))
		return;
	fl_writer_note("ticks",
		       err == EAGAIN
			   ? "no tick timer: timer_create failed with EAGAIN (the user's queued "
			     "signals at RLIMIT_SIGPENDING); ticking from the heap hooks and sleeps"
			   : "no tick timer: timer_create failed; ticking from the heap hooks and "
			     "sleeps",
		       (uint64_t)err);
}

/* One tick on the calling thread, if it is due (or a perf buffer needs
 * draining) and the writer lock is free. It takes no lock of the loader's
 * (the build-ids of its maps snapshot are read from memory directly,
 * probes/buildid.h), so it never waits for another program thread. */
static void tick_here(void)
{
	uint64_t now = fl_sys_now_ns();
	int due = now >= __atomic_load_n(&next_tick_ns, __ATOMIC_RELAXED);
	if (!due && !fl_perf_due())
		return;
	/* Never wait here: another thread writing is ticking already. */
	if (fl_writer_trylock(0) != 0)
		return;
	note_fallback_locked();
	if (due) {
		__atomic_store_n(&next_tick_ns, now + fl_config.interval_ms * 1000000ull,
				 __ATOMIC_RELAXED);
		fl_tick_locked(0);
	} else {
		/* A buffer filling between ticks wants its samples out, not a
		 * whole tick: the residency walk of every mapping costs the
		 * program's thread far more than the samples (b_faults). */
		fl_sys_work_begin();
		fl_probes_drain_faults(fl_writer_out());
		fl_writer_write(0);
		fl_sys_work_end();
	}
	fl_writer_unlock();
}

/*
 * A tick runs on a program thread with the guard set: a handler of the
 * program's that ran inside it would have its malloc and free taken for the
 * shim's own and go uncounted (the heap totals of t1003 came out short by
 * hundreds of calls under a SIGALRM storm). So no signal of the program's
 * is delivered during a tick: the handler's mask blocks them all, the sleep
 * path blocks them around its tick. The faults stay open: a fault inside a
 * tick is the shim's and must reach the fatal-signal recorder.
 */
static void tick_mask(sigset_t *set)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
	sigfillset(set);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(set, faults[i]);
}

static void on_tick_signal(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	struct fl_thread *t = fl_tls_self;
	(void)sig;
	(void)uc;
	/* A SIGURG of the program's own (out-of-band data) is not ours. */
	if (si->si_code != SI_TIMER || !t || si->si_timerid != t->tick_timer - 1 ||
	    !__atomic_load_n(&ticking, __ATOMIC_ACQUIRE))
		return;
	if (fl_state == FL_READY && !fl_tls_guard && fl_sys_getpid() == fl_trace.pid) {
		/* A tick that lands inside one of glibc's cancellable system
		 * calls runs with the thread's cancellation asynchronous (glibc
		 * turns it on around the call), and SIGCANCEL cannot be blocked:
		 * a pthread_cancel then ended the thread inside the tick, holding
		 * the writer lock, and every later line waited for it until the
		 * stall gave the trace up (t8202: no exit line, 1 run in 20). The
		 * cancel waits for the tick's end, where it acts as it would have
		 * in the call. */
		int cancel_state;
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
		fl_guard_set(FL_GUARD_INTERNAL);
		tick_here();
		fl_guard_set(0);
		pthread_setcancelstate(cancel_state, &cancel_state);
	} else if (fl_tls_guard) {
		/* Inside the shim: with --all nine signals in ten came there, and
		 * a run of two threads ticked once in 0.5 s. The slow path of
		 * the allocation ticks on its way out if one is due. */
		t->tick_missed = 1;
	}
	errno = saved_errno;
}

/* Whether a signal that became pending while blocked has a handler of the
 * program's (or the fatal recorder) waiting to run: natively it would have
 * cut the sleep short. */
static int handler_waits(const sigset_t *was_blocked)
{
	sigset_t pending;
	if (sigpending(&pending) != 0)
		return 0;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction act;
		if (!sigismember(&pending, sig) || sigismember(was_blocked, sig) ||
		    fl_real.sigaction(sig, NULL, &act) != 0)
			continue;
		if (act.sa_flags & SA_SIGINFO
			? act.sa_sigaction != on_tick_signal
			: act.sa_handler != SIG_DFL && act.sa_handler != SIG_IGN)
			return 1;
	}
	return 0;
}

int fl_init_tick_if_due(void)
{
	sigset_t block, old;
	int interrupted;
	if (fl_state != FL_READY || fl_tls_guard || fl_sys_getpid() != fl_trace.pid)
		return 0;
	tick_mask(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	fl_guard_set(FL_GUARD_INTERNAL);
	if (fl_tls_self && !fl_tls_self->tick_timer)
		timer_retry(fl_tls_self, fl_sys_now_ns());
	fl_probes_tick_idle = 1;
	tick_here();
	fl_probes_tick_idle = 0;
	fl_guard_set(0);
	interrupted = handler_waits(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return interrupted;
}

uint64_t fl_init_next_tick_ns(void)
{
	return __atomic_load_n(&next_tick_ns, __ATOMIC_RELAXED);
}

/* The CPU clock of thread tid of this process (the kernel's encoding, as
 * pthread_getcpuclockid makes it): a timer on it may be made from any
 * thread. */
static clockid_t thread_cpu_clock(pid_t tid)
{
	return (clockid_t)((~(unsigned)tid << 3) | 6);
}

static int thread_timer_make(struct fl_thread *t)
{
	struct sigevent ev;
	struct itimerspec its = {{0, CHECK_NS}, {0, CHECK_NS}};
	int id;
	if (t->tick_timer || !__atomic_load_n(&ticking, __ATOMIC_ACQUIRE))
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = TICK_SIGNAL;
	ev._sigev_un._tid = t->tid;
	if (syscall(SYS_timer_create, thread_cpu_clock(t->tid), &ev, &id) != 0) {
		int err = errno;
		timer_failed(err);
		errno = err;
		return -1;
	}
	t->tick_timer = id + 1;
	if (syscall(SYS_timer_settime, id, 0, &its, NULL) != 0) {
		t->tick_timer = 0;
		syscall(SYS_timer_delete, id);
		return -1;
	}
	return 0;
}

/* A thread's first traced call. */
static void thread_timer_start(struct fl_thread *t)
{
	if (thread_timer_make(t) != 0)
		fl_log_warn("cannot start a thread's tick timer; it ticks from its heap calls and "
			    "sleeps",
			    errno);
}

/* Another try for a thread whose timer failed, when the backoff allows. */
static void timer_retry(struct fl_thread *t, uint64_t now)
{
	if (!__atomic_load_n(&timer_errno, __ATOMIC_RELAXED) ||
	    now < __atomic_load_n(&retry_at_ns, __ATOMIC_RELAXED))
		return;
	if (thread_timer_make(t) == 0 && t->tick_timer) {
		__atomic_store_n(&retry_gap_ns, 0, __ATOMIC_RELAXED);
		return;
	}
	retry_gap_ns = retry_gap_ns ? retry_gap_ns * 2 : fl_config.interval_ms * 1000000ull;
	if (retry_gap_ns > RETRY_GAP_MAX)
		retry_gap_ns = RETRY_GAP_MAX;
	__atomic_store_n(&retry_at_ns, now + retry_gap_ns, __ATOMIC_RELAXED);
}

void fl_init_tick_untimed(void)
{
	struct fl_thread *t = fl_tls_self;
	sigset_t block, old;
	uint64_t now;
	if (!t || fl_tls_guard || __atomic_load_n(&fl_state, __ATOMIC_ACQUIRE) != FL_READY ||
	    (__atomic_load_n(&t->tick_timer, __ATOMIC_RELAXED) && !t->tick_missed))
		return;
	t->tick_missed = 0;
	now = fl_sys_now_ns();
	if (now < __atomic_load_n(&next_tick_ns, __ATOMIC_RELAXED) ||
	    fl_sys_getpid() != fl_trace.pid)
		return;
	/* As in a sleep: the program's signals wait (tick_mask). */
	tick_mask(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	fl_guard_set(FL_GUARD_INTERNAL);
	if (!t->tick_timer)
		timer_retry(t, now);
	tick_here();
	fl_guard_set(0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void thread_timer_stop(struct fl_thread *t)
{
	int id = __atomic_exchange_n(&t->tick_timer, 0, __ATOMIC_ACQ_REL);
	if (id)
		syscall(SYS_timer_delete, id - 1);
}

/* Takes a tick signal pending on this thread, so that it reaches neither a
 * program's own SIGURG handler nor, after an exec, the new image. */
static void drop_pending_tick(void)
{
	struct timespec zero = {0, 0};
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, TICK_SIGNAL);
	while (syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, _NSIG / 8) == TICK_SIGNAL)
		;
}

int fl_init_stop_ticker(void)
{
	if (!__atomic_exchange_n(&ticking, 0, __ATOMIC_ACQ_REL))
		return 0;
	/* NEEDSWORK: a thread registering right now may still make one. */
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		thread_timer_stop(t);
	drop_pending_tick();
	return 1;
}

void fl_init_start_ticker(void)
{
	struct sigaction sa, old;
	struct fl_thread *self;
	if (__atomic_load_n(&ticking, __ATOMIC_ACQUIRE))
		return;
	next_tick_ns = fl_sys_now_ns() + fl_config.interval_ms * 1000000ull;
	/* Only where the program left SIGURG alone (a fork child inherits ours). */
	if (fl_real.sigaction(TICK_SIGNAL, NULL, &old) != 0)
		goto fail;
	if (!(old.sa_flags & SA_SIGINFO) || old.sa_sigaction != on_tick_signal) {
		if (old.sa_handler != SIG_DFL)
			goto fail;
		prog_urg = old;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_tick_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		tick_mask(&sa.sa_mask);
		if (fl_real.sigaction(TICK_SIGNAL, &sa, NULL) != 0)
			goto fail;
	}
	__atomic_store_n(&ticking, 1, __ATOMIC_RELEASE);
	fl_thread_started = thread_timer_start;
	fl_thread_ended = thread_timer_stop;
	self = fl_thread_get();
	if (!self) {
		__atomic_store_n(&ticking, 0, __ATOMIC_RELEASE);
		goto fail;
	}
	/* Without its timer the thread ticks from its hooks (timer_retry). */
	if (thread_timer_make(self) != 0)
		fl_log_warn("cannot start the tick timer; ticking from the heap hooks and sleeps",
			    errno);
	/* After a failed exec or a SIGURG given back: the other live threads. */
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		if (t != self && __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == FL_TS_LIVE)
			thread_timer_make(t);
	return;
fail:
	fl_log_warn("cannot start the tick timer; ticking only from sleeps and at exit", 0);
}

int fl_init_is_tick(const void *siginfo)
{
	const siginfo_t *si = siginfo;
	struct fl_thread *t = fl_tls_self;
	return si->si_code == SI_TIMER && t && t->tick_timer && si->si_timerid == t->tick_timer - 1;
}

int fl_init_tick_sigaction(const struct sigaction *act, struct sigaction *old)
{
	struct sigaction cur;
	int ours, r;
	if (fl_real.sigaction(TICK_SIGNAL, NULL, &cur) != 0)
		return -1;
	ours = (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_tick_signal;
	if (!ours) {
		r = fl_real.sigaction(TICK_SIGNAL, act, old);
		/* Back to SIG_DFL: the ticks can come back. */
		if (r == 0 && act && act->sa_handler == SIG_DFL && fl_state == FL_READY)
			fl_init_start_ticker();
		return r;
	}
	if (act && act->sa_handler != SIG_DFL) {
		/* The program takes SIGURG: ours stop before its handler is in. */
		fl_init_stop_ticker();
		r = fl_real.sigaction(TICK_SIGNAL, act, NULL);
		if (r != 0) {
			fl_init_start_ticker();
			return r;
		}
	}
	if (old)
		*old = prog_urg;
	if (act && act->sa_handler == SIG_DFL)
		prog_urg = *act;
	return 0;
}

void fl_init_finish(const char *how, int status, int sig, int core, int in_signal)
{
	int prev_guard = fl_tls_guard;
	if (fl_state != FL_READY || fl_sys_getpid() != fl_trace.pid)
		return;
	if (__atomic_exchange_n(&finished, 1, __ATOMIC_ACQ_REL))
		return;
	fl_guard_set(FL_GUARD_INTERNAL);
	/* Interrupted inside the shim, this thread may hold the lock itself:
	 * then only wait a little for another holder, and give up. */
	if (in_signal && prev_guard ? fl_writer_trylock(200) == 0 : (fl_writer_lock(), 1)) {
		/* the last thread's exit runs none of the program's code */
		fl_sys_peak_hold();
		note_fallback_locked();
		fl_tick_locked(1);
		fl_lines_exit(how, status, sig, core);
		fl_sys_peak_release();
		fl_writer_unlock();
	}
	__atomic_store_n(&fl_state, FL_OFF, __ATOMIC_RELEASE);
	fl_guard_set(prev_guard);
}

void fl_init_link(char *p, const char *kind, uint64_t t, uint64_t seq)
{
	size_t n = 0, kl = strnlen(kind, 32);
	n += fl_fmt_u64(p + n, (uint64_t)fl_trace.pid);
	p[n++] = ':';
	memcpy(p + n, kind, kl);
	n += kl;
	p[n++] = ':';
	n += fl_fmt_u64(p + n, t);
	p[n++] = ':';
	n += fl_fmt_u64(p + n, seq);
	p[n] = '\0';
}

void fl_init_fork_prepare(void)
{
	sigset_t block;
	fl_tls_fork_armed = 0;
	if (fl_state != FL_READY || fl_tls_guard)
		return;
	fl_tls_guard++;
	/*
	 * The program's signals wait until the child has its trace file: a
	 * parent that kills a child it has just forked (a multiprocessing
	 * pool's terminate) would otherwise kill it before its header, and
	 * the child would leave no trace at all. They wait in the parent too,
	 * which gives the mask back with the lock.
	 */
	tick_mask(&block);
	pthread_sigmask(SIG_BLOCK, &block, &fork_saved_mask);
	fl_stacks_before_fork(0); /* no thread of the shim's own: ticks come from timers */
	fl_writer_lock();
	fl_tls_fork_t = fl_now();
	fl_tls_fork_seq = fl_seq_next();
	fl_tls_fork_armed = 1;
	fl_drain_all();
	fl_writer_write(1);
	fl_probes_fork_prepare();
}

void fl_init_fork_parent(void)
{
	if (!fl_tls_fork_armed)
		return;
	if (!fl_trace.stopped)
		fl_probes_fork_parent(fl_writer_out());
	fl_writer_write(0);
	fl_writer_unlock();
	fl_tls_guard--;
	pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
}

void fl_init_fork_child(const char *kind)
{
	if (!fl_tls_fork_armed)
		return;
	fl_tls_fork_armed = 0;
	ticking = 0; /* timers are not inherited: the child starts its own */
	fallback_noted = fallback_to_note = 0; /* a new trace file says it again */
	timer_errno = 0;
	retry_at_ns = retry_gap_ns = 0;
	fl_stacks_after_fork_child(others_may_unwind());
	/* The lock was taken in prepare by this thread: it is ours to reset. */
	fl_writer_after_fork_child();
	fl_stacks_forget_emitted();
	fl_maps_forget();
	fl_thread_after_fork_child();
	fl_sites_after_fork_child();
	finished = 0;
	if (!fl_config.follow) {
		fl_state = FL_OFF;
		fl_writer_unlock();
		fl_tls_guard--;
		pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
		return;
	}
	fl_init_link(fl_config.parent, kind, fl_tls_fork_t, fl_tls_fork_seq);
	if (fl_header_open("link") != 0) {
		fl_state = FL_OFF;
	} else {
		fl_probes_fork_child(fl_writer_out());
		fl_writer_write(1);
	}
	fl_writer_unlock();
	if (fl_state == FL_READY)
		fl_init_start_ticker();
	fl_tls_guard--;
	/* A signal that came meanwhile (the parent's kill) is taken here, with
	 * the header written: the exit line says how the child ended. A handler
	 * of the program's runs with the guard down, its calls counted. */
	pthread_sigmask(SIG_SETMASK, &fork_saved_mask, NULL);
}

static void atfork_child(void)
{
	fl_init_fork_child("fork");
}

void fl_init_exec_begin(const char *path, char *const *argv, uint64_t t, uint64_t seq)
{
	fl_init_stop_ticker();
	fl_writer_lock();
	fl_lines_exec(path, argv, 0, 0, t, seq);
	fl_tick_locked(1);
	fl_lines_exit("exec", -1, 0, 0);
}

void fl_init_exec_failed(const char *path, char *const *argv, int err)
{
	fl_lines_exec(path, argv, -1, err, fl_now(), fl_seq_next());
	fl_writer_write(1);
	fl_writer_unlock();
	fl_init_start_ticker();
}

/* exit() and return from main: on_exit handlers see the status. Ours was
 * registered before the loader's own (rtld_fini), so it runs after every
 * destructor, ours included: the last word. */
static void on_exit_handler(int status, void *arg)
{
	(void)arg;
	fl_init_finish("exit", status, 0, 0, 0);
}

__attribute__((constructor(101))) static void fl_init(void)
{
	if (fl_state != FL_UNINIT)
		return;
	fl_state = FL_BOOT;
	fl_guard_set(1);
	fl_init_resolve();
	fl_config_load(NULL);
	if (!fl_config.out_dir[0]) {
		fl_log_warn("FAULTLINE_OUT is not set; tracing off", 0);
		goto off;
	}
	fl_config_finish(own_path());
	/* None of the program's code runs before this returns (sys.c): the
	 * shim's regions are mapped without a reading each. */
	fl_sys_peak_hold();
	fl_thread_init();
	/* --all: 2^20 slots of 32 bytes, 32 MiB touched as the heap's address
	 * grows (doc/limits.md); the default mode keeps only sampled blocks. */
	if (fl_stacks_init() != 0 || fl_ptrset_init(fl_config.all ? 20 : 12) != 0 ||
	    fl_record_init() != 0) {
		fl_log_warn("cannot map the shim's tables; tracing off", 0);
		goto off;
	}
	fl_buildid_init(); /* before the first maps snapshot (fl_probes_init) */
	fl_probes_init();
	if (fl_header_open(fl_config.parent[0] ? "link" : "none") != 0)
		goto off;
	fl_envp_hide(environ, fl_config.lib); /* each exec and spawn puts them back */
	pthread_atfork(fl_init_fork_prepare, fl_init_fork_parent, atfork_child);
	on_exit_ok = on_exit(on_exit_handler, NULL) == 0;
	fl_record_untimed_tick = fl_init_tick_untimed;
	fl_init_start_ticker();
	fl_sys_peak_release();
	__atomic_store_n(&fl_state, FL_READY, __ATOMIC_RELEASE);
	fl_guard_set(0);
	return;
off:
	fl_sys_peak_release();
	fl_state = FL_OFF;
	fl_guard_set(0);
}

__attribute__((destructor(101))) static void fl_fini(void)
{
	if (!on_exit_ok)
		fl_init_finish("exit", -1, 0, 0, 0);
}
