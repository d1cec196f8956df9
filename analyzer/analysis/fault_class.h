/*
 * The fault classifier the reports share.
 *
 * Every page-fault sample is put in one class:
 *   major in a file VMA            -> disk        (read from the device)
 *   minor in a file VMA            -> cache_hit   (page cache, fault-around)
 *   major in an anonymous VMA      -> swap_in
 *   minor on a page shared at fork -> cow         (first write after fork)
 *   minor below the stack's lowest page -> stack_growth
 *   other minor anonymous          -> zero_fill   (demand-zero first touch)
 * plus write_tracking (a repeated write fault while --wss write-protects
 * pages each window), shim (the shim's own buffers, left out of the
 * figures), other (vdso and such) and unknown (no VMA known).
 *
 * "Shared at fork" is decided per page: a forked child inherits the pages
 * its parent (and the parent's ancestors) had faulted in before the fork; a
 * parent's own pages become shared at each of its forks. A page counts as
 * copied once, at its first fault after the fork, and only if it existed at
 * the fork: in a region of the fork's residency snapshot that held shared
 * pages (memory unmapped before the fork is not inherited, whatever its old
 * samples say). With sampled faults a first sample on a page is a copy by
 * estimate: its region was mostly shared at the fork, and the region's
 * estimated copies stay within its shared pages (cow_estimated).
 */
#ifndef FL_FAULT_CLASS_H
#define FL_FAULT_CLASS_H

#include <stdint.h>

#include "analysis/explain.h"
#include "model/model.h"

enum fl_fclass {
	FL_FC_ZERO_FILL = 0,
	FL_FC_CACHE_HIT,
	FL_FC_DISK,
	FL_FC_SWAP_IN,
	FL_FC_COW,
	FL_FC_STACK_GROWTH,
	FL_FC_TRACKING,
	FL_FC_OTHER,
	FL_FC_UNKNOWN,
	FL_FC_SHIM,
	FL_FC_COUNT
};
/* "zero_fill", "cache_hit", "disk", "swap_in", "cow", "stack_growth",
 * "write_tracking", "other", "unknown", "shim" */
const char *fl_fclass_name(int c);
/* "demand-zero first touch", "page-cache hit", ...: a class in words. */
const char *fl_fclass_title(int c);
/* The mechanism that explains a class. */
enum fl_mech fl_fclass_mech(int c);

/* Per sample of p->faults[i]. */
struct fl_fault_info {
	uint8_t cls;   /* enum fl_fclass */
	uint8_t first; /* 1: first fault on this page in this process (first touch) */
	uint8_t vkind; /* enum fl_vma_kind of the VMA, FL_VMA_KIND_COUNT if unknown */
	/* 1: cow from the region's sharing at the fork, no sample on the page before it */
	uint8_t cow_estimated;
	uint32_t site; /* allocation stack id of the address (fl_faults_site_at), 0 if none */
	uint64_t vkey; /* the VMA's identity for grouping (0 if unknown) */
};

/*
 * Classifies every fault sample of p (m is needed for the parent's pages of a
 * forked child). Returns a new array of p->nfaults entries (free() it), NULL
 * when p has no samples. The last few results are remembered (keyed by the
 * process and its samples), since several reports classify the same process.
 */
struct fl_fault_info *fl_faults_classify(const struct fl_model *m, const struct fl_proc *p);
/*
 * The same, without the copy: the remembered array itself (do not free it),
 * valid until the next fl_faults_classify/_classified call.
 */
const struct fl_fault_info *fl_faults_classified(const struct fl_model *m, const struct fl_proc *p);

/* The latest mmap/mremap call that mapped addr at or before t, or NULL. */
const struct fl_map_call *fl_faults_map_call_at(const struct fl_proc *p, uint64_t addr, uint64_t t);
/* The allocation stack id of addr at t: its heap block's, else its mmap's; 0 if none. */
uint32_t fl_faults_site_at(const struct fl_proc *p, uint64_t addr, uint64_t t);

#endif
