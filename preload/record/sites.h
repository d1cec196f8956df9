/*
 * Exact per-allocation-site heap figures for --all: a site is a stack id.
 * Each site keeps allocs, frees, bytes requested, live bytes and the peak
 * of live bytes, cumulative since start. A free is attributed to the site
 * that allocated the block (its stack id is kept in the ptrset). Sizes are
 * the requested ones. The writer emits every site that changed since the
 * last tick as "sites" lines.
 *
 * Sites are updated lock-free (see sites.c): a signal handler or a fork
 * can interrupt an update anywhere without leaving a lock behind.
 */
#ifndef FL_SITES_H
#define FL_SITES_H

#include <stdint.h>

#include "trace/out.h"

/*
 * A thread's counts for the site it updated last, not yet added to the
 * site: allocs, frees and bytes are plain sums, so only live (and peak)
 * need the site's shared cache line at every call. Written by its thread
 * (moved into the site when the thread turns to another site, and when its
 * state is retired); the writer adds it to the site's row, under seq (odd
 * while the counts move).
 */
struct fl_sites_pending {
	uint32_t seq;
	uint32_t id; /* site + 1; 0: none */
	uint64_t allocs, frees, bytes;
};

/* 0 or -1. Only --all calls it; the other functions then do nothing. */
int fl_sites_init(void);
void fl_sites_alloc(struct fl_sites_pending *pd, uint32_t id, uint64_t size);
void fl_sites_free(struct fl_sites_pending *pd, uint32_t id, uint64_t size);
/* Adds a pending entry to its site and empties it (its thread is gone or
 * is the caller). */
void fl_sites_flush(struct fl_sites_pending *pd);
/* Writes "sites" lines for the sites that changed (writer lock held). */
void fl_sites_emit(struct fl_out *o, uint64_t (*next_seq)(void), uint64_t t);
/* Fork child: the counts start again from the inherited live blocks
 * (every thread's pending counts are dropped). */
void fl_sites_after_fork_child(void);

#endif
