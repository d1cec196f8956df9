/*
 * Why this shape (doc/kernel.md, 5): WP_ASYNC resolves write faults in the
 * kernel (no handler thread) and only marks the page written;
 * WP_UNPOPULATED also protects pages that do not exist yet, so first
 * touches are seen. Non-root needs UFFD_USER_MODE_ONLY. A range is armed
 * once with UFFDIO_WRITEPROTECT when registered (the first scan would
 * otherwise report every page as written).
 *
 * Tracking faults: every page the scan reports written cost one extra
 * fault that perf and getrusage count: a write to a present, protected page
 * faults once to unprotect it, and a first write to a page that was not
 * there faults twice (the demand fault, then the protection fault), as the
 * fault samples show on 6.18. So tracking faults = pages written.
 *
 * A mapping that appears between two windows is registered at the next
 * one; the pages it has by then were touched in this window and are
 * counted as written (read-only touches included: the one approximation).
 */
#include "probes/uffd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <string.h>

#include "faultline/schema.h"
#include "probes/pagemap.h"
#include "base/sys.h"
#include "trace/clock.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

#define MAX_TRACK 16384
#define VEC_LEN 1024

struct fl_probe_st fl_uffd_st;

struct trk {
	uint64_t start, end;
	int64_t written; /* this window */
};

static int ufd = -1;
static struct trk *trk;
static int ntrk;
static struct page_region *vec;
static uint64_t last_window_t, window_ns, tracking, tracking_window, written_window;

static int covered(uint64_t s);
static void sort_trk(void);

static int open_ctx(void)
{
	struct uffdio_api api;
	int fd = fl_sys_userfaultfd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd == -EINVAL)
		fd = fl_sys_userfaultfd(O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fd;
	fd = fl_sys_move_high(fd);
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED;
	if (fl_sys_ioctl(fd, UFFDIO_API, (unsigned long)&api) < 0) {
		fl_sys_close(fd);
		return -EOPNOTSUPP;
	}
	return fd;
}

void fl_uffd_open(void)
{
	int fd;
	if (!fl_pagemap_has_scan()) {
		fl_probe_set(&fl_uffd_st, 0, ENOTTY,
			     "write tracking needs PAGEMAP_SCAN (Linux 6.7+)");
		return;
	}
	if (!trk && !(trk = fl_sys_alloc_pages(MAX_TRACK * sizeof(*trk))))
		return;
	if (!vec && !(vec = fl_sys_alloc_pages(VEC_LEN * sizeof(*vec))))
		return;
	fd = open_ctx();
	if (fd < 0) {
		int err = -fd;
		fl_probe_set(
		    &fl_uffd_st, 0, err,
		    err == EPERM || err == EACCES
			? "userfaultfd not permitted (vm.unprivileged_userfaultfd, seccomp)"
		    : err == EOPNOTSUPP ? "userfaultfd lacks WP_ASYNC (needs Linux 6.7+)"
		    : err == ENOSYS	? "no userfaultfd in this kernel"
					: "userfaultfd failed");
		return;
	}
	ufd = fd;
	ntrk = 0;
	last_window_t = 0; /* the first window starts with the trace */
	fl_probe_set(&fl_uffd_st, 1, 0, NULL);
}

/* Counts pages in [s, e) matching the categories; with wp, re-protects the
 * written ones. -errno on failure. */
static int64_t scan_count(uint64_t s, uint64_t e, uint64_t cat, int wp)
{
	struct pm_scan_arg a;
	int64_t pages = 0;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = s;
	a.end = e;
	a.vec = (uintptr_t)vec;
	a.vec_len = VEC_LEN;
	a.category_mask = cat;
	a.return_mask = cat;
	if (wp)
		a.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC;
	for (;;) {
		long n = fl_sys_ioctl(fl_pagemap_fd(), PAGEMAP_SCAN, (unsigned long)&a);
		if (n < 0)
			return n;
		for (long i = 0; i < n; i++)
			pages += (int64_t)((vec[i].end - vec[i].start) / 4096);
		if (n < (long)a.vec_len)
			return pages; /* see pagemap.c: walk_end is not reliable */
		a.start = a.walk_end > vec[n - 1].end ? a.walk_end : vec[n - 1].end;
		if (a.start >= e)
			return pages;
	}
}

static int inside_candidate(const struct fl_vma *v, int n, uint64_t s, uint64_t e)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (v[mid].end <= s)
			lo = mid + 1;
		else if (v[mid].start > s)
			hi = mid - 1;
		else
			return e <= v[mid].end && fl_vma_is_private_anon_rw(&v[mid]);
	}
	return 0;
}

static void arm(uint64_t s, uint64_t e, int in_window)
{
	struct uffdio_register reg;
	struct uffdio_writeprotect wp;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = s;
	reg.range.len = e - s;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (fl_sys_ioctl(ufd, UFFDIO_REGISTER, (unsigned long)&reg) < 0)
		return;
	memset(&wp, 0, sizeof(wp));
	wp.range.start = s;
	wp.range.len = e - s;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	if (fl_sys_ioctl(ufd, UFFDIO_WRITEPROTECT, (unsigned long)&wp) < 0)
		return;
	if (ntrk < MAX_TRACK) {
		struct trk *t = &trk[ntrk++];
		t->start = s;
		t->end = e;
		t->written = 0;
		if (in_window) {
			int64_t present = scan_count(s, e, PAGE_IS_PRESENT, 0);
			t->written = present > 0 ? present : 0;
			written_window += (uint64_t)t->written;
		}
	}
}

static int covered(uint64_t s)
{
	for (int i = 0; i < ntrk; i++)
		if (trk[i].start <= s && s < trk[i].end)
			return 1;
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct trk *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void sort_trk(void)
{
	/* insertion sort: the list is nearly sorted after each window */
	for (int i = 1; i < ntrk; i++)
		for (int j = i; j > 0 && cmp_start(&trk[j - 1], &trk[j]) > 0; j--) {
			struct trk x = trk[j];
			trk[j] = trk[j - 1];
			trk[j - 1] = x;
		}
}

/* Registers what is not tracked yet: private anonymous VMAs minus the
 * shim's regions and the stack of the thread doing this (the ticker). */
static void arm_new(const struct fl_vma *v, int n, int in_window)
{
	uint64_t pc[FL_SYS_MAX_PIECES][2], here = (uint64_t)(uintptr_t)&pc;
	for (int i = 0; i < n; i++) {
		int np;
		if (!fl_vma_is_private_anon_rw(&v[i]) || (v[i].start <= here && here < v[i].end))
			continue;
		np = fl_vma_pieces(&v[i], pc, FL_SYS_MAX_PIECES);
		for (int k = 0; k < np; k++)
			if (!covered(pc[k][0]))
				arm(pc[k][0], pc[k][1], in_window);
	}
	sort_trk();
}

void fl_uffd_arm(const struct fl_vma *v, int n)
{
	if (ufd >= 0)
		arm_new(v, n, 0);
}

void fl_uffd_window(const struct fl_vma *v, int n)
{
	uint64_t now = fl_now();
	int k = 0;
	if (ufd < 0)
		return;
	window_ns = now > last_window_t ? now - last_window_t : now;
	last_window_t = now;
	written_window = tracking_window = 0;
	for (int i = 0; i < ntrk; i++) {
		struct trk t = trk[i];
		int64_t w;
		if (!inside_candidate(v, n, t.start, t.end))
			continue;
		w = scan_count(t.start, t.end, PAGE_IS_WRITTEN, 1);
		if (w < 0)
			continue; /* unmapped and replaced: registered again below */
		t.written = w;
		tracking_window += (uint64_t)w;
		written_window += (uint64_t)w;
		trk[k++] = t;
	}
	ntrk = k;
	tracking += tracking_window;
	arm_new(v, n, 1);
}

int64_t fl_uffd_written(uint64_t start, uint64_t end)
{
	int64_t sum = 0;
	int any = 0;
	if (ufd < 0)
		return -1;
	for (int i = 0; i < ntrk; i++)
		if (trk[i].start >= start && trk[i].end <= end) {
			sum += trk[i].written;
			any = 1;
		}
	return any ? sum : -1;
}

uint64_t fl_uffd_tracking_faults(void)
{
	return tracking;
}

void fl_uffd_emit(struct fl_out *o)
{
	if (ufd < 0)
		return;
	fl_out_begin(o, FL_EV_WSS, fl_now(), fl_seq_next());
	fl_out_str(o, FL_K_METHOD, "uffd_wp");
	fl_out_u64(o, FL_K_WINDOW_NS, window_ns);
	fl_out_u64(o, FL_K_WRITTEN, written_window);
	fl_out_u64(o, FL_K_TRACKING_FAULTS, tracking_window);
	fl_out_key(o, FL_K_REGIONS);
	fl_out_arr_open(o);
	for (int i = 0; i < ntrk; i++) {
		if (!trk[i].written)
			continue;
		fl_out_arr_open(o);
		fl_out_v_hex(o, trk[i].start);
		fl_out_v_hex(o, trk[i].end);
		fl_out_v_i64(o, trk[i].written);
		fl_out_arr_close(o);
	}
	fl_out_arr_close(o);
	fl_out_end(o);
}

void fl_uffd_reopen(void)
{
	if (ufd >= 0)
		fl_sys_close_ours(ufd);
	ufd = -1;
	ntrk = 0;
	if (fl_uffd_st.ok)
		fl_uffd_open();
}

void fl_uffd_close(void)
{
	if (ufd >= 0)
		fl_sys_close_ours(ufd);
	ufd = -1;
}
