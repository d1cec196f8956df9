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
#include "model/sampled_pages.h"
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
 *
 * Threads' buffers written one after the other at each tick make late lines
 * by the thousand. Then the lines wait in a window instead, and each tick's
 * barrier (the process's "heap" line, written after the tick wrote every
 * thread's buffer) replays, in seq order, those at or below the previous
 * barrier's seq: every call made before that line was taken was written by
 * this tick's drain, save one a thread was still pushing, which comes later
 * as a late line. Only when late lines stay frequent even so (or the file
 * has no barriers) is the rest of the file collected for fl_heap_replay.
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
	/* The window, once open (see above): */
	int windowed;
	size_t nlate_windowed; /* nlate at its first replay */
	size_t wreplays;       /* its replays so far */
	uint64_t barrier_seq;  /* the last barrier's seq */
	size_t barriers;
	struct fl_heap_free *wfrees; /* the window's frees */
	size_t nwfrees, capwfrees;
	size_t *wallocs; /* the window's allocations: their blocks' indices */
	size_t nwallocs, capwallocs;
	uint64_t wmin;	/* the lowest seq in the window (UINT64_MAX: none) */
	size_t wsorted; /* lines the window's replays sorted, in all */
	/* The early fold (model/heap_early.c): */
	struct fl_seqs *block_seq; /* the loader's, parallel to p->blocks */
	uint64_t min_seq;	   /* the lowest allocation seq read so far */
	size_t nallocs;
	int fold;	       /* 0 not decided yet, 1 folds, -1 never */
	size_t candidates;     /* blocks ended in order that the fold could take */
	uint64_t *dead;	       /* a bit per block of p->blocks: folded, awaiting compaction */
	size_t capdead, ndead; /* words of dead; blocks marked */
	int sampled_read;
	int in_window; /* in a window replay: the compaction waits for its end */
	struct fl_sampled_pages sampled;
};

void fl_heap_stream_init(struct fl_heap_stream *s);
/* A free (or a realloc's freeing half) of addr. */
void fl_heap_stream_free(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq, uint64_t t,
			 uint64_t addr, int by);
/* The block just added at p->blocks[p->nblocks - 1], its seq the last of
 * block_seq (which the early fold moves with the blocks it keeps). */
void fl_heap_stream_alloc(struct fl_heap_stream *s, struct fl_proc *p, struct fl_seqs *block_seq);
/* A barrier: the process's "heap" line of a tick, its seq. */
void fl_heap_stream_barrier(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq);
/* The file is read: every block gets its end. Takes block_seq's seqs (freed here). */
void fl_heap_stream_finish(struct fl_heap_stream *s, struct fl_proc *p, struct fl_seqs *block_seq);
/* Frees what s holds, for a file given up on. */
void fl_heap_stream_release(struct fl_heap_stream *s);

/*
 * The early fold, for the loads of a report (fl_model_fold_early): a block
 * a free ended in order leaves p->blocks as the file loads when nothing
 * the report computes after the load can ask about it (the conditions are
 * in model/heap_early.c), so that a trace with a line per heap call loads
 * in memory for its live heap and its sampled pages, not for every block
 * it recorded. p->nblocks_dropped counts them. Called by the stream.
 */
void fl_heap_early_ended(struct fl_heap_stream *s, struct fl_proc *p, size_t b);
/* Removes the folded blocks from p->blocks (and their seqs), keeping the
 * order; the indices the stream holds (live table, window) follow. */
void fl_heap_early_compact(struct fl_heap_stream *s, struct fl_proc *p);
void fl_heap_early_release(struct fl_heap_stream *s);

#endif
