/*
 * The heap replay as the lines come (fl_heap_stream) against the replay of
 * the whole file (fl_heap_replay): on heap calls read in seq order, and on
 * the same calls read as threads' buffers written late (out of order from
 * some line on), every block ends at the same time, by the same call.
 */
#include <stdlib.h>

#include "check.h"
#include "model/heap_replay.h"
#include "model/model.h"

struct call {
	uint64_t seq, t, addr, old; /* old: a realloc's freed address */
	int is_free, is_realloc;
};

#define NCALLS 20000 /* past the late lines that make the stream collect */
#define NADDR 37

/* Calls on a few addresses, with frees of addresses never allocated, double
 * frees and allocs over live blocks (their frees unrecorded) among them.
 * Their seqs are seq0 + (i + 1) * step: near 0, near UINT64_MAX, and spread
 * past 2^32 (the loader's seqs then turn from 4 bytes to 8: model/seqs.h). */
static size_t make_calls(struct call *c, unsigned seed, uint64_t seq0, uint64_t step)
{
	srand(seed);
	for (size_t i = 0; i < NCALLS; i++) {
		int r = rand() % 10;
		c[i] = (struct call){seq0 + (i + 1) * step,
				     10 * (i + 1),
				     0x1000 * (uint64_t)(1 + rand() % NADDR),
				     0,
				     r < 4,
				     r == 9};
		if (c[i].is_realloc)
			c[i].old = 0x1000 * (uint64_t)(1 + rand() % NADDR);
	}
	return NCALLS;
}

/*
 * The order read: 0 in seq order; 1 thread A's calls (odd seqs) after B's
 * up to a point (so many late lines that the stream collects); 3 the same
 * for A's first 100 calls only (the stream replays their addresses again); 2
 * three threads whose buffers are written when they hold
 * a random number of calls, and the rest at exit, so that frees come before
 * the allocations they free and a thread's first calls come last.
 */
static void arrival(struct call *dst, const struct call *src, size_t n, int how)
{
	static struct call buf[3][NCALLS];
	size_t k = 0, nbuf[3] = {0, 0, 0}, limit[3] = {1, 1, 1};
	for (size_t i = 0; i < n; i++) {
		size_t cut = how == 3 ? 200 : n / 2;
		if (how == 0 || (how != 2 && (src[i].t % 20 == 0 || src[i].t > 10 * cut)))
			dst[k++] = src[i];
		if (how != 2)
			continue;
		int th = rand() % 3;
		buf[th][nbuf[th]++] = src[i];
		if (nbuf[th] >= limit[th]) {
			for (size_t j = 0; j < nbuf[th]; j++)
				dst[k++] = buf[th][j];
			nbuf[th] = 0;
			limit[th] = 1 + (size_t)(rand() % (th == 0 ? 2000 : 60));
		}
	}
	for (size_t i = 0; (how == 1 || how == 3) && i < n; i++)
		if (!(src[i].t % 20 == 0 || src[i].t > 10 * (how == 3 ? 200 : n / 2)))
			dst[k++] = src[i];
	for (int th = 2; how == 2 && th >= 0; th--)
		for (size_t j = 0; j < nbuf[th]; j++)
			dst[k++] = buf[th][j];
}

static void push_block(struct fl_proc *p, struct fl_seqs *seqs, const struct call *c)
{
	struct fl_block *b = &p->blocks[p->nblocks];
	fl_block_set(
	    p, b,
	    &(struct fl_block_fields){.addr = c->addr, .size = 16, .weight = 16, .t_alloc = c->t});
	fl_seqs_push(seqs, c->seq);
	p->nblocks++;
}

/* Both replays of calls in the order given; checks they agree. */
static void compare(const struct call *c, size_t n)
{
	struct fl_proc batch = {0}, stream = {0};
	struct fl_heap_free *frees = calloc(2 * n, sizeof(*frees));
	struct fl_seqs bseq = {0}, sseq = {0};
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
			push_block(&batch, &bseq, &c[i]);
			push_block(&stream, &sseq, &c[i]);
			fl_heap_stream_alloc(&hs, &stream, &sseq);
		}
	}
	fl_heap_replay(&batch, &bseq, frees, nfrees);
	fl_heap_stream_finish(&hs, &stream, &sseq);
	CHECK_EQ_U64(stream.nblocks, batch.nblocks);
	for (size_t i = 0; i < batch.nblocks; i++) {
		/* in allocation order (t is 10 * seq), whatever order they came in */
		CHECK(i == 0 || batch.blocks[i - 1].t_alloc < batch.blocks[i].t_alloc);
		CHECK_EQ_U64(stream.blocks[i].t_alloc, batch.blocks[i].t_alloc);
		CHECK_EQ_U64(stream.blocks[i].t_free, batch.blocks[i].t_free);
		CHECK_EQ_U64(fl_block_freed_by(&stream.blocks[i]),
			     fl_block_freed_by(&batch.blocks[i]));
	}
	free(batch.blocks);
	free(stream.blocks);
}

/*
 * UINT64_MAX, the live table's reserved key, as an address (a hostile or
 * corrupt trace): a free there finds no block, a block there stays live,
 * and neither replay writes outside the blocks (a lookup of the reserved
 * key once returned an empty slot, whose index - 1 was blocks[-1]).
 */
static void reserved_address(void)
{
	static const struct call c[] = {{1, 10, 0x1000, 0, 0, 0},     {2, 20, UINT64_MAX, 0, 1, 0},
					{3, 30, UINT64_MAX, 0, 0, 0}, {4, 40, UINT64_MAX, 0, 0, 0},
					{5, 50, UINT64_MAX, 0, 1, 0}, {6, 60, 0x1000, 0, 1, 0}};
	const size_t n = sizeof(c) / sizeof(c[0]);
	for (int late = 0; late <= 1; late++) {
		struct fl_proc batch = {0}, stream = {0};
		struct fl_block *bmem = calloc(n + 1, sizeof(struct fl_block));
		struct fl_block *smem = calloc(n + 1, sizeof(struct fl_block));
		struct fl_heap_free *frees = calloc(n, sizeof(*frees));
		struct fl_seqs bseq = {0}, sseq = {0};
		struct fl_heap_stream hs;
		size_t nfrees = 0;
		batch.blocks = bmem + 1; /* bmem[0]: must stay zero */
		stream.blocks = smem + 1;
		fl_heap_stream_init(&hs);
		for (size_t k = 0; k < n; k++) {
			/* late: the first call (the block at 0x1000) read last */
			const struct call *x = &c[late ? (k + 1) % n : k];
			if (x->is_free) {
				frees[nfrees++] =
				    (struct fl_heap_free){x->seq, x->t, x->addr, FL_FN_FREE};
				fl_heap_stream_free(&hs, &stream, x->seq, x->t, x->addr,
						    FL_FN_FREE);
				continue;
			}
			push_block(&batch, &bseq, x);
			push_block(&stream, &sseq, x);
			fl_heap_stream_alloc(&hs, &stream, &sseq);
		}
		fl_heap_replay(&batch, &bseq, frees, nfrees);
		fl_heap_stream_finish(&hs, &stream, &sseq);
		CHECK_EQ_U64(batch.nblocks, 3);
		CHECK_EQ_U64(stream.nblocks, 3);
		for (size_t i = 0; i < 3; i++) {
			struct fl_block *b = &batch.blocks[i], *s = &stream.blocks[i];
			int at_max = b->addr == UINT64_MAX;
			CHECK_EQ_U64(b->t_free, at_max ? FL_T_NEVER : 60);
			CHECK_EQ_U64(s->t_free, b->t_free);
			CHECK_EQ_U64(fl_block_freed_by(s), fl_block_freed_by(b));
		}
		CHECK_EQ_U64(bmem[0].t_free, 0);
		CHECK_EQ_U64(bmem[0].tid_by, 0);
		CHECK_EQ_U64(smem[0].t_free, 0);
		CHECK_EQ_U64(smem[0].tid_by, 0);
		free(bmem);
		free(smem);
	}
}

/* Blocks read as two runs whose second only partly falls before the first's
 * end (a thread's buffer written in the middle of another's calls): seqs
 * 1-190 but 50, 51 and 185, then those three and 191-200. In seq order
 * after the replay, each with its own fields. */
static void late_run_in_the_middle(void)
{
	enum { N = 200 };
	static const uint64_t late[] = {50, 51, 185};
	struct fl_proc p = {0};
	struct fl_seqs seqs = {0};
	uint64_t order[N];
	size_t k = 0;
	for (uint64_t s = 1; s <= 190; s++)
		if (s != 50 && s != 51 && s != 185)
			order[k++] = s;
	for (size_t i = 0; i < 3; i++)
		order[k++] = late[i];
	for (uint64_t s = 191; s <= N; s++)
		order[k++] = s;
	p.blocks = calloc(N, sizeof(struct fl_block));
	for (size_t i = 0; i < N; i++) {
		struct call c = {order[i], 10 * order[i], 0x1000 * order[i], 0, 0, 0};
		push_block(&p, &seqs, &c);
	}
	fl_heap_replay(&p, &seqs, NULL, 0);
	for (size_t i = 0; i < N; i++) {
		CHECK_EQ_U64(p.blocks[i].t_alloc, 10 * (i + 1));
		CHECK_EQ_U64(p.blocks[i].addr, 0x1000 * (i + 1));
		CHECK_EQ_U64(p.blocks[i].t_free, FL_T_NEVER);
	}
	free(p.blocks);
}

int main(void)
{
	reserved_address();
	late_run_in_the_middle();
	static struct call calls[NCALLS], order[NCALLS];
	static const uint64_t seq0[] = {0, 0, UINT64_MAX - 2 * NCALLS, 1ull << 40};
	static const uint64_t step[] = {1, 1ull << 20, 1, 1ull << 30};
	for (unsigned seed = 1; seed <= 20; seed++) {
		size_t n = make_calls(calls, seed, seq0[seed % 4], step[seed % 4]);
		for (int how = 0; how <= 3; how++) {
			arrival(order, calls, n, how);
			compare(order, n);
		}
	}
	return check_result();
}
