/*
 * One slot per fd number below FL_IO_MAX_FD (higher fds are counted in
 * the last slot). The path is resolved at tick time from /proc/self/fd.
 * A file closed between ticks takes its counts and its path (read at
 * close) into the closed ring, written before the live slots at the next
 * tick, and its slot starts again from zero: a number reused for another
 * file does not carry the first file's reads over to the second.
 */
#include "probes/iostat.h"

#include "base/fmt.h"
#include "faultline/schema.h"
#include "base/sys.h"
#include "trace/clock.h"

static struct {
	uint64_t calls, bytes;
} slot[FL_IO_MAX_FD];
static uint64_t emitted[FL_IO_MAX_FD]; /* the emitter's own */
static int max_fd = -1;

/* Closed files not yet written. Slots are claimed by compare-and-swap on
 * head (close may run in any thread and in signal handlers), filled, then
 * marked ready; the emitter, under the writer lock, takes them in order. */
#define CLOSED_MAX 256
static struct closed {
	uint32_t ready;
	int32_t fd;
	uint64_t calls, bytes;
	char path[512];
	ssize_t path_len;
} closed[CLOSED_MAX];
static uint32_t closed_head, closed_tail;

static void path_of(int fd, char *path, size_t cap, ssize_t *len)
{
	char link[40] = "/proc/self/fd/";
	size_t n = 14;
	n += fl_fmt_u64(link + n, (uint64_t)fd);
	link[n] = '\0';
	*len = fl_sys_readlink(link, path, cap);
}

void fl_iostat_closing(int fd)
{
	uint64_t c, b;
	uint32_t h;
	struct closed *e;
	/* The last slot is shared by every high fd: nothing to hand over. */
	if (fd < 0 || fd >= FL_IO_MAX_FD - 1)
		return;
	c = __atomic_load_n(&slot[fd].calls, __ATOMIC_RELAXED);
	if (c == 0)
		return;
	b = __atomic_load_n(&slot[fd].bytes, __ATOMIC_RELAXED);
	do {
		h = __atomic_load_n(&closed_head, __ATOMIC_ACQUIRE);
		if (h - __atomic_load_n(&closed_tail, __ATOMIC_ACQUIRE) >= CLOSED_MAX)
			return; /* full until the next tick: the counts stay on the number */
	} while (!__atomic_compare_exchange_n(&closed_head, &h, h + 1, 0, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	e = &closed[h % CLOSED_MAX];
	e->fd = fd;
	e->calls = c;
	e->bytes = b;
	path_of(fd, e->path, sizeof(e->path), &e->path_len);
	/* What another thread reads on the fd meanwhile stays on the number. */
	__atomic_fetch_sub(&slot[fd].calls, c, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&slot[fd].bytes, b, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
}

static void row(struct fl_out *o, int fd, const char *path, ssize_t pl, uint64_t calls,
		uint64_t bytes)
{
	fl_out_arr_open(o);
	fl_out_v_u64(o, (uint64_t)fd);
	fl_out_v_strn(o, path, pl > 0 ? (size_t)pl : 0);
	fl_out_v_u64(o, calls);
	fl_out_v_u64(o, bytes);
	fl_out_arr_close(o);
}

static void open_line(struct fl_out *o, int *open)
{
	if (*open)
		return;
	fl_out_begin(o, FL_EV_IO, fl_now(), fl_seq_next());
	fl_out_key(o, FL_K_FDS);
	fl_out_arr_open(o);
	*open = 1;
}

void fl_iostat_count(int fd, ssize_t r)
{
	if (fd < 0)
		return;
	if (fd >= FL_IO_MAX_FD)
		fd = FL_IO_MAX_FD - 1;
	__atomic_fetch_add(&slot[fd].calls, 1, __ATOMIC_RELAXED);
	if (r > 0)
		__atomic_fetch_add(&slot[fd].bytes, (uint64_t)r, __ATOMIC_RELAXED);
	if (fd > __atomic_load_n(&max_fd, __ATOMIC_RELAXED))
		__atomic_store_n(&max_fd, fd, __ATOMIC_RELAXED);
}

void fl_iostat_emit(struct fl_out *o)
{
	int top = __atomic_load_n(&max_fd, __ATOMIC_RELAXED), in_line = 0;
	char path[1024];
	uint32_t t = __atomic_load_n(&closed_tail, __ATOMIC_ACQUIRE);
	/* Closed files first: their rows end their (fd, path) counts. */
	for (; t != __atomic_load_n(&closed_head, __ATOMIC_ACQUIRE); t++) {
		struct closed *e = &closed[t % CLOSED_MAX];
		if (!__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE))
			break; /* still being filled: next tick */
		open_line(o, &in_line);
		row(o, e->fd, e->path, e->path_len, e->calls, e->bytes);
		__atomic_store_n(&e->ready, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&closed_tail, t + 1, __ATOMIC_RELEASE);
		if (e->fd >= 0 && e->fd < FL_IO_MAX_FD)
			emitted[e->fd] = 0; /* the number starts again */
	}
	for (int fd = 0; fd <= top; fd++) {
		uint64_t c = __atomic_load_n(&slot[fd].calls, __ATOMIC_RELAXED);
		ssize_t pl;
		if (c == emitted[fd])
			continue;
		emitted[fd] = c;
		if (c == 0)
			continue; /* closed since, nothing read after */
		open_line(o, &in_line);
		path_of(fd, path, sizeof(path), &pl);
		row(o, fd, path, pl, c, __atomic_load_n(&slot[fd].bytes, __ATOMIC_RELAXED));
	}
	if (in_line) {
		fl_out_arr_close(o);
		fl_out_end(o);
	}
}

void fl_iostat_reset(void)
{
	for (int fd = 0; fd < FL_IO_MAX_FD; fd++) {
		slot[fd].calls = slot[fd].bytes = 0;
		emitted[fd] = 0;
	}
	for (int i = 0; i < CLOSED_MAX; i++)
		closed[i].ready = 0;
	closed_head = closed_tail = 0;
	max_fd = -1;
}
