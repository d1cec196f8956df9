/*
 * Residency per VMA from /proc/self/pagemap: pages present, swapped, file
 * (or shared anonymous), anonymous exclusive, anonymous shared (COW after
 * fork), huge. PAGEMAP_SCAN (6.7+) finds the populated ranges in one ioctl;
 * the exclusive bit (56) is only in the pagemap entries, which are then read
 * for the present anonymous ranges alone. Without PAGEMAP_SCAN every entry
 * of every accessible VMA is read. Rows are emitted only for VMAs whose
 * figures changed since the last line (all of them at fork).
 *
 * Also: the accessed-bit self-test and, where it passes, pages referenced
 * per VMA from clear_refs + smaps "Referenced".
 */
#ifndef FL_PAGEMAP_H
#define FL_PAGEMAP_H

#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include <stdint.h>

#include "trace/out.h"
#include "probes/probe.h"
#include "probes/procfs.h"

/* PAGEMAP_SCAN, from the 6.7 uapi (the installed headers may be older). */
#ifndef PAGEMAP_SCAN
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PAGE_IS_PFNZERO (1 << 5)
#define PAGE_IS_HUGE (1 << 6)
#define PAGE_IS_SOFT_DIRTY (1 << 7)
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

extern struct fl_probe_st fl_pagemap_st, fl_pagemap_pfn_st, fl_pagemap_scan_st, fl_accessed_st;

void fl_pagemap_open(void);
/* fork child: the inherited pagemap fd reads the parent's memory. */
void fl_pagemap_reopen(void);
void fl_pagemap_close(void);
/* This process forked or is a fork child: anonymous pages may be shared
 * from now on (until then they are all exclusive, unless KSM merged them). */
void fl_pagemap_forked(void);
/* fork's prepare handler (privileged only): the frame of every present
 * private anonymous page now, which parent and child then compare their
 * frames against (pages copied since the fork). Without it, each side
 * captures its shared pages at its first snapshot after the fork. */
void fl_pagemap_fork_capture(const struct fl_vma *v, int n);
/* The pagemap fd (for the write tracker's scans), -1 if none. */
int fl_pagemap_fd(void);
/* PAGEMAP_SCAN works here. */
int fl_pagemap_has_scan(void);

/* Pages written in [start, end) this window, or -1 if not tracked. */
typedef int64_t (*fl_written_fn)(uint64_t start, uint64_t end);

/* The shim's own memory (its buffers, and its image's data and .bss, which
 * residency leaves out): pages present, and of those the private anonymous
 * ones mapped only here (its part of the kernel's Private_Dirty); -1 when
 * pagemap is off. */
void fl_pagemap_own(int64_t *resident, int64_t *private);

/* Whether the page at addr is in this process's page tables: 1, 0, or -1
 * when pagemap cannot say. */
int fl_pagemap_page_present(uint64_t addr);

/* Pages present in the unwind tables (.eh_frame_hdr, .eh_frame,
 * .gcc_except_table: probes/buildid.h) of the objects mapped in v, the
 * shim's own image excepted: what the shim's stack unwinding brings into
 * the program's memory, which the program itself reads only to throw or
 * print a backtrace. -1 when pagemap is off. Writer lock held. */
int64_t fl_pagemap_unwind_resident(const struct fl_vma *v, int n);

/* Writes a residency line (why: "tick" or "fork"; all: every VMA, not just
 * the changed ones). */
void fl_pagemap_residency(struct fl_out *o, const struct fl_vma *v, int n, const char *why, int all,
			  fl_written_fn written);

/* The shim's own memory (its buffers, and its image's data and .bss, which
 * residency leaves out): pages present, and of those the private anonymous
 * ones mapped only here (its part of the kernel's Private_Dirty); -1 when
 * pagemap is off. */
void fl_pagemap_own(int64_t *resident, int64_t *private);

/* Writes a residency line (why: "unmap") for the whole VMAs that overlap
 * [start, end), from PAGEMAP_SCAN of those VMAs alone (no maps text read):
 * what a munmap or mremap about to take them away leaves behind.
 * swap_unknown: write tracking is on (its markers look like swap). Needs
 * PROCMAP_QUERY (Linux 6.11); writes nothing without it. */
void fl_pagemap_range(struct fl_out *o, const char *why, uint64_t start, uint64_t end,
		      int swap_unknown);

#endif
