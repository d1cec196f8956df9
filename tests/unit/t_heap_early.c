/*
 * The stream's window and the early fold (model/heap_replay.h,
 * model/heap_early.c) against the replay of the whole file: two threads
 * whose buffers are written when full and at each tick (then a barrier),
 * a few lines held back to the next write (a thread still pushing when the
 * tick wrote its buffer), frees of the other thread's blocks, addresses
 * reused. Without the fold every block ends as fl_heap_replay ends it;
 * with it the freed blocks mostly go as the lines come, and every block
 * kept (all those live at the end among them) ends the same.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "model/heap_replay.h"
#include "model/model.h"

#define NSTEPS 1000000
#define NLIVE 3000 /* blocks live at a time, shared by both threads */
#define TICK 20000 /* calls between barriers */

struct line {
	uint64_t seq, addr;
	int is_free;
};

static struct line lines[NSTEPS + NSTEPS / 8];
static size_t nlines;
static struct line ring[2][4096], held[2][8];
static size_t nring[2], cap[2], nheld[2];
static uint64_t barriers[NSTEPS / 8];
static size_t nbarriers, barrier_at[NSTEPS / 8];

static void drain(int th, int tick)
{
	size_t keep = 0;
	for (size_t i = 0; i < nheld[th]; i++)
		lines[nlines++] = held[th][i];
	nheld[th] = 0;
	/* now and then a line was still being pushed: it comes with the next write */
	if (tick && nring[th] && rand() % 8 == 0)
		keep = 1;
	for (size_t i = 0; i + keep < nring[th]; i++)
		lines[nlines++] = ring[th][i];
	if (keep)
		held[th][nheld[th]++] = ring[th][nring[th] - 1];
	nring[th] = 0;
	cap[th] = 200 + (size_t)(rand() % 3800);
}

/* The lines in the order the file has them, with the barriers' places. */
static void make_lines(unsigned seed)
{
	static uint64_t live[NLIVE], freed[NLIVE];
	size_t nlive = 0, nfreed = 0;
	uint64_t seq = 0, next_addr = 0x10000;
	srand(seed);
	nlines = nbarriers = 0;
	nring[0] = nring[1] = nheld[0] = nheld[1] = 0;
	cap[0] = cap[1] = 1000;
	for (size_t step = 1; step <= NSTEPS; step++) {
		int th = rand() % 2;
		struct line l = {++seq, 0, nlive == NLIVE || (nlive > 0 && rand() % 2)};
		if (l.is_free) { /* any live block, whichever thread made it */
			size_t k = (size_t)rand() % nlive;
			l.addr = live[k];
			live[k] = live[--nlive];
			freed[nfreed++ % NLIVE] = l.addr;
		} else {
			l.addr = nfreed && rand() % 4 ? freed[--nfreed % NLIVE] : (next_addr += 64);
			live[nlive++] = l.addr;
		}
		ring[th][nring[th]++] = l;
		if (nring[th] >= cap[th])
			drain(th, 0);
		if (step % TICK == 0) {
			drain(0, 1);
			drain(1, 1);
			barriers[nbarriers] = ++seq;
			barrier_at[nbarriers++] = nlines;
		}
	}
	drain(0, 0);
	drain(1, 0);
}

static void replay(int fold, int expect_folded, json_t *options)
{
	struct fl_proc batch = {0}, stream = {0};
	struct fl_heap_free *frees = calloc(nlines, sizeof(*frees));
	struct fl_seqs bseq = {0}, sseq = {0};
	struct fl_heap_stream hs;
	size_t nfrees = 0, b = 0, nlive_end = 0, nkept_checked = 0;
	uint64_t gone_first = UINT64_MAX, gone_last = 0; /* the folded blocks' allocations */
	batch.blocks = calloc(nlines, sizeof(struct fl_block));
	stream.blocks = calloc(nlines, sizeof(struct fl_block));
	stream.options = options;
	stream.nsites = 1;
	stream.page_size = 4096;
	stream.opt_large = -1;
	fl_model_fold_early = fold;
	fl_heap_stream_init(&hs);
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		while (b < nbarriers && barrier_at[b] == i)
			fl_heap_stream_barrier(&hs, &stream, barriers[b++]);
		if (l->is_free) {
			frees[nfrees++] =
			    (struct fl_heap_free){l->seq, 10 * l->seq, l->addr, FL_FN_FREE};
			fl_heap_stream_free(&hs, &stream, l->seq, 10 * l->seq, l->addr, FL_FN_FREE);
			continue;
		}
		struct fl_block_fields f = {
		    .addr = l->addr, .size = 16, .weight = 16, .t_alloc = 10 * l->seq};
		fl_block_set(&batch, &batch.blocks[batch.nblocks++], &f);
		fl_seqs_push(&bseq, l->seq);
		fl_block_set(&stream, &stream.blocks[stream.nblocks++], &f);
		fl_seqs_push(&sseq, l->seq);
		fl_heap_stream_alloc(&hs, &stream, &sseq);
	}
	fl_heap_replay(&batch, &bseq, frees, nfrees);
	fl_heap_stream_finish(&hs, &stream, &sseq);
	fl_model_fold_early = 0;
	CHECK_EQ_U64(stream.nblocks + stream.nblocks_dropped, batch.nblocks);
	if (fold && expect_folded)
		CHECK(stream.nblocks < batch.nblocks / 4); /* most went as they ended */
	else if (!fold)
		CHECK_EQ_U64(stream.nblocks, batch.nblocks);
	/* both in allocation order; the kept ones a subsequence of the batch's */
	for (size_t i = 0, k = 0; i < batch.nblocks; i++) {
		const struct fl_block *x = &batch.blocks[i];
		if (x->t_free == FL_T_NEVER || fl_block_freed_by(x) == FL_FN_COUNT)
			nlive_end++;
		if (k < stream.nblocks && stream.blocks[k].t_alloc == x->t_alloc) {
			CHECK_EQ_U64(stream.blocks[k].t_free, x->t_free);
			CHECK_EQ_U64(fl_block_freed_by(&stream.blocks[k]), fl_block_freed_by(x));
			k++;
			nkept_checked++;
		} else {
			/* only a block a free ended can have gone */
			CHECK(fold && x->t_free != FL_T_NEVER &&
			      fl_block_freed_by(x) != FL_FN_COUNT);
			gone_first = x->t_alloc < gone_first ? x->t_alloc : gone_first;
			gone_last = x->t_alloc > gone_last ? x->t_alloc : gone_last;
		}
	}
	CHECK_EQ_U64(nkept_checked, stream.nblocks);
	/* the folded blocks' thread (one here) and the span of their
	 * allocations (the perfetto export's thread track) */
	if (stream.nblocks_dropped) {
		CHECK_EQ_U64(stream.nearly_tids, 1);
		CHECK_EQ_U64(stream.early_tids[0].first, gone_first);
		CHECK_EQ_U64(stream.early_tids[0].last, gone_last);
	} else {
		CHECK_EQ_U64(stream.nearly_tids, 0);
	}
	free(stream.early_tids);
	CHECK(nlive_end > 0);
	free(batch.blocks);
	free(stream.blocks);
}

/*
 * A hostile order: the window opened by interleaved runs, then a barrier
 * every 16 lines while 10,000 lines far ahead in seq keep the window from
 * emptying: the replays stop sorting the window again and again and
 * collect the file instead (this test would take minutes otherwise); every
 * block still ends as the whole replay ends it.
 */
static int by_seq(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void barrier_every_line(void)
{
	size_t n = 0, k;
	make_lines(7);
	qsort(lines, nlines, sizeof(lines[0]), by_seq); /* in seq order but for what follows */
	/* the first 20000 lines as two runs (odd, then even positions) */
	static struct line tmp[20000];
	for (k = 0; k < 20000; k += 2)
		tmp[n++] = lines[k + 1];
	for (k = 0; k < 20000; k += 2)
		tmp[n++] = lines[k];
	for (k = 0; k < 20000; k++)
		lines[k] = tmp[k];
	for (k = 20001; k < 30001; k++)
		lines[k].seq += 1ull << 40; /* far ahead: never below a barrier */
	nbarriers = 0;
	for (k = 20002; k < nlines && nbarriers < sizeof(barriers) / sizeof(barriers[0]); k += 16) {
		/* the seq of the line before (as made): no line comes late */
		barriers[nbarriers] = lines[k - 1].seq & ((1ull << 40) - 1);
		barrier_at[nbarriers++] = k;
	}
	json_t *options = json_pack("{s:b, s:i}", "wss", 0, "faults_period", 0);
	replay(0, 0, options);
	replay(1, 0, options); /* collected: nothing folds past that */
	json_decref(options);
}

int main(void)
{
	json_t *options = json_pack("{s:b, s:i}", "wss", 0, "faults_period", 0);
	for (unsigned seed = 1; seed <= 4; seed++) {
		make_lines(seed);
		replay(0, 0, options);
		replay(1, 1, options);
	}
	json_decref(options);
	barrier_every_line();
	return check_result();
}
