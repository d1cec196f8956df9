/*
 * The trace file and everything that formats into it. Lines are built in a
 * large preallocated buffer (fl_out) and written with write(2) once more
 * than FLUSH_AT bytes are pending, at every tick, fork, exec and exit: a
 * process killed with SIGKILL loses at most the last tick.
 */
#include "trace/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "record/evbuf.h"
#include "faultline/schema.h"
#include "base/log.h"
#include "probes/maps.h"
#include "probes/probes.h"
#include "record/sites.h"
#include "record/stacks.h"
#include "base/sys.h"
#include "record/thread.h"

#define OUT_BYTES (16u << 20)
#define FLUSH_AT (1u << 20)
/* The shim's own fd sits high, out of the way of programs that expect to
 * get fd 3 from their first open(). */
#define HIGH_FD 800

struct fl_trace fl_trace = {.fd = -1};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fl_out out;
static char *out_mem;

uint64_t fl_now(void)
{
	return fl_sys_now_ns() - fl_trace.start_mono;
}

uint64_t fl_seq_next(void)
{
	return __atomic_fetch_add(&fl_trace.seq, 1, __ATOMIC_RELAXED);
}

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

static int move_high(int fd)
{
	int hi = fl_sys_fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (hi < 0)
		return fd;
	fl_sys_close(fd);
	return hi;
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
			return move_high(fd);
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

static void header_parent(struct fl_out *o, const char *kind)
{
	/* FAULTLINE_PARENT = "<pid>:<kind>:<t>:<seq>" set by the creator. */
	const char *s = fl_config.parent;
	uint64_t v[4] = {0, 0, 0, 0};
	char k[32] = "none";
	int field = 0;
	size_t kl = 0;

	if (strcmp(kind, "link") != 0 || !s[0]) {
		fl_out_key(o, FL_K_PARENT);
		fl_out_obj_open(o);
		fl_out_u64(o, FL_K_PID, (uint64_t)fl_sys_getppid());
		fl_out_str(o, FL_K_KIND, kind);
		fl_out_obj_close(o);
		return;
	}
	for (; *s; s++) {
		if (*s == ':') {
			field++;
			continue;
		}
		if (field == 1) {
			if (kl + 1 < sizeof(k))
				k[kl++] = *s;
			k[kl] = '\0';
		} else if (field < 4 && *s >= '0' && *s <= '9') {
			v[field] = v[field] * 10 + (uint64_t)(*s - '0');
		}
	}
	fl_out_key(o, FL_K_PARENT);
	fl_out_obj_open(o);
	fl_out_u64(o, FL_K_PID, v[0]);
	fl_out_str(o, FL_K_KIND, k);
	fl_out_u64(o, FL_K_TIME, v[2]);
	fl_out_u64(o, FL_K_SEQ, v[3]);
	fl_out_obj_close(o);
}

static char cmdline[65536];

static void header_argv(struct fl_out *o)
{
	ssize_t n;
	fl_out_key(o, FL_K_ARGV);
	fl_out_arr_open(o);
	if (fl_config.no_argv) {
		fl_out_v_str(o, "<redacted>");
	} else if ((n = fl_sys_read_file("/proc/self/cmdline", cmdline, sizeof(cmdline))) > 0) {
		for (ssize_t i = 0; i < n;) {
			size_t l = strnlen(cmdline + i, (size_t)(n - i));
			fl_out_v_strn(o, cmdline + i, l);
			i += (ssize_t)l + 1;
		}
	}
	fl_out_arr_close(o);
}

static void header_options(struct fl_out *o)
{
	fl_out_key(o, FL_K_OPTIONS);
	fl_out_obj_open(o);
	fl_out_u64(o, "sample", fl_config.sample_bytes);
	fl_out_u64(o, "large", fl_config.large_bytes);
	fl_out_u64(o, "interval_ms", fl_config.interval_ms);
	fl_out_u64(o, "faults_period", fl_config.faults_period);
	fl_out_bool(o, "all", fl_config.all);
	fl_out_bool(o, "wss", fl_config.wss);
	fl_out_bool(o, "follow", fl_config.follow);
	fl_out_u64(o, "max_size", fl_config.max_size);
	fl_out_obj_close(o);
}

static void write_header(const char *parent_kind)
{
	char exe[FL_PATH_MAX];
	fl_out_begin(&out, FL_EV_HEADER, 0, UINT64_MAX);
	fl_out_u64(&out, FL_K_VERSION, FL_TRACE_VERSION);
	fl_out_u64(&out, FL_K_PID, (uint64_t)fl_trace.pid);
	fl_out_u64(&out, FL_K_PPID, (uint64_t)fl_sys_getppid());
	fl_out_u64(&out, FL_K_UID, (uint64_t)getuid());
	header_parent(&out, parent_kind);
	fl_sys_readlink("/proc/self/exe", exe, sizeof(exe));
	fl_out_str(&out, FL_K_EXE, exe);
	header_argv(&out);
	fl_out_u64(&out, FL_K_START_REALTIME, fl_trace.start_real);
	fl_out_u64(&out, FL_K_START_MONOTONIC, fl_trace.start_mono);
	fl_probes_header(&out);
	header_options(&out);
	fl_out_end(&out);
}

static void compute_cap(void);

int fl_writer_open(const char *parent_kind)
{
	if (!out_mem) {
		out_mem = fl_sys_alloc_pages(OUT_BYTES);
		if (!out_mem)
			return -1;
	}
	fl_out_init(&out, out_mem, OUT_BYTES);
	fl_trace.pid = fl_sys_getpid();
	fl_trace.start_mono = fl_sys_now_ns();
	fl_trace.start_real = fl_sys_realtime_ns();
	fl_trace.seq = 1;
	fl_trace.written = 0;
	fl_trace.stopped = 0;
	fl_trace.write_failed = 0;
	fl_trace.peak_live = 0;
	compute_cap();
	fl_trace.fd = create_file();
	if (fl_trace.fd < 0)
		return -1;
	fl_sys_fstat_ino(fl_trace.fd, &fl_trace.dev, &fl_trace.ino);
	write_header(parent_kind);
	fl_maps_emit(&out, "start", 1);
	fl_writer_write(1);
	return 0;
}

void fl_writer_note(const char *what, const char *why, uint64_t n)
{
	fl_out_begin(&out, FL_EV_NOTE, fl_now(), fl_seq_next());
	fl_out_str(&out, "what", what);
	fl_out_str(&out, FL_K_WHY, why);
	fl_out_u64(&out, "n", n);
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
	fd = move_high(fd);
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
	fl_out_str(&out, "what", "reopened");
	fl_out_str(&out, FL_K_WHY,
		   lost_errno ? "the trace fd was closed or replaced by the program "
				"and could not be reopened for a while"
			      : "the program closed or replaced the trace fd");
	fl_out_u64(&out, "n", (uint64_t)fd);
	if (lost_errno) {
		fl_out_u64(&out, "from_t", lost_t);
		fl_out_u64(&out, FL_K_ERRNO, (uint64_t)lost_errno);
		fl_out_u64(&out, "lost_bytes", lost_bytes);
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

void fl_writer_write(int force)
{
	size_t n = fl_out_pending(&out);
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

static const char *call_name(uint16_t fn)
{
	return fn < FL_CALL_COUNT ? fl_call_names[fn] : "?";
}

static void begin_event(const struct fl_event *ev, const char *name)
{
	fl_stacks_ensure(&out, ev->stack, ev->t, fl_seq_next);
	fl_out_begin(&out, name, ev->t, ev->seq);
	fl_out_u64(&out, FL_K_TID, ev->tid);
}

static void result_errno(const struct fl_event *ev, int hex_result)
{
	if (hex_result)
		fl_out_hex(&out, FL_K_RESULT, ev->a[6]);
	else
		fl_out_i64(&out, FL_K_RESULT, (int64_t)ev->a[6]);
	fl_out_u64(&out, FL_K_ERRNO, ev->a[7]);
	fl_out_u64(&out, FL_K_STACK, ev->stack);
}

static void format_event(const struct fl_event *ev, void *arg)
{
	(void)arg;
	if (fl_trace.stopped)
		return;
	switch (ev->kind) {
	case FL_EVK_ALLOC:
		begin_event(ev, FL_EV_ALLOC);
		fl_out_str(&out, FL_K_FUNC, call_name(ev->fn));
		fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[1]);
		fl_out_u64(&out, FL_K_WEIGHT, ev->a[2]);
		fl_out_u64(&out, FL_K_STACK, ev->stack);
		break;
	case FL_EVK_FREE:
		begin_event(ev, FL_EV_FREE);
		fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[1]);
		break;
	case FL_EVK_REALLOC:
		begin_event(ev, FL_EV_REALLOC);
		fl_out_str(&out, FL_K_FUNC, call_name(ev->fn));
		fl_out_hex(&out, FL_K_OLD_ADDR, ev->a[0]);
		fl_out_hex(&out, FL_K_ADDR, ev->a[1]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[2]);
		fl_out_u64(&out, FL_K_WEIGHT, ev->a[3]);
		fl_out_u64(&out, FL_K_OLD_SIZE, ev->a[4]);
		fl_out_u64(&out, FL_K_STACK, ev->stack);
		break;
	case FL_EVK_MMAP:
		begin_event(ev, FL_EV_MMAP);
		fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[1]);
		fl_out_u64(&out, FL_K_PROT, ev->a[2]);
		fl_out_u64(&out, FL_K_FLAGS, ev->a[3]);
		fl_out_i64(&out, FL_K_FD, (int64_t)(int)ev->a[4]);
		fl_out_u64(&out, FL_K_OFFSET, ev->a[5]);
		result_errno(ev, 1);
		if (ev->str_len)
			fl_out_strn(&out, FL_K_PATH, (const char *)(ev + 1),
				    strnlen((const char *)(ev + 1), ev->str_len));
		break;
	case FL_EVK_MUNMAP:
		begin_event(ev, FL_EV_MUNMAP);
		fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[1]);
		result_errno(ev, 0);
		break;
	case FL_EVK_MREMAP:
		begin_event(ev, FL_EV_MREMAP);
		fl_out_hex(&out, FL_K_OLD_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_OLD_SIZE, ev->a[1]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[2]);
		fl_out_u64(&out, FL_K_FLAGS, ev->a[3]);
		result_errno(ev, 1);
		break;
	case FL_EVK_MPROTECT:
	case FL_EVK_MADVISE:
		begin_event(ev, ev->kind == FL_EVK_MPROTECT ? FL_EV_MPROTECT : FL_EV_MADVISE);
		fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		fl_out_u64(&out, FL_K_SIZE, ev->a[1]);
		fl_out_u64(&out, ev->kind == FL_EVK_MPROTECT ? FL_K_PROT : FL_K_ADVICE, ev->a[2]);
		result_errno(ev, 0);
		break;
	case FL_EVK_BRK:
		begin_event(ev, FL_EV_BRK);
		fl_out_str(&out, FL_K_FUNC, call_name(ev->fn));
		if (ev->fn == FL_CALL_SBRK)
			fl_out_i64(&out, FL_K_SIZE, (int64_t)ev->a[0]);
		else
			fl_out_hex(&out, FL_K_ADDR, ev->a[0]);
		result_errno(ev, 1);
		break;
	default:
		return;
	}
	fl_out_end(&out);
	fl_writer_write(0);
}

void fl_writer_drain_thread(struct fl_thread *t)
{
	fl_evbuf_drain(&t->ring, format_event, NULL);
	fl_writer_write(0);
}

void fl_writer_drain_all(void)
{
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		int st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (st == FL_TS_FREE)
			continue;
		fl_evbuf_drain(&t->ring, format_event, NULL);
		if (t->dropped) {
			fl_writer_note("dropped", "event ring full", t->dropped);
			t->dropped = 0;
		}
		if (st == FL_TS_DEAD)
			fl_thread_retire(t);
	}
}

static void heap_line(void)
{
	uint64_t calls[FL_CALL_COUNT], bytes[FL_CALL_COUNT];
	int64_t live = __atomic_load_n(&fl_retired_live, __ATOMIC_RELAXED);

	for (int i = 0; i < FL_CALL_COUNT; i++) {
		calls[i] = __atomic_load_n(&fl_retired_calls[i], __ATOMIC_RELAXED);
		bytes[i] = __atomic_load_n(&fl_retired_bytes[i], __ATOMIC_RELAXED);
	}
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == FL_TS_FREE)
			continue;
		for (int i = 0; i < FL_CALL_COUNT; i++) {
			calls[i] += __atomic_load_n(&t->calls[i], __ATOMIC_RELAXED);
			bytes[i] += __atomic_load_n(&t->bytes[i], __ATOMIC_RELAXED);
		}
		live += (int64_t)__atomic_load_n(&t->live, __ATOMIC_RELAXED);
	}
	if (live < 0)
		live = 0;
	if ((uint64_t)live > fl_trace.peak_live)
		fl_trace.peak_live = (uint64_t)live;

	fl_out_begin(&out, FL_EV_HEAP, fl_now(), fl_seq_next());
	fl_out_key(&out, FL_K_CALLS);
	fl_out_obj_open(&out);
	for (int i = 0; i < FL_CALL_COUNT; i++)
		fl_out_u64(&out, fl_call_names[i], calls[i]);
	fl_out_obj_close(&out);
	fl_out_key(&out, FL_K_BYTES);
	fl_out_obj_open(&out);
	for (int i = 0; i < FL_CALL_COUNT; i++)
		if (bytes[i])
			fl_out_u64(&out, fl_call_names[i], bytes[i]);
	fl_out_obj_close(&out);
	fl_out_u64(&out, FL_K_LIVE, (uint64_t)live);
	fl_out_u64(&out, FL_K_PEAK, fl_trace.peak_live);
	fl_out_end(&out);
}

void fl_writer_tick(int final)
{
	fl_writer_lock();
	fl_writer_tick_locked(final);
	fl_writer_unlock();
}

void fl_writer_tick_locked(int final)
{
	int stopped;
	fl_writer_drain_all();
	/* Past the size cap only the totals go out, so the report can still
	 * say how the run ended. */
	stopped = fl_trace.stopped;
	if (!stopped || final) {
		heap_line();
		if (!stopped)
			fl_sites_emit(&out, fl_seq_next, fl_now());
		fl_probes_tick(&out, final);
		/* The probes may have flushed and reached the cap just now. */
		if (!fl_trace.stopped)
			fl_maps_emit(&out, "changed", 0);
	}
	fl_writer_write(1);
}

void fl_writer_exit_line(const char *how, int status, int sig, int core)
{
	struct rusage ru;
	fl_out_begin(&out, FL_EV_EXIT, fl_now(), fl_seq_next());
	fl_out_str(&out, FL_K_HOW, how);
	fl_out_i64(&out, FL_K_STATUS, status);
	fl_out_i64(&out, FL_K_SIGNAL, sig);
	if (sig)
		fl_out_bool(&out, FL_K_CORE, core);
	if (syscall(SYS_getrusage, RUSAGE_SELF, &ru) == 0) {
		fl_out_u64(&out, FL_K_RU_MINFLT, (uint64_t)ru.ru_minflt);
		fl_out_u64(&out, FL_K_RU_MAJFLT, (uint64_t)ru.ru_majflt);
		fl_out_u64(&out, "ru_utime_ns",
			   (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
			       (uint64_t)ru.ru_utime.tv_usec * 1000u);
		fl_out_u64(&out, "ru_stime_ns",
			   (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
			       (uint64_t)ru.ru_stime.tv_usec * 1000u);
		fl_out_u64(&out, "ru_maxrss_kb", (uint64_t)ru.ru_maxrss);
	}
	fl_out_end(&out);
	fl_writer_write(1);
}

void fl_writer_after_fork_child(void)
{
	/* The inherited fd is the parent's file: leave it to the parent. */
	if (fl_trace.fd >= 0)
		fl_sys_close(fl_trace.fd);
	fl_trace.fd = -1;
	out.len = out.cur = 0;
	lost_errno = 0;
	lost_bytes = 0;
	fl_stacks_forget_emitted();
	fl_maps_forget();
}

void fl_writer_fork_line(int64_t child, const char *kind, uint64_t t, uint64_t seq)
{
	if (fl_trace.stopped)
		return;
	fl_out_begin(&out, FL_EV_FORK, t, seq);
	fl_out_u64(&out, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_i64(&out, FL_K_CHILD, child);
	fl_out_str(&out, FL_K_KIND, kind);
	fl_out_end(&out);
	fl_writer_write(0);
}

void fl_writer_exec_line(const char *path, char *const *argv, int result, int err, uint64_t t,
			 uint64_t seq)
{
	if (fl_trace.stopped)
		return;
	fl_out_begin(&out, FL_EV_EXEC, t, seq);
	fl_out_u64(&out, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_str(&out, FL_K_PATH, path ? path : "");
	fl_out_key(&out, FL_K_ARGV);
	fl_out_arr_open(&out);
	if (fl_config.no_argv)
		fl_out_v_str(&out, "<redacted>");
	else
		for (int i = 0; argv && argv[i] && i < 4096; i++)
			fl_out_v_str(&out, argv[i]);
	fl_out_arr_close(&out);
	fl_out_i64(&out, FL_K_RESULT, result);
	fl_out_u64(&out, FL_K_ERRNO, (uint64_t)err);
	fl_out_end(&out);
}

void fl_writer_wait_line(int64_t child, int status)
{
	if (fl_trace.stopped)
		return;
	fl_out_begin(&out, FL_EV_WAIT, fl_now(), fl_seq_next());
	fl_out_u64(&out, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_i64(&out, FL_K_CHILD, child);
	if (WIFEXITED(status)) {
		fl_out_i64(&out, FL_K_STATUS, WEXITSTATUS(status));
		fl_out_i64(&out, FL_K_SIGNAL, 0);
	} else if (WIFSIGNALED(status)) {
		fl_out_i64(&out, FL_K_STATUS, -1);
		fl_out_i64(&out, FL_K_SIGNAL, WTERMSIG(status));
		fl_out_bool(&out, FL_K_CORE, WCOREDUMP(status) != 0);
	}
	fl_out_end(&out);
	fl_writer_write(0);
}
