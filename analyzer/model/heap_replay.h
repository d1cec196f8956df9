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
#include "model/seqs.h"
#include "util/u64map.h"

/* A free (or the freeing half of a realloc) waiting to be replayed in seq order. */
struct fl_heap_free {
	uint64_t seq, t, addr;
	uint8_t by; /* FL_FN_FREE or FL_FN_REALLOC */
};

/*
 * Puts p->blocks in allocation (seq) order and replays frees and
 * allocations in seq order. Seq i of block_seq is p->blocks[i]'s. At the
 * same seq (a realloc) the old block is freed before the new one is
 * allocated. A block still live when another is allocated at its address
 * was freed without a record: it ends then, freed_by FL_FN_COUNT. Takes
 * ownership of block_seq's seqs and of frees (both freed here).
 */
void fl_heap_replay(struct fl_proc *p, struct fl_seqs *block_seq, struct fl_heap_free *frees,
		    size_t nfrees);

/*
 * The replay as the lines come, so that a file holds its blocks (with their
 * seq) but not its frees. A line in seq order is replayed when read. A
 * late line (another thread's buffer, written late; a free read before the
 * allocation it frees) is held, and so are the frees that found no live
 * block; once the file is read, the addresses late lines touched are
 * replayed again, alone, in seq order. The replay being a story per address
 * (a free ends the block live at its address, an allocation the one live
 * at its own), the blocks end exactly as fl_heap_replay would end them.
 */
struct fl_heap_stream {
	int collecting;	  /* too many late lines: every free is held for fl_heap_replay */
	uint64_t max_seq; /* the seq and kind of the last line replayed in order */
	int max_free;
	size_t nlines, nlate;
	struct fl_u64map live;	     /* address -> index + 1 of the block live there */
	struct fl_u64map late_addrs; /* the addresses late lines touched */
	struct fl_seqs end_seq; /* per block replayed as read: the seq of the free that ended it */
	struct fl_heap_free *frees; /* late frees, and those that found no live block */
	size_t nfrees, capfrees;
};

void fl_heap_stream_init(struct fl_heap_stream *s);
/* A free (or a realloc's freeing half) of addr. */
void fl_heap_stream_free(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq, uint64_t t,
			 uint64_t addr, int by);
/* The block just added at p->blocks[p->nblocks - 1], its seq the last of block_seq. */
void fl_heap_stream_alloc(struct fl_heap_stream *s, struct fl_proc *p,
			  const struct fl_seqs *block_seq);
/* The file is read: every block gets its end. Takes block_seq's seqs (freed here). */
void fl_heap_stream_finish(struct fl_heap_stream *s, struct fl_proc *p, struct fl_seqs *block_seq);
/* Frees what s holds, for a file given up on. */
void fl_heap_stream_release(struct fl_heap_stream *s);

#endif
