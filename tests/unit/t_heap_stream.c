/*
 * The heap replay as the lines come (fl_heap_stream) against the replay of
 * the whole file (fl_heap_replay): on heap calls read in seq order, and on
 * the same calls read as two threads' buffers written one after the other
 * (out of order from some line on), every block ends at the same time, by
 * the same call.
 */
#include <stdlib.h>

#include "check.h"
#include "model/heap_replay.h"
#include "model/model.h"

struct call {
	uint64_t seq, t, addr, old; /* old: a realloc's freed address */
	int is_free, is_realloc;
};

#define NCALLS 4000
#define NADDR 37

/* Calls on a few addresses, with frees of addresses never allocated, double
 * frees and allocs over live blocks (their frees unrecorded) among them. */
static size_t make_calls(struct call *c, unsigned seed)
{
	srand(seed);
	for (size_t i = 0; i < NCALLS; i++) {
		int r = rand() % 10;
		c[i] = (struct call){i + 1, 10 * (i + 1), 0x1000 * (uint64_t)(1 + rand() % NADDR),
				     0,	    r < 4,	  r == 9};
		if (c[i].is_realloc)
			c[i].old = 0x1000 * (uint64_t)(1 + rand() % NADDR);
	}
	return NCALLS;
}

/* The order read: in seq order, or thread A's calls (odd seqs) after B's up
 * to a point, the way a thread's buffer is written late. */
static void arrival(struct call *dst, const struct call *src, size_t n, int late)
{
	size_t k = 0;
	if (!late) {
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (src[i].seq % 2 == 0 || src[i].seq > n / 2)
			dst[k++] = src[i];
	for (size_t i = 0; i < n; i++)
		if (!(src[i].seq % 2 == 0 || src[i].seq > n / 2))
			dst[k++] = src[i];
}

static void push_block(struct fl_proc *p, uint64_t *seqs, const struct call *c)
{
	struct fl_block *b = &p->blocks[p->nblocks];
	*b = (struct fl_block){.addr = c->addr, .size = 16, .t_alloc = c->t, .t_free = FL_T_NEVER};
	b->freed_by = FL_FN_COUNT;
	seqs[p->nblocks++] = c->seq;
}

/* Both replays of calls in the order given; checks they agree. */
static void compare(const struct call *c, size_t n)
{
	struct fl_proc batch = {0}, stream = {0};
	struct fl_heap_free *frees = calloc(2 * n, sizeof(*frees));
	uint64_t *bseq = calloc(n, sizeof(*bseq)), *sseq = calloc(n, sizeof(*sseq));
	struct fl_heap_stream hs;
	size_t nfrees = 0;
	batch.blocks = calloc(n, sizeof(struct fl_block));
	stream.blocks = calloc(n, sizeof(struct fl_block));
	fl_heap_stream_init(&hs);
	for (size_t i = 0; i < n; i++) {
		if (c[i].is_free || c[i].is_realloc) {
			uint64_t a = c[i].is_free ? c[i].addr : c[i].old;
			int by = c[i].is_free ? FL_FN_FREE : FL_FN_REALLOC;
			frees[nfrees++] = (struct fl_heap_free){c[i].seq, c[i].t, a, (uint8_t)by};
			fl_heap_stream_free(&hs, &stream, c[i].seq, c[i].t, a, by);
		}
		if (!c[i].is_free) {
			push_block(&batch, bseq, &c[i]);
			push_block(&stream, sseq, &c[i]);
			fl_heap_stream_alloc(&hs, &stream, sseq);
		}
	}
	fl_heap_replay(&batch, bseq, frees, nfrees);
	fl_heap_stream_finish(&hs, &stream, sseq);
	CHECK_EQ_U64(stream.nblocks, batch.nblocks);
	for (size_t i = 0; i < batch.nblocks; i++) {
		CHECK_EQ_U64(stream.blocks[i].t_alloc, batch.blocks[i].t_alloc);
		CHECK_EQ_U64(stream.blocks[i].t_free, batch.blocks[i].t_free);
		CHECK_EQ_U64(stream.blocks[i].freed_by, batch.blocks[i].freed_by);
	}
	free(batch.blocks);
	free(stream.blocks);
}

int main(void)
{
	static struct call calls[NCALLS], order[NCALLS];
	for (unsigned seed = 1; seed <= 20; seed++) {
		size_t n = make_calls(calls, seed);
		for (int late = 0; late <= 1; late++) {
			arrival(order, calls, n, late);
			compare(order, n);
		}
	}
	return check_result();
}
