/*
 * The pages a trace file's fault samples hit, each with the first and last
 * time a sample hit it: what the early fold of the heap's freed blocks
 * (model/heap_replay.h) asks before it lets a block go, since the fault
 * classifier looks for the block that was live under each sample. 24 B a
 * page sampled (a table the size of the memory the program touched, not
 * of its heap calls).
 */
#ifndef FL_SAMPLED_PAGES_H
#define FL_SAMPLED_PAGES_H

#include <stdint.h>

#include "util/u64map.h"

struct fl_sampled_page {
	uint64_t first, last; /* the times of its first and last sample */
};

struct fl_sampled_pages {
	struct fl_u64map index; /* page number -> index + 1 in v */
	struct fl_sampled_page *v;
	size_t n, cap;
};

/* An empty table. */
void fl_sampled_pages_init(struct fl_sampled_pages *sp);
/* Adds the samples of the trace file at path (a read of its own, quiet). */
void fl_sampled_pages_read(struct fl_sampled_pages *sp, const char *path);
/* Whether a sample hit a page of [addr, end) at a time within [t0, t1]
 * (per page: between its first and last sample; so a yes may be a no). */
int fl_sampled_pages_hit(const struct fl_sampled_pages *sp, uint64_t addr, uint64_t end,
			 uint64_t t0, uint64_t t1);
void fl_sampled_pages_release(struct fl_sampled_pages *sp);

#endif
