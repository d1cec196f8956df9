/*
 * Constructor, destructor, fork handlers, exec and exit transitions, and the
 * ticker thread. The session drives the producers: it opens each trace
 * file, asks for each tick and writes the process's own lines.
 */
#include "session/init.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/config.h"
#include "base/envp.h"
#include "base/fmt.h"
#include "base/log.h"
#include "base/sys.h"
#include "probes/buildid.h"
#include "probes/maps.h"
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

extern char **environ;

static int finished;
static int on_exit_ok;
static pthread_t ticker;
static int ticker_up, ticker_stop;

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

/* Whether the ticker may be inside dl_iterate_phdr (the loader's lock)
 * while a thread forks: a Dekker pair, so that either the ticker sees the
 * fork coming and skips its walk, or the fork sees the ticker in it. */
static int forking, ticker_in_loader;

/* Another thread than the forking one could hold the unwinder's or the
 * loader's lock: a program thread that made a traced call, or the ticker
 * in its walk of the loaded objects. */
static int others_may_unwind(void)
{
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		if (t != fl_tls_self && __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == FL_TS_LIVE)
			return 1;
	return __atomic_load_n(&ticker_in_loader, __ATOMIC_SEQ_CST);
}

static void *ticker_main(void *arg)
{
	sigset_t all;
	(void)arg;
	/* Signals are the program's business: never take one here. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	fl_tls_guard = 1; /* everything this thread does passes through */
	fl_probes_ticker_tid = fl_sys_gettid();
	for (;;) {
		fl_probes_wait(fl_config.interval_ms * 1000000u);
		if (__atomic_load_n(&ticker_stop, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&fl_state, __ATOMIC_ACQUIRE) != FL_READY)
			continue;
		/* before the tick: it takes the writer lock */
		__atomic_store_n(&ticker_in_loader, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&forking, __ATOMIC_SEQ_CST))
			fl_buildid_refresh(fl_maps_forget);
		__atomic_store_n(&ticker_in_loader, 0, __ATOMIC_SEQ_CST);
		fl_tick(0);
	}
	fl_probes_ticker_tid = 0;
	__atomic_store_n(&ticker_up, 0, __ATOMIC_RELEASE);
	return NULL;
}

int fl_init_stop_ticker(void)
{
	pid_t tid, pid = fl_sys_getpid();
	if (!__atomic_load_n(&ticker_up, __ATOMIC_ACQUIRE))
		return 0;
	/* Just created, it may not have said who it is yet. */
	for (int i = 0;
	     i < 1000 && !(tid = __atomic_load_n(&fl_probes_ticker_tid, __ATOMIC_ACQUIRE)); i++)
		fl_sys_sleep_ns(1000000);
	if (tid <= 0)
		return 0;
	__atomic_store_n(&ticker_stop, 1, __ATOMIC_RELEASE);
	/* Gone when the kernel no longer knows its tid (a thread is reaped
	 * as it exits); a tick takes far less than the wait allowed here. */
	for (int i = 0; i < 5000 && syscall(SYS_tgkill, pid, tid, 0) == 0; i++)
		fl_sys_sleep_ns(1000000);
	__atomic_store_n(&ticker_stop, 0, __ATOMIC_RELEASE);
	return 1;
}

void fl_init_start_ticker(void)
{
	pthread_attr_t attr;
	int saved_guard = fl_tls_guard;
	fl_tls_guard = FL_GUARD_INTERNAL; /* pthread_create allocates for the shim */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* a fork child's copy names the parent's ticker */
	__atomic_store_n(&fl_probes_ticker_tid, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ticker_up, 1, __ATOMIC_RELEASE);
	if (pthread_create(&ticker, &attr, ticker_main, NULL) != 0) {
		__atomic_store_n(&ticker_up, 0, __ATOMIC_RELEASE);
		fl_log_warn("cannot start the sampler thread; flushing only at exit", 0);
	}
	pthread_attr_destroy(&attr);
	fl_tls_guard = saved_guard;
}

void fl_init_finish(const char *how, int status, int sig, int core, int in_signal)
{
	int prev_guard = fl_tls_guard;
	if (fl_state != FL_READY || fl_sys_getpid() != fl_trace.pid)
		return;
	if (__atomic_exchange_n(&finished, 1, __ATOMIC_ACQ_REL))
		return;
	fl_tls_guard = FL_GUARD_INTERNAL;
	/* Interrupted inside the shim, this thread may hold the lock itself:
	 * then only wait a little for another holder, and give up. */
	if (in_signal && prev_guard ? fl_writer_trylock(200) == 0 : (fl_writer_lock(), 1)) {
		fl_tick_locked(1);
		fl_lines_exit(how, status, sig, core);
		fl_writer_unlock();
	}
	__atomic_store_n(&fl_state, FL_OFF, __ATOMIC_RELEASE);
	fl_tls_guard = prev_guard;
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
	fl_tls_fork_armed = 0;
	if (fl_state != FL_READY || fl_tls_guard)
		return;
	fl_tls_guard++;
	__atomic_store_n(&forking, 1, __ATOMIC_SEQ_CST);
	fl_stacks_before_fork(__atomic_load_n(&ticker_up, __ATOMIC_ACQUIRE) ? 1 : 0);
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
	__atomic_store_n(&forking, 0, __ATOMIC_SEQ_CST);
	if (!fl_trace.stopped)
		fl_probes_fork_parent(fl_writer_out());
	fl_writer_write(0);
	fl_writer_unlock();
	fl_tls_guard--;
}

void fl_init_fork_child(const char *kind)
{
	if (!fl_tls_fork_armed)
		return;
	fl_tls_fork_armed = 0;
	forking = 0;
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
}

static void atfork_child(void)
{
	fl_init_fork_child("fork");
}

void fl_init_exec_begin(const char *path, char *const *argv, uint64_t t, uint64_t seq)
{
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
	Dl_info dl;
	if (fl_state != FL_UNINIT)
		return;
	fl_state = FL_BOOT;
	fl_tls_guard = 1;
	fl_init_resolve();
	fl_config_load(NULL);
	if (!fl_config.out_dir[0]) {
		fl_log_warn("FAULTLINE_OUT is not set; tracing off", 0);
		goto off;
	}
	fl_config_finish(dladdr((void *)fl_init_resolve, &dl) && dl.dli_fname ? dl.dli_fname : "");
	fl_thread_init();
	if (fl_stacks_init() != 0 || fl_ptrset_init(fl_config.all ? 22 : 12) != 0 ||
	    fl_record_init() != 0) {
		fl_log_warn("cannot map the shim's tables; tracing off", 0);
		goto off;
	}
	fl_probes_init();
	fl_buildid_refresh(fl_maps_forget);
	if (fl_header_open(fl_config.parent[0] ? "link" : "none") != 0)
		goto off;
	fl_envp_hide(environ, fl_config.lib); /* each exec and spawn puts them back */
	pthread_atfork(fl_init_fork_prepare, fl_init_fork_parent, atfork_child);
	on_exit_ok = on_exit(on_exit_handler, NULL) == 0;
	fl_init_start_ticker();
	__atomic_store_n(&fl_state, FL_READY, __ATOMIC_RELEASE);
	fl_tls_guard = 0;
	return;
off:
	fl_state = FL_OFF;
	fl_tls_guard = 0;
}

__attribute__((destructor(101))) static void fl_fini(void)
{
	if (!on_exit_ok)
		fl_init_finish("exit", -1, 0, 0, 0);
}
