/*
 * One slot per fd number below FL_IO_MAX_FD (higher fds are counted in
 * the last slot). The path is resolved at tick time from /proc/self/fd:
 * NEEDSWORK: close() is not hooked, so a number reused for another file
 * keeps accumulating under the new path.
 */
#include "iostat.h"

#include "faultline/schema.h"
#include "sys.h"
#include "writer.h"

static struct {
	uint64_t calls, bytes;
} slot[FL_IO_MAX_FD];
static uint64_t emitted[FL_IO_MAX_FD];
static int max_fd = -1;

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
	int top = __atomic_load_n(&max_fd, __ATOMIC_RELAXED), open_line = 0;
	char link[40] = "/proc/self/fd/", path[1024];
	for (int fd = 0; fd <= top; fd++) {
		uint64_t c = __atomic_load_n(&slot[fd].calls, __ATOMIC_RELAXED);
		size_t n = 14;
		ssize_t pl;
		if (c == emitted[fd])
			continue;
		emitted[fd] = c;
		if (!open_line) {
			fl_out_begin(o, FL_EV_IO, fl_now(), fl_seq_next());
			fl_out_key(o, FL_K_FDS);
			fl_out_arr_open(o);
			open_line = 1;
		}
		n += fl_fmt_u64(link + n, (uint64_t)fd);
		link[n] = '\0';
		pl = fl_sys_readlink(link, path, sizeof(path));
		fl_out_arr_open(o);
		fl_out_v_u64(o, (uint64_t)fd);
		fl_out_v_strn(o, path, pl > 0 ? (size_t)pl : 0);
		fl_out_v_u64(o, c);
		fl_out_v_u64(o, __atomic_load_n(&slot[fd].bytes, __ATOMIC_RELAXED));
		fl_out_arr_close(o);
	}
	if (open_line) {
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
	max_fd = -1;
}
