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
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/config.h"
#include "base/fmt.h"
#include "base/log.h"
#include "base/sys.h"
#include "faultline/schema.h"
#include "trace/clock.h"

#define OUT_BYTES (16u << 20)
#define FLUSH_AT (1u << 20)

struct fl_trace fl_trace = {.fd = -1};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fl_out out;
static char *out_mem;

void fl_writer_lock(void)
{
	pthread_mutex_lock(&lock);
}

int fl_writer_trylock(unsigned ms)
{
	for (unsigned i = 0; i <= ms; i++) {
		if (pthread_mutex_trylock(&lock) == 0)
			return 0;
		fl_sys_sleep_ns(1000000);
	}
	return -1;
}

void fl_writer_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

struct fl_out *fl_writer_out(void)
{
	return &out;
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
		memcpy(p + len, FL_TRACE_FILE_EXT, sizeof(FL_TRACE_FILE_EXT));
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

void fl_writer_note(const char *what, const char *why, uint64_t n)
{
	fl_out_begin(&out, FL_EV_NOTE, fl_now(), fl_seq_next());
	fl_out_str(&out, FL_K_WHAT, what);
	fl_out_str(&out, FL_K_WHY, why);
	fl_out_u64(&out, FL_K_N, n);
	fl_out_end(&out);
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

/* A failed write (disk full, quota, I/O error) stops the recording, and
 * says so once on stderr: a trace never just ends. */
static void put(size_t n)
{
	int saved = errno, err = fl_sys_write_all(fl_trace.fd, out.buf, n);
	if (err == 0) {
		fl_trace.written += n;
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
	if (fl_sys_getpid() == fl_trace.pid)
		warnings();
	n = fl_out_pending(&out);
	if (n == 0 || (!force && n < FLUSH_AT))
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
}
