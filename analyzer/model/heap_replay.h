/*
 * The heap replay: given every recorded allocation (p->blocks, in the order
 * the lines were read, with the seq of each) and every free, sets each
 * block's t_free and freed_by. Used by the loader once a file is read.
 */
#ifndef FL_HEAP_REPLAY_H
#define FL_HEAP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* A free (or the freeing half of a realloc) waiting to be replayed in seq order. */
struct fl_heap_free {
	uint64_t seq, t, addr;
	uint8_t by; /* FL_FN_FREE or FL_FN_REALLOC */
};

/*
 * Puts p->blocks in allocation (seq) order and replays frees and
 * allocations in seq order. block_seq[i] is the seq of p->blocks[i]. At the
 * same seq (a realloc) the old block is freed before the new one is
 * allocated. A block still live when another is allocated at its address
 * was freed without a record: it ends then, freed_by FL_FN_COUNT. Takes
 * ownership of block_seq and frees (both freed here).
 */
void fl_heap_replay(struct fl_proc *p, uint64_t *block_seq, struct fl_heap_free *frees,
		    size_t nfrees);

#endif
