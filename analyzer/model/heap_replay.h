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
#include "util/u64map.h"

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

/*
 * The replay as the lines come, while they come in seq order (one thread's
 * lines always do): each free is applied when read and not held, so a file
 * holds its blocks (with their seq) but not its frees. At the first line out
 * of order (another thread's buffer, written late) the frees applied so far
 * are taken back from the blocks they ended, and the rest of the file is
 * collected for fl_heap_replay as before: either way the blocks end exactly
 * as fl_heap_replay would end them.
 */
struct fl_heap_stream {
	int collecting;	   /* a line came out of order: frees are held for fl_heap_replay */
	int last_was_free; /* the kind and seq of the last heap line */
	uint64_t last_seq;
	size_t nlines;
	struct fl_u64map live; /* while in order: address -> index + 1 of the block live there */
	uint64_t *end_seq;     /* while in order: per block, the seq of the free that ended it */
	size_t capend;
	struct fl_heap_free *frees; /* collecting: every free; before: those that ended no block */
	size_t nfrees, capfrees;
};

void fl_heap_stream_init(struct fl_heap_stream *s);
/* A free (or a realloc's freeing half) of addr. */
void fl_heap_stream_free(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq, uint64_t t,
			 uint64_t addr, int by);
/* The block just added at p->blocks[p->nblocks - 1], its seq block_seq[p->nblocks - 1]. */
void fl_heap_stream_alloc(struct fl_heap_stream *s, struct fl_proc *p, const uint64_t *block_seq);
/* The file is read: every block gets its end. Takes block_seq (freed here). */
void fl_heap_stream_finish(struct fl_heap_stream *s, struct fl_proc *p, uint64_t *block_seq);
/* Frees what s holds, for a file given up on. */
void fl_heap_stream_release(struct fl_heap_stream *s);

#endif
