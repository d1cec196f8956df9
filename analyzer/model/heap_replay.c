/*
 * The heap replay: allocations and frees in seq order give every block the
 * time it was freed, and by what.
 */
#include "model/heap_replay.h"

#include <stdlib.h>

#include "util/xalloc.h"

/* addr -> live block index; linear probing with backward-shift deletion. */
struct livemap {
	uint64_t *key; /* 0 = empty (no block lives at address 0) */
	size_t *val;
	size_t n, cap;
};

static size_t lm_slot(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & mask;
}

static void lm_put(struct livemap *lm, uint64_t k, size_t v);

static void lm_grow(struct livemap *lm)
{
	struct livemap n = {NULL, NULL, 0, lm->cap ? lm->cap * 2 : 1024};
	n.key = fl_xcalloc(n.cap, sizeof(*n.key));
	n.val = fl_xmalloc(n.cap * sizeof(*n.val));
	for (size_t i = 0; i < lm->cap; i++)
		if (lm->key[i])
			lm_put(&n, lm->key[i], lm->val[i]);
	free(lm->key);
	free(lm->val);
	*lm = n;
}

static void lm_put(struct livemap *lm, uint64_t k, size_t v)
{
	size_t i, mask;
	if ((lm->n + 1) * 2 > lm->cap)
		lm_grow(lm);
	mask = lm->cap - 1;
	for (i = lm_slot(k, mask); lm->key[i] && lm->key[i] != k; i = (i + 1) & mask)
		;
	if (!lm->key[i])
		lm->n++;
	lm->key[i] = k;
	lm->val[i] = v;
}

/* Removes k; returns its value or SIZE_MAX when absent. */
static size_t lm_take(struct livemap *lm, uint64_t k)
{
	size_t i, j, mask, v;
	if (!lm->cap || !k)
		return SIZE_MAX;
	mask = lm->cap - 1;
	for (i = lm_slot(k, mask); lm->key[i] != k; i = (i + 1) & mask)
		if (!lm->key[i])
			return SIZE_MAX;
	v = lm->val[i];
	lm->key[i] = 0;
	lm->n--;
	/* Shift later members of the cluster back so lookups still find them. */
	for (j = (i + 1) & mask; lm->key[j]; j = (j + 1) & mask) {
		size_t home = lm_slot(lm->key[j], mask);
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			lm->key[i] = lm->key[j];
			lm->val[i] = lm->val[j];
			lm->key[j] = 0;
			i = j;
		}
	}
	return v;
}

static void free_block(struct fl_proc *p, struct livemap *lm, uint64_t addr, uint64_t t, int by)
{
	size_t b = lm_take(lm, addr);
	if (b == SIZE_MAX)
		return;
	p->blocks[b].t_free = t;
	p->blocks[b].freed_by = (uint8_t)by;
}

static int cmp_free(const void *a, const void *b)
{
	const struct fl_heap_free *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_seq_idx(const void *a, const void *b, void *ctx)
{
	const uint64_t *seq = ctx;
	uint64_t x = seq[*(const size_t *)a], y = seq[*(const size_t *)b];
	return x < y ? -1 : x > y;
}

/*
 * The indices 0..n-1 ordered by seq[], stably, when seq[] is a few
 * ascending runs (threads' buffers flushed one after the other): the runs
 * are merged pairwise, O(n log runs). Returns NULL when there are too many
 * runs for that to beat qsort_r.
 */
#define MAX_RUNS 64
static size_t *merge_runs(const uint64_t *seq, size_t n)
{
	size_t starts[MAX_RUNS + 1], nruns = 0, *idx, *tmp;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || seq[i - 1] > seq[i]) {
			if (nruns == MAX_RUNS)
				return NULL;
			starts[nruns++] = i;
		}
	starts[nruns] = n;
	idx = fl_xmalloc(n * sizeof(*idx));
	tmp = fl_xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	while (nruns > 1) {
		size_t k = 0, *t;
		for (size_t r = 0; r < nruns; r += 2) {
			/* Runs r and r + 1 (empty when r is the last) into tmp. */
			size_t a = starts[r], m = starts[r + 1];
			size_t e = r + 2 <= nruns ? starts[r + 2] : m, i = a, j = m, o = a;
			while (i < m && j < e)
				tmp[o++] = seq[idx[j]] < seq[idx[i]] ? idx[j++] : idx[i++];
			while (i < m)
				tmp[o++] = idx[i++];
			while (j < e)
				tmp[o++] = idx[j++];
			starts[k++] = a;
		}
		starts[k] = n;
		nruns = k;
		t = idx;
		idx = tmp;
		tmp = t;
	}
	free(tmp);
	return idx;
}

/* Puts the blocks in allocation (seq) order, and *block_seq with them; usually they already are. */
static void order_blocks(struct fl_proc *p, uint64_t **block_seq)
{
	uint64_t *seq = *block_seq, *ns;
	size_t i, *idx;
	struct fl_block *nb;
	for (i = 1; i < p->nblocks; i++)
		if (seq[i - 1] > seq[i])
			break;
	if (i >= p->nblocks)
		return;
	idx = merge_runs(seq, p->nblocks);
	if (!idx) {
		idx = fl_xmalloc(p->nblocks * sizeof(*idx));
		for (i = 0; i < p->nblocks; i++)
			idx[i] = i;
		qsort_r(idx, p->nblocks, sizeof(*idx), cmp_seq_idx, seq);
	}
	nb = fl_xmalloc(p->nblocks * sizeof(*nb));
	ns = fl_xmalloc(p->nblocks * sizeof(*ns));
	for (i = 0; i < p->nblocks; i++) {
		nb[i] = p->blocks[idx[i]];
		ns[i] = seq[idx[i]];
	}
	free(p->blocks);
	free(seq);
	free(idx);
	p->blocks = nb;
	*block_seq = ns;
}

/* The frees in seq order; usually they already are. */
static void order_frees(struct fl_heap_free *frees, size_t nfrees)
{
	size_t i;
	for (i = 1; i < nfrees && frees[i - 1].seq <= frees[i].seq; i++)
		;
	if (i < nfrees)
		qsort(frees, nfrees, sizeof(*frees), cmp_free);
}

void fl_heap_replay(struct fl_proc *p, uint64_t *block_seq, struct fl_heap_free *frees,
		    size_t nfrees)
{
	struct livemap lm = {NULL, NULL, 0, 0};
	size_t b = 0, f = 0;
	order_blocks(p, &block_seq);
	order_frees(frees, nfrees);
	while (b < p->nblocks || f < nfrees) {
		if (f < nfrees && (b == p->nblocks || frees[f].seq <= block_seq[b])) {
			free_block(p, &lm, frees[f].addr, frees[f].t, frees[f].by);
			f++;
			continue;
		}
		/* A block still live at the same address: its free was not recorded. */
		free_block(p, &lm, p->blocks[b].addr, p->blocks[b].t_alloc, FL_FN_COUNT);
		lm_put(&lm, p->blocks[b].addr, b);
		b++;
	}
	free(lm.key);
	free(lm.val);
	free(frees);
	free(block_seq);
}
