/*
 * The trace file: the sink. Producers format lines into a large
 * preallocated buffer (fl_out) under the lock; the lines are written with
 * write(2) once more than FLUSH_AT bytes are pending, and at every tick,
 * fork, exec and exit: a process killed with SIGKILL loses at most the
 * last tick. The writer never calls its producers.
 */
#include "trace/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/fmt.h"
#include "base/log.h"
#include "base/state.h"
#include "base/sys.h"
#include "faultline/schema.h"
#include "trace/clock.h"
#include "trace/zstd_sink.h"

#define OUT_BYTES (16u << 20)
#define FLUSH_AT (1u << 20)

struct fl_trace fl_trace = {.fd = -1};

static struct fl_out out;
static char *out_mem;

/*
 * The lock word holds its owner's tid (WAITERS set when another thread may
 * sleep on it), 0 when free: taking it and naming the owner are one atomic
 * step. A hook that runs in a signal handler (waitpid in a SIGCHLD handler,
 * malloc, mmap) may interrupt its own thread while that thread holds the
 * lock (the fork hook writing its line): waiting would wait for itself
 * forever. Such a re-entry takes the lock "nested" instead: its lines go
 * to a side buffer, with signals blocked, and join the pending lines when
 * the interrupted holder lets go.
 */
#define WAITERS 0x80000000u
#define NEST_MAX 8
#define SIDE_BYTES (64u << 10)
static uint32_t lock_word;
static unsigned nested;
static uint64_t nest_mask[NEST_MAX]; /* the signal mask each re-entry found */
static struct fl_out side;
static char side_mem[SIDE_BYTES];

/* The watchdog: a holder that keeps the lock this long has stalled (stuck
 * in a handler of the program's, or in a lock it inherited); waiters then
 * stop waiting and the process's tracing goes off (see writer.h). Tests
 * shorten it (FAULTLINE_TEST_STALL_MS). */
static uint64_t held_since;
#define STALL_NS (10ull * 1000000000u)
static int stalled;
/* Zero capacity: drops every line (one per thread: never shared). */
static __thread struct fl_out sink __attribute__((tls_model("initial-exec")));

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, timeout, NULL, 0);
}

static void sigmask_all(uint64_t *old)
{
	uint64_t all = ~0ull;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, old, sizeof(all));
}

static void sigmask_restore(const uint64_t *old)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, old, NULL, sizeof(*old));
}

static int take(uint32_t tid)
{
	uint32_t cur = 0;
	if (__atomic_compare_exchange_n(&lock_word, &cur, tid, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		__atomic_store_n(&held_since, fl_sys_now_ns(), __ATOMIC_RELAXED);
		return 1;
	}
	return 0;
}

/* Waits for another holder; 0 once taken, -1 if the holder stalled. */
static int wait_for_holder(uint32_t tid)
{
	const struct timespec slice = {0, 200 * 1000000};
	uint64_t stall_ns = fl_config.stall_ms ? fl_config.stall_ms * 1000000u : STALL_NS;
	uint64_t seen_at = 0;
	uint32_t seen = 0;
	for (;;) {
		uint32_t cur = __atomic_load_n(&lock_word, __ATOMIC_RELAXED);
		uint64_t since, now;
		if (cur == 0) {
			if (__atomic_compare_exchange_n(&lock_word, &cur, tid | WAITERS, 0,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				__atomic_store_n(&held_since, fl_sys_now_ns(), __ATOMIC_RELAXED);
				return 0;
			}
			continue;
		}
		/*
		 * A stall is a holder seen holding the lock for stall_ns by this
		 * waiter's own clock and by held_since both. held_since alone
		 * lied twice: read after the clock, a holder that took the lock
		 * in between made the difference wrap (a stall 11 ms into a
		 * run of 8 threads: the trace turned off, 1 run of t8202 in 20);
		 * and a holder that has taken the lock but not yet written its
		 * time leaves the previous holder's, old after a quiet while.
		 */
		since = __atomic_load_n(&held_since, __ATOMIC_RELAXED);
		now = fl_sys_now_ns();
		if ((cur & ~WAITERS) != seen) {
			seen = cur & ~WAITERS;
			seen_at = now;
		}
		if (__atomic_load_n(&stalled, __ATOMIC_ACQUIRE) ||
		    (now > since && now - since > stall_ns && now - seen_at > stall_ns)) {
			__atomic_store_n(&stalled, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&fl_trace.stopped, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&fl_state, FL_OFF, __ATOMIC_RELEASE);
			return -1;
		}
		if (!(cur & WAITERS) &&
		    !__atomic_compare_exchange_n(&lock_word, &cur, cur | WAITERS, 0,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			continue;
		futex(&lock_word, FUTEX_WAIT, cur | WAITERS, &slice);
	}
}

/* Per thread: this thread went past a stalled lock (its writes are dropped
 * until it unlocks). */
static __thread int bypassing __attribute__((tls_model("initial-exec")));

void fl_writer_lock(void)
{
	uint32_t tid = (uint32_t)fl_sys_gettid();
	if (take(tid))
		return;
	if ((__atomic_load_n(&lock_word, __ATOMIC_RELAXED) & ~WAITERS) == tid) {
		unsigned depth = nested++;
		sigmask_all(&nest_mask[depth < NEST_MAX ? depth : NEST_MAX - 1]);
		if (!side.buf)
			fl_out_init(&side, side_mem, sizeof(side_mem));
		return;
	}
	if (wait_for_holder(tid) != 0)
		bypassing++;
}

int fl_writer_trylock(unsigned ms)
{
	uint32_t tid = (uint32_t)fl_sys_gettid();
	for (unsigned i = 0; i <= ms; i++) {
		if (take(tid))
			return 0;
		if ((__atomic_load_n(&lock_word, __ATOMIC_RELAXED) & ~WAITERS) == tid)
			return -1; /* ours: the interrupted code holds it */
		fl_sys_sleep_ns(1000000);
	}
	return -1;
}

int fl_writer_held_here(void)
{
	return (__atomic_load_n(&lock_word, __ATOMIC_RELAXED) & ~WAITERS) ==
	       (uint32_t)fl_sys_gettid();
}

/* The lines written in signal handlers while this thread held the lock
 * join the pending ones, as if written now (or are counted as dropped). */
static void take_side_lines(void)
{
	size_t n, tail;
	uint64_t mask;
	if (__atomic_load_n(&side.len, __ATOMIC_RELAXED) == 0)
		return;
	/* A handler may land here too and append to side: with signals
	 * blocked, what it wrote is either taken now or left for the next
	 * holder, never reset unseen. */
	sigmask_all(&mask);
	n = side.len;
	tail = out.cur - out.len;
	if (out.cap - out.cur >= n) {
		memmove(out.buf + out.len + n, out.buf + out.len, tail);
		memcpy(out.buf + out.len, side.buf, n);
		out.len += n;
		out.cur += n;
	} else {
		out.dropped_lines++;
	}
	side.len = side.cur = 0;
	sigmask_restore(&mask);
}

static void note_stall(void);

void fl_writer_unlock(void)
{
	if (bypassing) {
		bypassing--;
		return;
	}
	if (nested) {
		unsigned depth = --nested;
		sigmask_restore(&nest_mask[depth < NEST_MAX ? depth : NEST_MAX - 1]);
		return;
	}
	take_side_lines();
	if (__atomic_load_n(&stalled, __ATOMIC_ACQUIRE))
		note_stall();
	if (__atomic_exchange_n(&lock_word, 0, __ATOMIC_RELEASE) & WAITERS)
		futex(&lock_word, FUTEX_WAKE, 1, NULL);
}

struct fl_out *fl_writer_out(void)
{
	if (bypassing)
		return &sink;
	return nested ? &side : &out;
}

/* "<dir>/<pid>.ndjson", or "<dir>/<pid>.<n>.ndjson" if taken (pid reuse). */
static int create_file(void)
{
	char *p = fl_trace.path;
	size_t dl = strlen(fl_config.out_dir);
	int saved = errno;

	if (dl + 64 > sizeof(fl_trace.path))
		return -1;
	for (unsigned n = 0; n < 1000; n++) {
		size_t len = dl;
		int fd;
		memcpy(p, fl_config.out_dir, dl);
		p[len++] = '/';
		len += fl_fmt_u64(p + len, (uint64_t)fl_trace.pid);
		if (n) {
			p[len++] = '.';
			len += fl_fmt_u64(p + len, n);
		}
		strcpy(p + len, fl_config.compress ? FL_TRACE_ZST_EXT : FL_TRACE_FILE_EXT);
		fd = fl_sys_open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			errno = saved;
			return fl_sys_move_high(fd);
		}
		if (errno != EEXIST) {
			fl_log_warn("cannot create trace file", errno);
			errno = saved;
			return -1;
		}
	}
	errno = saved;
	return -1;
}

static void compute_cap(void);

int fl_writer_open(void)
{
	if (!out_mem) {
		out_mem = fl_sys_alloc_pages(OUT_BYTES);
		if (!out_mem)
			return -1;
	}
	fl_out_init(&out, out_mem, OUT_BYTES);
	fl_trace.pid = fl_sys_getpid();
	fl_clock_start();
	fl_trace.written = 0;
	fl_trace.stopped = 0;
	fl_trace.write_failed = 0;
	fl_trace.peak_live = 0;
	compute_cap();
	fl_trace.fd = create_file();
	if (fl_trace.fd < 0)
		return -1;
	fl_sys_fstat_ino(fl_trace.fd, &fl_trace.dev, &fl_trace.ino);
	return 0;
}

static void note_to(struct fl_out *o, const char *what, const char *why, uint64_t n)
{
	fl_out_begin(o, FL_EV_NOTE, fl_now(), fl_seq_next());
	fl_out_str(o, FL_K_WHAT, what);
	fl_out_str(o, FL_K_WHY, why);
	fl_out_u64(o, FL_K_N, n);
	fl_out_end(o);
}

void fl_writer_note(const char *what, const char *why, uint64_t n)
{
	note_to(fl_writer_out(), what, why, n);
}

/* The stalled holder let go at last: say why the trace ends here. */
static int stall_noted;

static void note_stall(void)
{
	if (stall_noted++)
		return;
	note_to(&out, "stopped",
		"the trace writer stalled (its lock held too long): tracing turned off for this "
		"process",
		(fl_sys_now_ns() - held_since) / 1000000);
	fl_writer_write(1);
}

/* The program may have closed our fd, or dup2'd its own file over it: never
 * write into a file that is not ours. Reopen ours by path if needed. */
static uint64_t lost_t, lost_bytes;
static int lost_errno;

/* Nothing could be written (no fd to be had): remember since when and why,
 * to say so once a later reopen succeeds. */
static void lose(int err, size_t n)
{
	if (!lost_errno) {
		lost_t = fl_now();
		lost_errno = err ? err : EBADF;
	}
	lost_bytes += n;
}

static int check_fd(void)
{
	uint64_t dev, ino;
	int fd, saved = errno, err;
	if (fl_trace.fd >= 0 && fl_sys_fstat_ino(fl_trace.fd, &dev, &ino) == 0 &&
	    dev == fl_trace.dev && ino == fl_trace.ino)
		return 0;
	fd = fl_sys_open(fl_trace.path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0);
	err = errno;
	errno = saved;
	if (fd < 0) {
		fl_trace.fd = -1;
		lose(err, 0);
		return -1;
	}
	fd = fl_sys_move_high(fd);
	if (fl_sys_fstat_ino(fd, &dev, &ino) != 0 || dev != fl_trace.dev || ino != fl_trace.ino) {
		fl_sys_close(fd);
		fl_trace.fd = -1;
		lose(ESTALE, 0);
		return -1;
	}
	fl_trace.fd = fd;
	/* Tell the reader; this line goes out with the pending ones. If no
	 * fd could be had for a while, say since when, why, and what was lost
	 * (lines are held back in the meantime while they fit). */
	fl_out_begin(&out, FL_EV_NOTE, fl_now(), fl_seq_next());
	fl_out_str(&out, FL_K_WHAT, "reopened");
	fl_out_str(&out, FL_K_WHY,
		   lost_errno ? "the trace fd was closed or replaced by the program "
				"and could not be reopened for a while"
			      : "the program closed or replaced the trace fd");
	fl_out_u64(&out, FL_K_N, (uint64_t)fd);
	if (lost_errno) {
		fl_out_u64(&out, FL_K_FROM_T, lost_t);
		fl_out_u64(&out, FL_K_ERRNO, (uint64_t)lost_errno);
		fl_out_u64(&out, FL_K_LOST_BYTES, lost_bytes);
	}
	fl_out_end(&out);
	lost_errno = 0;
	lost_bytes = 0;
	return 0;
}

/* Never write past RLIMIT_FSIZE: that write would raise SIGXFSZ and kill
 * the program. The size cap (--max-size, or the limit less FINAL_ROOM for
 * the totals written at exit) is worked out once per trace file. */
#define FINAL_ROOM (64u << 10)
static uint64_t fsize_limit = UINT64_MAX, cap_at;
static const char *cap_why;

static void compute_cap(void)
{
	struct rlimit rl;
	fsize_limit = UINT64_MAX;
	cap_at = fl_config.max_size;
	cap_why = "max_size reached: recording stopped, counting continues";
	if (syscall(SYS_getrlimit, RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	fsize_limit = rl.rlim_cur;
	rl.rlim_cur = fsize_limit > 2 * FINAL_ROOM ? fsize_limit - FINAL_ROOM : fsize_limit / 2;
	if (!cap_at || rl.rlim_cur < cap_at) {
		cap_at = rl.rlim_cur;
		cap_why =
		    "file size limit (RLIMIT_FSIZE) near: recording stopped, counting continues";
	}
}

/* How many of the first n pending bytes are complete lines within room. */
static size_t lines_within(size_t n, uint64_t room)
{
	size_t i = n < room ? n : (size_t)room;
	while (i > 0 && out.buf[i - 1] != '\n')
		i--;
	return i;
}

/*
 * A trace never fills its disk, and never grows at a rate no real run
 * needs (a process stuck writing, say the parent of a hung child whose
 * other threads go on): before each write, if the filesystem would be left
 * with less than max(1 GiB, 5 %) free (at most half of a small one), or
 * the process has written faster than 200 MB/s for 3 s in a row,
 * recording stops (counting goes on, the totals are still written) and a
 * note says why. --max-size lifts the rate limit: the user bounded the
 * size already.
 */
#define KEEP_FREE_MIN (1ull << 30)
#define RATE_LIMIT (200ull << 20)
#define RATE_SECONDS 3
static uint64_t window_t, window_bytes;
static unsigned hot_windows;

static const char *disk_guard(size_t n)
{
	struct statfs fs;
	uint64_t now = fl_sys_now_ns();
	uint64_t limit = fl_config.rate_limit ? fl_config.rate_limit : RATE_LIMIT;
	if (syscall(SYS_fstatfs, fl_trace.fd, &fs) == 0) {
		uint64_t avail = (uint64_t)fs.f_bavail * (uint64_t)fs.f_bsize;
		uint64_t keep = (uint64_t)fs.f_blocks * (uint64_t)fs.f_bsize / 20;
		if (keep < KEEP_FREE_MIN)
			keep = KEEP_FREE_MIN;
		/* A small filesystem (a 512 MiB tmpfs) still gets half of it. */
		if (keep > (uint64_t)fs.f_blocks * (uint64_t)fs.f_bsize / 2)
			keep = (uint64_t)fs.f_blocks * (uint64_t)fs.f_bsize / 2;
		if (fl_config.keep_free)
			keep = fl_config.keep_free;
		if (avail < keep + n)
			return "the trace's filesystem is nearly full (free space kept: max(1 GiB, "
			       "5 %), "
			       "at most half of it): "
			       "recording stopped, counting continues";
	}
	window_bytes += n;
	if (!window_t)
		window_t = now;
	if (now - window_t >= 1000000000u) {
		uint64_t rate = window_bytes * 1000000000u / (now - window_t);
		hot_windows = rate > limit ? hot_windows + 1 : 0;
		window_t = now;
		window_bytes = 0;
	}
	if (hot_windows >= RATE_SECONDS && !fl_config.max_size)
		return "the process wrote its trace faster than any real run (over 200 MB/s for "
		       "seconds): recording stopped, counting continues";
	return NULL;
}

static void guard_stop(const char *why)
{
	fl_trace.stopped = 1;
	out.len = out.cur = 0;
	fl_writer_note("stopped", why, fl_trace.written);
}

/* A failed write (disk full, quota, I/O error) stops the recording, and
 * says so once on stderr: a trace never just ends. */
static void put(size_t n)
{
	uint64_t bytes = n;
	int saved = errno, err = fl_config.compress
				     ? fl_zstd_sink_write(fl_trace.fd, out.buf, n,
							  fsize_limit - fl_trace.written, &bytes)
				     : fl_sys_write_all(fl_trace.fd, out.buf, n);
	if (err == 0) {
		fl_trace.written += bytes;
	} else if (!fl_trace.write_failed) {
		fl_trace.write_failed = 1;
		fl_trace.stopped = 1;
		fl_log_warn("cannot write the trace file; recording stopped", -err);
	}
	errno = saved;
}

static void cap_reached(void)
{
	size_t keep = lines_within(fl_out_pending(&out),
				   cap_at > fl_trace.written ? cap_at - fl_trace.written : 0);
	if (keep)
		put(keep);
	fl_trace.stopped = 1;
	out.len = out.cur = 0;
	fl_writer_note("stopped", cap_why, cap_at);
}

/* Past the cap only the totals and notes go out, whatever emitted lines in
 * the meantime (a tick that reached the cap halfway goes on adding
 * residency and maps lines): filters the complete pending lines in place. */
static void keep_totals(void)
{
	static const char *const keep[] = {
	    "{\"e\":\"" FL_EV_HEAP "\"", "{\"e\":\"" FL_EV_COUNTERS "\"",
	    "{\"e\":\"" FL_EV_EXIT "\"", "{\"e\":\"" FL_EV_NOTE "\""};
	size_t r = 0, w = 0, n = out.len, tail = out.cur - out.len;
	while (r < n) {
		const char *nl = memchr(out.buf + r, '\n', n - r);
		size_t len = nl ? (size_t)(nl - (out.buf + r)) + 1 : n - r;
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			if (len > strlen(keep[k]) &&
			    !memcmp(out.buf + r, keep[k], strlen(keep[k]))) {
				memmove(out.buf + w, out.buf + r, len);
				w += len;
				break;
			}
		}
		r += len;
	}
	memmove(out.buf + w, out.buf + n, tail);
	out.len = w;
	out.cur = w + tail;
}

/* The shim's warnings go into the trace, never onto the program's stderr. */
static void warnings(void)
{
	const char *what;
	int err;
	while (fl_log_take(&what, &err))
		fl_writer_note("warning", what, (uint64_t)err);
}

void fl_writer_write(int force)
{
	size_t n;
	/* A re-entry (signal handler) writes when its thread lets go. */
	if (nested || bypassing)
		return;
	take_side_lines(); /* a handler's, left by a holder that let go meanwhile */
	if (fl_sys_getpid() == fl_trace.pid)
		warnings();
	n = fl_out_pending(&out);
	/* Compressing is the ticker's work: a program thread does it only
	 * when half the buffer waits, rather than lose lines. */
	if (n == 0 || (!force && n < (fl_config.compress ? OUT_BYTES / 2 : FLUSH_AT)))
		return;
	/* A child made without our fork handlers (raw clone or fork syscall)
	 * still holds the parent's fd: never write there. */
	if (fl_sys_getpid() != fl_trace.pid) {
		fl_out_consume(&out, n);
		return;
	}
	if (check_fd() != 0) {
		/* No fd to be had now (EMFILE?): keep the lines for a later
		 * attempt while there is room, then drop and say so later. */
		if (n < OUT_BYTES / 2)
			return;
		lose(0, n);
		fl_out_consume(&out, n);
		return;
	}
	n = fl_out_pending(&out);
	if (!fl_trace.stopped) {
		const char *why = disk_guard(n);
		if (why)
			guard_stop(why);
	}
	n = fl_out_pending(&out);
	if (fl_trace.stopped && !fl_trace.write_failed)
		keep_totals();
	else if (cap_at && !fl_trace.stopped && fl_trace.written + n > cap_at)
		cap_reached();
	n = fl_out_pending(&out);
	if (fl_trace.written + n > fsize_limit)
		n = lines_within(n, fsize_limit > fl_trace.written ? fsize_limit - fl_trace.written
								   : 0);
	if (n && !fl_trace.write_failed)
		put(n);
	fl_out_consume(&out, fl_out_pending(&out));
}

void fl_writer_after_fork_child(void)
{
	/* The inherited fd is the parent's file: leave it to the parent. */
	if (fl_trace.fd >= 0)
		fl_sys_close_ours(fl_trace.fd);
	fl_trace.fd = -1;
	out.len = out.cur = 0;
	lost_errno = 0;
	lost_bytes = 0;
	/* The forking thread's lock, under its new tid. */
	__atomic_store_n(&lock_word, (uint32_t)fl_sys_gettid(), __ATOMIC_RELAXED);
	nested = 0;
	side.len = side.cur = 0;
	/* A thread that forked past a stalled holder took no lock: the child's
	 * trace is its own, with the lock really held (an empty trace else). */
	bypassing = 0;
	stalled = 0;
	stall_noted = 0;
}
