/*
 * pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst): 63 present,
 * 62 swapped, 61 file page or shared anonymous, 56 exclusively mapped, 0-54
 * PFN (zero without CAP_SYS_ADMIN). COW-shared after fork = anonymous +
 * present + not exclusive; that works without privilege (doc/kernel.md, 4).
 */
#include "probes/pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "base/config.h"
#include "faultline/schema.h"
#include "base/sys.h"
#include "probes/buildid.h"
#include "trace/clock.h"

#define VEC_LEN 4096
#define ENT_LEN 8192
#define ROWS_PER_LINE 2000
/* VMAs per residency walk (MAX_ROWS, or fewer under an address-space limit:
 * base/sys.h), with SMAPS_PER_ROW bytes of smaps text for each, in this
 * probe's part of the shim's budget (a sixteenth). A process has at most
 * vm.max_map_count VMAs (65530 by default); past max_rows the rest of a
 * walk is left out. */
#define MAX_ROWS 65536
#define SMAPS_PER_ROW 512
#define MIN_ROWS 1024
#define BUDGET_DIVISOR 16

#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)
#define PM_EXCLUSIVE (1ull << 56)
#define PM_PFN ((1ull << 55) - 1)

struct fl_probe_st fl_pagemap_st, fl_pagemap_pfn_st, fl_pagemap_scan_st, fl_accessed_st;

enum { C_PRESENT, C_SWAPPED, C_FILE, C_EXCL, C_SHARED, C_HUGE, C_WRITTEN, C_REF, C_MOVED, NC };

struct row {
	uint64_t start, end;
	int64_t c[NC];
};

static int pm_fd = -1;
static int has_scan;
/* Anonymous pages can be shared (not exclusive) only after a fork (or
 * KSM, which the program must ask for); until then the pagemap entries
 * need not be read, which keeps the tick cheap for big address spaces. */
static int forked;
static struct page_region *vec;
static uint64_t *ents;
static int max_rows;
static size_t smaps_bytes;
static struct row *rows[2];
static int nrows[2], cur;
/* Referenced per VMA from smaps, where the accessed bit works. */
static char *smaps;
static struct ref {
	uint64_t start;
	int64_t pages;
} * refs;
static int nrefs;
static volatile char probe_page[2 * 4096] __attribute__((aligned(4096)));

/*
 * Frames (PFNs, privileged only) of the pages shared at the last fork, so a
 * later tick can count the pages this process copied since: a copy-on-write
 * gives the writer a new frame, while the other side keeps the old one and
 * only becomes exclusive, so the exclusive bit alone cannot say who copied.
 * Filled by the fork snapshot, in address order (the walk's order), and
 * merged against each later walk. Past MAX_FORK_PAGES the count is unknown.
 */
#define MAX_FORK_PAGES (4u << 20) /* 16 GiB of shared pages */
static struct fork_page {
	uint64_t va, pfn;
} * fork_pages;
static size_t max_fork_pages, nfork_pages, fork_cur;
static enum { PFN_OFF, PFN_CAPTURE, PFN_COMPARE } pfn_mode;
static int pfn_overflow;
/* The capture was taken in the fork's prepare handler: every present
 * private anonymous page (all exclusive then), so that pages either side
 * copies between the fork and its first snapshot are counted. */
static int pfn_prepared;

/* The frames' table. A process cannot have more pages than its RLIMIT_AS
 * allows: under a limit a sixteenth of the shim's budget (itself at least a
 * sixteenth of the limit) holds them all. */
static void map_fork_pages(void)
{
	max_fork_pages =
	    fl_sys_budget_part(MAX_FORK_PAGES * sizeof(*fork_pages), 16) / sizeof(*fork_pages);
	fork_pages = fl_sys_alloc_pages(max_fork_pages * sizeof(*fork_pages));
}

/* One present private anonymous page at va, entry x, during a walk. */
static void pfn_page(uint64_t va, uint64_t x, struct row *r)
{
	if (pfn_mode == PFN_CAPTURE) {
		if ((x & PM_EXCLUSIVE) && !pfn_prepared)
			return;
		if (nfork_pages < max_fork_pages)
			fork_pages[nfork_pages++] = (struct fork_page){va, x & PM_PFN};
		else
			pfn_overflow = 1;
		return;
	}
	while (fork_cur < nfork_pages && fork_pages[fork_cur].va < va)
		fork_cur++;
	if (fork_cur >= nfork_pages || fork_pages[fork_cur].va != va ||
	    fork_pages[fork_cur].pfn == (x & PM_PFN))
		return;
	/* A copy is this process's alone. A new frame still mapped by both
	 * sides was moved by the kernel (compaction migrates shared pages
	 * too: t3013 once counted 880 pages more than the thread's copy
	 * faults): follow the frame, so that the other side's later copy of
	 * the page is not taken for this side's. */
	if (x & PM_EXCLUSIVE)
		r->c[C_MOVED]++;
	else
		fork_pages[fork_cur].pfn = x & PM_PFN;
}

int fl_pagemap_fd(void)
{
	return pm_fd;
}

int fl_pagemap_has_scan(void)
{
	return has_scan;
}

static int open_high(const char *path, int flags)
{
	int fd = fl_sys_open(path, flags | O_CLOEXEC, 0);
	return fd < 0 ? -1 : fl_sys_move_high(fd);
}

static long scan(struct pm_scan_arg *a)
{
	return fl_sys_ioctl(pm_fd, PAGEMAP_SCAN, (unsigned long)a);
}

static void test_pfn_and_scan(void)
{
	uint64_t ent = 0, va = (uint64_t)(uintptr_t)probe_page;
	struct pm_scan_arg a;
	long r;
	probe_page[0] = 1;
	if (fl_sys_pread_e(pm_fd, &ent, 8, (off_t)(va / 4096 * 8)) == 8 && (ent & PM_PRESENT) &&
	    (ent & PM_PFN))
		fl_probe_set(&fl_pagemap_pfn_st, 1, 0, NULL);
	else
		fl_probe_set(&fl_pagemap_pfn_st, 0, EPERM,
			     "PFNs hidden: reading them needs CAP_SYS_ADMIN");
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = va;
	a.end = va + 4096;
	a.vec = (uintptr_t)vec;
	a.vec_len = 1;
	a.return_mask = PAGE_IS_PRESENT;
	r = scan(&a);
	if (r == 1 && (vec[0].categories & PAGE_IS_PRESENT)) {
		has_scan = 1;
		fl_probe_set(&fl_pagemap_scan_st, 1, 0, NULL);
	} else {
		fl_probe_set(&fl_pagemap_scan_st, 0, r < 0 ? (int)-r : 0,
			     "no PAGEMAP_SCAN (needs Linux 6.7): reading pagemap entries instead");
	}
}

/*
 * clear_refs, read N mapped pages, expect smaps to say N pages Referenced.
 * The pages are written first, so that they are mapped before clear_refs
 * and only the hardware can mark the reads; and they sit between two
 * PROT_NONE guard pages, so that their VMA cannot merge with another
 * mapping (pages faulted in after the clear are young whatever the hardware
 * does: the smaps buffer's once counted as reads on a process with many
 * mappings). Exactly N, no fewer, no more.
 *
 * smaps is read only up to the test's own VMA, through a small buffer on
 * the stack: the mappings above it (every library) are not walked, and no
 * buffer page faults in. The scratch mapping is not the shim's table
 * memory (fl_sys_alloc_pages): it is gone again after the test.
 */
#define TEST_PAGES 64

/* The next line of smaps, or NULL at the end. A line longer than the
 * buffer (a long path) is skipped whole: neither a VMA's first line nor a
 * Referenced line is that long. */
struct line_reader {
	int fd, skipping;
	size_t at, len;
	char buf[4096];
};

static const char *next_line(struct line_reader *lr)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->at, '\n', lr->len - lr->at);
		ssize_t n;
		if (nl) {
			const char *line = lr->buf + lr->at;
			int skipped = lr->skipping;
			*nl = '\0';
			lr->at = (size_t)(nl - lr->buf) + 1;
			lr->skipping = 0;
			if (!skipped)
				return line;
			continue;
		}
		if (lr->at == 0 && lr->len == sizeof(lr->buf)) {
			lr->len = 0; /* no end of line in a full buffer */
			lr->skipping = 1;
		}
		memmove(lr->buf, lr->buf + lr->at, lr->len - lr->at);
		lr->len -= lr->at;
		lr->at = 0;
		n = fl_sys_read(lr->fd, lr->buf + lr->len, sizeof(lr->buf) - lr->len);
		if (n <= 0)
			return NULL;
		lr->len += (size_t)n;
	}
}

static int parse_hex(const char *p, const char *end, uint64_t *v)
{
	*v = 0;
	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9')
			*v = *v * 16 + (uint64_t)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			*v = *v * 16 + (uint64_t)(*p - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/* Pages smaps counts Referenced in the VMA that starts at start, -1 if
 * not found. */
static int64_t referenced_at(uint64_t start)
{
	struct line_reader lr = {.fd = -1};
	const char *line;
	int64_t got = -1;
	int in_vma = 0;
	lr.fd = fl_sys_open("/proc/self/smaps", O_RDONLY | O_CLOEXEC, 0);
	if (lr.fd < 0)
		return -1;
	while ((line = next_line(&lr))) {
		const char *dash = strchr(line, '-'), *space = strchr(line, ' ');
		uint64_t v;
		if (dash && (!space || dash < space) && parse_hex(line, dash, &v) == 0) {
			if (in_vma || v > start)
				break; /* past it */
			in_vma = v == start;
		} else if (in_vma && strncmp(line, "Referenced:", 11) == 0) {
			uint64_t kb = 0;
			for (const char *q = line + 11; *q; q++)
				if (*q >= '0' && *q <= '9')
					kb = kb * 10 + (uint64_t)(*q - '0');
			got = (int64_t)(kb / 4);
			break;
		}
	}
	fl_sys_close(lr.fd);
	return got;
}

static void test_accessed(void)
{
	volatile char *area, *p;
	const size_t len = (TEST_PAGES + 2) * 4096;
	int64_t got;
	area =
	    fl_sys_mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED) {
		fl_probe_set(&fl_accessed_st, 0, ENOMEM, "no memory for the self-test");
		return;
	}
	p = area + 4096;
	if (fl_sys_mprotect((void *)p, TEST_PAGES * 4096, PROT_READ | PROT_WRITE) != 0) {
		fl_probe_set(&fl_accessed_st, 0, ENOMEM, "cannot guard the self-test's pages");
		goto out;
	}
	for (int i = 0; i < TEST_PAGES; i++)
		p[i * 4096] = 1;
	if (fl_sys_write_file("/proc/self/clear_refs", "1") != 0) {
		fl_probe_set(&fl_accessed_st, 0, EACCES, "cannot write /proc/self/clear_refs");
		goto out;
	}
	for (int i = 0; i < TEST_PAGES; i++)
		(void)p[i * 4096];
	got = referenced_at((uint64_t)(uintptr_t)p);
	if (got == TEST_PAGES)
		fl_probe_set(&fl_accessed_st, 1, 0, NULL);
	else
		fl_probe_set(&fl_accessed_st, 0, 0,
			     "accessed bits unavailable: self-test read 64 mapped pages after "
			     "clear_refs, smaps saw another count referenced (shadow-paged VM?)");
out:
	fl_sys_munmap((void *)area, len);
}

/* The buffers of the per-tick Referenced figures. */
static void map_smaps_buffers(void)
{
	if (!fl_accessed_st.ok)
		return;
	if (!(smaps = fl_sys_alloc_pages(smaps_bytes)) ||
	    !(refs = fl_sys_alloc_pages((size_t)max_rows * sizeof(*refs))))
		fl_probe_set(&fl_accessed_st, 0, ENOMEM, "no memory for the smaps buffer");
}

void fl_pagemap_open(void)
{
	const size_t per_row = 2 * sizeof(struct row) + sizeof(*refs) + SMAPS_PER_ROW;
	size_t part = fl_sys_budget_part(MAX_ROWS * per_row, BUDGET_DIVISOR);
	for (max_rows = MAX_ROWS; max_rows > MIN_ROWS && max_rows * per_row > part;)
		max_rows /= 2;
	smaps_bytes = (size_t)max_rows * SMAPS_PER_ROW;
	vec = fl_sys_alloc_pages(VEC_LEN * sizeof(*vec));
	ents = fl_sys_alloc_pages(ENT_LEN * sizeof(*ents));
	rows[0] = fl_sys_alloc_pages((size_t)max_rows * sizeof(struct row));
	rows[1] = fl_sys_alloc_pages((size_t)max_rows * sizeof(struct row));
	if (!vec || !ents || !rows[0] || !rows[1]) {
		fl_probe_set(&fl_pagemap_st, 0, ENOMEM, "no memory for the pagemap buffers");
		return;
	}
	pm_fd = open_high("/proc/self/pagemap", O_RDONLY);
	if (pm_fd < 0) {
		fl_probe_set(&fl_pagemap_st, 0, EACCES, "cannot open /proc/self/pagemap");
		fl_probe_set(&fl_pagemap_pfn_st, 0, EACCES, "no pagemap");
		fl_probe_set(&fl_pagemap_scan_st, 0, EACCES, "no pagemap");
		return;
	}
	fl_probe_set(&fl_pagemap_st, 1, 0, NULL);
	test_pfn_and_scan();
	/* Only --wss reads the accessed bit: without it the self-test's 64
	 * page faults, its clear_refs of the whole address space and its
	 * smaps read were a third of the faults the shim added to a short
	 * process, for a result nothing used. */
	if (!fl_config.wss) {
		fl_probe_set(&fl_accessed_st, 0, 0,
			     "not tested: only --wss reads the accessed bit (FAULTLINE_WSS=1)");
		return;
	}
	test_accessed();
	map_smaps_buffers();
}

void fl_pagemap_forked(void)
{
	forked = 1;
	if (pfn_prepared) {
		pfn_prepared = 0; /* the prepare handler's capture is this fork's */
		return;
	}
	if (!fl_pagemap_pfn_st.ok || pm_fd < 0)
		return;
	if (!fork_pages)
		map_fork_pages();
	pfn_mode = fork_pages ? PFN_CAPTURE : PFN_OFF;
}

void fl_pagemap_reopen(void)
{
	if (pm_fd >= 0)
		fl_sys_close_ours(pm_fd);
	pm_fd = fl_pagemap_st.ok ? open_high("/proc/self/pagemap", O_RDONLY) : -1;
	nrows[0] = nrows[1] = 0;
}

void fl_pagemap_close(void)
{
	if (pm_fd >= 0)
		fl_sys_close_ours(pm_fd);
	pm_fd = -1;
}

/* Entries of [s, e): counts present pages by exclusivity (anon ranges) or,
 * for the fallback, everything. */
static void read_entries(uint64_t s, uint64_t e, struct row *r, int all)
{
	for (uint64_t va = s; va < e;) {
		size_t n = (size_t)((e - va) / 4096);
		ssize_t got;
		if (n > ENT_LEN)
			n = ENT_LEN;
		got = fl_sys_fd_ours(pm_fd)
			  ? fl_sys_pread_e(pm_fd, ents, n * 8, (off_t)(va / 4096 * 8))
			  : -EBADF;
		if (got <= 0)
			return;
		n = (size_t)got / 8;
		for (size_t i = 0; i < n; i++) {
			uint64_t x = ents[i];
			if (all && (x & PM_SWAPPED))
				r->c[C_SWAPPED]++;
			if (!(x & PM_PRESENT))
				continue;
			if (all) {
				r->c[C_PRESENT]++;
				if (x & PM_FILE) {
					r->c[C_FILE]++;
					continue;
				}
			}
			r->c[(x & PM_EXCLUSIVE) ? C_EXCL : C_SHARED]++;
			if (pfn_mode != PFN_OFF)
				pfn_page(va + i * 4096, x, r);
		}
		va += n * 4096;
	}
}

/* The pages of one scan range [s, e) with these categories, into r. */
static void add_range(uint64_t s, uint64_t e, uint64_t cat, struct row *r)
{
	int64_t pages = (int64_t)((e - s) / 4096);
	if (cat & PAGE_IS_SWAPPED)
		r->c[C_SWAPPED] += pages;
	if (!(cat & PAGE_IS_PRESENT))
		return;
	r->c[C_PRESENT] += pages;
	if (cat & PAGE_IS_HUGE)
		r->c[C_HUGE] += pages;
	if (cat & PAGE_IS_FILE)
		r->c[C_FILE] += pages;
	else if (forked)
		read_entries(s, e, r, 0);
	else
		r->c[C_EXCL] += pages;
}

/* One PAGEMAP_SCAN from start to end into vec; returns the ranges, and in
 * *next where the next call goes on, or end once the walk is complete. */
static long scan_from(uint64_t start, uint64_t end, uint64_t *next)
{
	struct pm_scan_arg a;
	long n;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.start = start;
	a.end = end;
	a.vec = (uintptr_t)vec;
	a.vec_len = VEC_LEN;
	a.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
	a.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE | PAGE_IS_HUGE;
	n = scan(&a);
	/* Only a full vector means more to come (walk_end may stop short of
	 * the end after a complete walk: seen on 6.18). */
	if (n < (long)VEC_LEN)
		*next = end;
	else
		*next = a.walk_end > vec[n - 1].end ? a.walk_end : vec[n - 1].end;
	return n;
}

static void scan_piece(uint64_t s, uint64_t e, struct row *r)
{
	uint64_t at = s;
	while (at < e) {
		long n = scan_from(at, e, &at);
		if (n < 0)
			return;
		for (long i = 0; i < n; i++)
			add_range(vec[i].start, vec[i].end, vec[i].categories, r);
	}
}

/*
 * A residency walk asks for the VMAs' pieces in address order. One scan of
 * the whole walk, cut at the pieces' bounds, answers them all: one ioctl
 * (and its pair of getrusage calls) for a small process instead of one a
 * VMA (~45 for malloc_bench). The ranges of pages no piece asks for (the
 * shim's own) are passed over.
 */
static struct {
	int on, started;
	uint64_t next, end; /* the kernel's walk goes on at next, up to end */
	long n, i;	    /* ranges in vec, the first one not used up */
} walk;

static void walk_begin(uint64_t end)
{
	memset(&walk, 0, sizeof(walk));
	walk.on = has_scan;
	walk.end = end;
}

static void walk_piece(uint64_t s, uint64_t e, struct row *r)
{
	uint64_t from;
	if (!walk.started) {
		walk.started = 1;
		walk.next = s;
	}
	for (;;) {
		for (; walk.i < walk.n; walk.i++) {
			const struct page_region *g = &vec[walk.i];
			if (g->end <= s)
				continue;
			if (g->start >= e)
				return;
			add_range(g->start > s ? g->start : s, g->end < e ? g->end : e,
				  g->categories, r);
			if (g->end > e)
				return; /* the rest is the next piece's */
		}
		if (walk.next >= e || walk.next >= walk.end)
			return;
		from = walk.next;
		walk.n = scan_from(from, walk.end, &walk.next);
		walk.i = 0;
		if (walk.n < 0) {
			walk.n = 0;
			walk.on = 0; /* a piece at a time from here, as before */
			scan_piece(from > s ? from : s, e, r);
			return;
		}
	}
}

/* Present pages of [s, e) into r: PAGEMAP_SCAN's ranges, or every entry. */
static void count_range(uint64_t s, uint64_t e, struct row *r)
{
	if (walk.on)
		walk_piece(s, e, r);
	else if (has_scan)
		scan_piece(s, e, r);
	else
		read_entries(s, e, r, 1);
}

/*
 * The shim's own image, from its ELF header to the end of its .bss (both
 * linker-defined, bound here, not to the program's): its writable data and
 * .bss are private pages of faultline's, never the program's. The .bss VMA
 * may run on into an anonymous mapping after it (merged): only the part
 * past the image is the program's.
 */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));

static uint64_t image_lo(void)
{
	return (uint64_t)(uintptr_t)__ehdr_start & ~4095ull;
}

static uint64_t image_hi(void)
{
	return ((uint64_t)(uintptr_t)_end + 4095) & ~4095ull;
}

static int in_own_image(const struct fl_vma *v)
{
	return v->start >= image_lo() && v->end <= image_hi();
}

static void count_vma(const struct fl_vma *v, struct row *r)
{
	uint64_t pc[FL_SYS_MAX_PIECES][2], lo = image_lo(), hi = image_hi();
	int n = fl_vma_pieces(v, pc, FL_SYS_MAX_PIECES);
	for (int i = 0; i < n; i++) {
		if (pc[i][0] < lo)
			count_range(pc[i][0], pc[i][1] < lo ? pc[i][1] : lo, r);
		if (pc[i][1] > hi)
			count_range(pc[i][0] > hi ? pc[i][0] : hi, pc[i][1], r);
	}
}

static int64_t smaps_referenced(uint64_t start)
{
	int lo = 0, hi = nrefs - 1;
	if (start == (uint64_t)-1 || nrefs == 0) {
		ssize_t n = fl_sys_read_file("/proc/self/smaps", smaps, smaps_bytes);
		const char *p = smaps;
		nrefs = 0;
		if (n <= 0)
			return -1;
		while (*p && nrefs < max_rows) {
			const char *eol = strchr(p, '\n');
			uint64_t v = 0;
			if (!eol)
				break;
			if (strncmp(p, "Referenced:", 11) == 0 && nrefs > 0) {
				for (const char *q = p + 11; q < eol; q++)
					if (*q >= '0' && *q <= '9')
						v = v * 10 + (uint64_t)(*q - '0');
				refs[nrefs - 1].pages = (int64_t)(v / 4);
			} else if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
				const char *dash = memchr(p, '-', (size_t)(eol - p));
				if (dash && !memchr(p, ' ', (size_t)(dash - p))) {
					for (const char *q = p; q < dash; q++)
						v = v * 16 + (uint64_t)(*q <= '9' ? *q - '0'
										  : *q - 'a' + 10);
					refs[nrefs].start = v;
					refs[nrefs++].pages = -1;
				}
			}
			p = eol + 1;
		}
		if (start == (uint64_t)-1)
			return 0;
		hi = nrefs - 1;
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (refs[mid].start == start)
			return refs[mid].pages;
		if (refs[mid].start < start)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static const struct row *find_prev(const struct row *prev, int n, uint64_t start)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (prev[mid].start == start)
			return &prev[mid];
		if (prev[mid].start < start)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static void begin_line(struct fl_out *o, const char *why, int nvmas, uint64_t t, uint64_t seq)
{
	fl_out_begin(o, FL_EV_RESIDENCY, t, seq);
	fl_out_str(o, FL_K_WHY, why);
	fl_out_str(o, FL_K_METHOD, has_scan ? "pagemap_scan" : "pagemap");
	fl_out_u64(o, FL_K_NVMAS, (uint64_t)nvmas);
	fl_out_key(o, FL_K_REGIONS);
	fl_out_arr_open(o);
}

static void end_line(struct fl_out *o)
{
	fl_out_arr_close(o);
	fl_out_end(o);
}

/* The end of the last VMA in user space ([vsyscall] sits in the kernel's
 * half, where PAGEMAP_SCAN refuses to go). */
static uint64_t user_end(const struct fl_vma *v, int n)
{
	while (n > 0 && v[n - 1].start >= 1ull << 63)
		n--;
	return n > 0 ? v[n - 1].end : 0;
}

void fl_pagemap_residency(struct fl_out *o, const struct fl_vma *v, int n, const char *why, int all,
			  fl_written_fn written)
{
	struct row *now = rows[cur ^ 1], *prev = rows[cur];
	int np = nrows[cur], k = 0, in_line = 0;
	uint64_t t = fl_now();
	int use_ref = fl_accessed_st.ok && fl_config.wss;
	if (pm_fd < 0 || !now)
		return;
	if (use_ref)
		smaps_referenced((uint64_t)-1);
	if (pfn_mode == PFN_CAPTURE) {
		nfork_pages = 0;
		pfn_overflow = 0;
	}
	fork_cur = 0;
	walk_begin(user_end(v, n));
	for (int i = 0; i < n && k < max_rows; i++) {
		struct row *r = &now[k];
		const struct row *p;
		if (fl_vma_is_shim(&v[i]) || in_own_image(&v[i]) ||
		    memcmp(v[i].perms, "---", 3) == 0)
			continue;
		memset(r, 0, sizeof(*r));
		r->start = v[i].start;
		r->end = v[i].end;
		if (!has_scan)
			r->c[C_HUGE] = -1;
		if (pfn_mode == PFN_OFF)
			r->c[C_MOVED] = -1;
		count_vma(&v[i], r);
		r->c[C_WRITTEN] = written ? written(r->start, r->end) : -1;
		/* uffd-wp markers on unpopulated pages look like swap entries */
		if (r->c[C_WRITTEN] >= 0)
			r->c[C_SWAPPED] = -1;
		r->c[C_REF] = use_ref ? smaps_referenced(r->start) : -1;
		k++;
		p = find_prev(prev, np, r->start);
		if (!all && p && p->end == r->end && memcmp(p->c, r->c, sizeof(r->c)) == 0)
			continue;
		if (!in_line)
			begin_line(o, why, n, t, fl_seq_next());
		in_line++;
		fl_out_arr_open(o);
		fl_out_v_hex(o, r->start);
		fl_out_v_hex(o, r->end);
		for (int c = 0; c < NC; c++)
			fl_out_v_i64(o, r->c[c]);
		fl_out_arr_close(o);
		if (in_line == ROWS_PER_LINE) {
			end_line(o);
			in_line = 0;
		}
	}
	walk.on = 0;
	if (in_line)
		end_line(o);
	if (use_ref)
		fl_sys_write_file("/proc/self/clear_refs", "1");
	if (pfn_mode == PFN_CAPTURE)
		pfn_mode = pfn_overflow ? PFN_OFF : PFN_COMPARE;
	nrows[cur ^ 1] = k;
	cur ^= 1;
}

/* The shim's regions in address order, each run of adjacent ones as one
 * range (they are mapped one below the other): one scan a run, not one a
 * region. Up to OWN_SORTED regions (a program with thousands of threads
 * has ~60); fl_pagemap_own() scans any beyond them one by one. Static:
 * the counters line that calls it runs under the tick lock. */
#define OWN_SORTED 256
static uintptr_t own_buf[OWN_SORTED][2];

static int own_ranges(int n)
{
	int k = 0;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && own_buf[j][0] < own_buf[j - 1][0]; j--) {
			uintptr_t t0 = own_buf[j][0], t1 = own_buf[j][1];
			own_buf[j][0] = own_buf[j - 1][0];
			own_buf[j][1] = own_buf[j - 1][1];
			own_buf[j - 1][0] = t0;
			own_buf[j - 1][1] = t1;
		}
	for (int i = 0; i < n; i++) {
		if (k > 0 && own_buf[i][0] == own_buf[k - 1][1]) {
			own_buf[k - 1][1] = own_buf[i][1];
			continue;
		}
		own_buf[k][0] = own_buf[i][0];
		own_buf[k++][1] = own_buf[i][1];
	}
	return k;
}

void fl_pagemap_own(int64_t *resident, int64_t *private)
{
	int n = fl_sys_region_count(), m = 0, saved_mode = pfn_mode;
	struct row r;
	*resident = *private = -1;
	if (pm_fd < 0 || !vec)
		return;
	memset(&r, 0, sizeof(r));
	pfn_mode = PFN_OFF; /* the shim's pages are not the fork's */
	for (int i = 0; i < n; i++) {
		uintptr_t lo, hi;
		if (!fl_sys_region_get(i, &lo, &hi, NULL))
			continue;
		if (m < OWN_SORTED) {
			own_buf[m][0] = lo;
			own_buf[m++][1] = hi;
		} else {
			count_range(lo, hi, &r);
		}
	}
	m = own_ranges(m);
	for (int i = 0; i < m; i++)
		count_range(own_buf[i][0], own_buf[i][1], &r);
	count_range(image_lo(), image_hi(), &r);
	pfn_mode = saved_mode;
	*resident = r.c[C_PRESENT];
	*private = r.c[C_EXCL];
}

int fl_pagemap_page_present(uint64_t addr)
{
	uint64_t e;
	if (pm_fd < 0 || !fl_sys_fd_ours(pm_fd) ||
	    fl_sys_pread_e(pm_fd, &e, sizeof(e), (off_t)(addr / 4096 * 8)) != sizeof(e))
		return -1;
	return (e & PM_PRESENT) != 0;
}

int64_t fl_pagemap_unwind_resident(const struct fl_vma *v, int n)
{
	int saved_mode = pfn_mode;
	int64_t pages = 0;
	struct row r;
	if (pm_fd < 0 || !vec || !v)
		return -1;
	pfn_mode = PFN_OFF; /* file pages: nothing of the fork's */
	for (int i = 0; i < n; i++) {
		uint64_t lo, hi;
		if (v[i].offset != 0 || !v[i].inode || v[i].perms[0] != 'r' ||
		    fl_vma_is_shim(&v[i]) || in_own_image(&v[i]) ||
		    !fl_buildid_unwind((uintptr_t)v[i].start, (uintptr_t)v[i].end, v[i].inode, &lo,
				       &hi))
			continue;
		memset(&r, 0, sizeof(r));
		count_range(lo, hi, &r);
		pages += r.c[C_PRESENT];
	}
	pfn_mode = saved_mode;
	return pages;
}

void fl_pagemap_fork_capture(const struct fl_vma *v, int n)
{
	struct row r;
	pfn_prepared = 0;
	if (!fl_pagemap_pfn_st.ok || pm_fd < 0)
		return;
	if (!fork_pages)
		map_fork_pages();
	if (!fork_pages)
		return;
	forked = 1; /* read every anonymous entry: the frames are wanted */
	pfn_prepared = 1;
	pfn_mode = PFN_CAPTURE;
	nfork_pages = 0;
	pfn_overflow = 0;
	for (int i = 0; i < n; i++) {
		if (fl_vma_is_shim(&v[i]) || in_own_image(&v[i]) ||
		    memcmp(v[i].perms, "---", 3) == 0)
			continue;
		memset(&r, 0, sizeof(r));
		count_vma(&v[i], &r);
	}
	pfn_mode = pfn_overflow ? PFN_OFF : PFN_COMPARE;
	pfn_prepared = !pfn_overflow;
}

/* The first page shared at the last fork at or above va. */
static size_t fork_page_at(uint64_t va)
{
	size_t lo = 0, hi = nfork_pages;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fork_pages[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void put_rows(struct fl_out *o, const char *why, const struct row *r, int n, uint64_t t)
{
	begin_line(o, why, n, t, fl_seq_next());
	for (int i = 0; i < n; i++) {
		fl_out_arr_open(o);
		fl_out_v_hex(o, r[i].start);
		fl_out_v_hex(o, r[i].end);
		for (int c = 0; c < NC; c++)
			fl_out_v_i64(o, r[i].c[c]);
		fl_out_arr_close(o);
	}
	end_line(o);
}

void fl_pagemap_range(struct fl_out *o, const char *why, uint64_t start, uint64_t end,
		      int swap_unknown)
{
	enum { RANGE_ROWS = 64 };
	static struct row r[RANGE_ROWS]; /* under the writer lock */
	struct fl_vma v;
	int k = 0, saved_mode = pfn_mode;
	uint64_t t = fl_now();
	if (pm_fd < 0 || !vec)
		return;
	/* Frames are compared only against a finished fork capture. */
	if (pfn_mode == PFN_CAPTURE)
		pfn_mode = PFN_OFF;
	for (uint64_t at = start; at < end && fl_procfs_vma_at(at, &v) == 0 && v.start < end;
	     at = v.end) {
		if (memcmp(v.perms, "---", 3) == 0)
			continue;
		memset(&r[k], 0, sizeof(r[k]));
		r[k].start = v.start;
		r[k].end = v.end;
		if (!has_scan)
			r[k].c[C_HUGE] = -1;
		if (pfn_mode == PFN_COMPARE)
			fork_cur = fork_page_at(v.start);
		else
			r[k].c[C_MOVED] = -1;
		count_vma(&v, &r[k]);
		r[k].c[C_WRITTEN] = -1;
		r[k].c[C_REF] = -1;
		if (swap_unknown)
			r[k].c[C_SWAPPED] = -1;
		if (++k == RANGE_ROWS) {
			put_rows(o, why, r, k, t);
			k = 0;
		}
	}
	if (k)
		put_rows(o, why, r, k, t);
	pfn_mode = saved_mode;
}
