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

#include "record/site_pending.h"
#include "trace/out.h"

/* 0 or -1. Only --all calls it; the other functions then do nothing. */
int fl_sites_init(void);
void fl_sites_alloc(struct fl_sites_pending *pd, uint32_t id, uint64_t size);
void fl_sites_free(struct fl_sites_pending *pd, uint32_t id, uint64_t size);
/* Adds a pending entry to its site and empties it (its thread is gone or
 * is the caller): before a thread's state is retired. */
void fl_sites_flush(struct fl_sites_pending *pd);
/* Writes "sites" lines for the sites that changed (writer lock held). */
void fl_sites_emit(struct fl_out *o, uint64_t (*next_seq)(void), uint64_t t);
/* Fork child: the counts start again from the inherited live blocks
 * (every thread's pending counts are dropped). */
void fl_sites_after_fork_child(void);

#endif
