/*
 * The heap's per-site figures and the folding away of freed blocks.
 *
 * A freed block counts in its site's figures (allocations, bytes, peak live
 * bytes, temporaries) and, when large, in the reservations the overcommit
 * report weighs; past that only `addr` (about the blocks at its address)
 * and `export --format json` (every block) ask about it. fl_proc_heap_fold()
 * keeps those figures and drops the freed blocks, so that a report holds
 * the live blocks only; the JSON export never folds, and the loader may
 * fold early as it reads (model/heap_early.c).
 */
#ifndef FL_HEAP_FOLD_H
#define FL_HEAP_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/*
 * The figures of one allocation site (stack) from its blocks. Sampled
 * records weigh in as the bytes they stand for: a record of `size` bytes
 * with weight w counts w bytes and w/size calls. var_* is each figure's
 * variance (Horvitz-Thompson with Poisson sampling: w * (w - size) per
 * record, 0 for exact records).
 */
struct fl_heap_site {
	uint32_t stack;
	uint64_t t; /* its first block's allocation: when the site's code was mapped */
	double allocs, bytes, peak, leaked_bytes, leaked_blocks, temporary;
	double var_allocs, var_bytes, var_peak, var_leaked;
	double leaked_sampled_bytes; /* the recorded sizes never freed: a sure lower bound */
	size_t samples, peak_samples, leaked_samples;
};

/* A block freed within this many ns of its allocation is a temporary. */
#define FL_HEAP_TEMPORARY_NS 1000000

/*
 * p's sites, sorted by stack, from p->blocks (every block: call before the
 * fold, or use p->heap_sites after it). A new array (*n entries).
 */
struct fl_heap_site *fl_heap_sites_of_blocks(const struct fl_proc *p, size_t *n);

/*
 * The size from which a heap block is a large reservation: the trace's
 * --large, but never less than a page. A smaller block shares every page
 * it touches with its neighbours, so it has no page of its own to leave
 * untouched; `record --large 1` asks for every call on a line, not for
 * every block to be weighed as a reservation (a million of them made the
 * overcommit table the report's peak: 88 B each).
 */
uint64_t fl_heap_large_size(const struct fl_proc *p);

/*
 * Keeps what the reports need of p's blocks and drops the freed ones: the
 * site figures (p->heap_sites), the large blocks (p->large_blocks, every
 * one, in allocation order), the allocation site under each wss region at
 * its line's time (fl_wss_region.block_stack), the count and first
 * allocation time of the blocks; p->blocks keeps the blocks live at the
 * end, in allocation order; when p has fault samples, p->spans keeps what
 * their classifier asks of every block (struct fl_block_span), until it
 * ran. Afterwards fl_proc_block_at and fl_proc_blocks_each see only the
 * live blocks. Idempotent.
 */
void fl_proc_heap_fold(struct fl_proc *p);

#endif
