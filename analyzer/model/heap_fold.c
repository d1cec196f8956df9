/*
 * Per-site heap figures from the blocks, and the fold that keeps them while
 * the freed blocks go (see heap_fold.h).
 */
#include "model/heap_fold.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct ev {
	uint64_t t;
	double d, var; /* bytes and their variance, negative for a free */
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->d > y->d) - (x->d < y->d); /* frees before allocs at the same time */
}

static int cmp_block_stack(const void *a, const void *b, void *ctx)
{
	const struct fl_block *bl = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct fl_block *x = &bl[i], *y = &bl[j];
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	if (x->t_alloc != y->t_alloc)
		return x->t_alloc < y->t_alloc ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * The block indices ordered by stack, then allocation time, then index.
 * The blocks are in allocation order, so their times nearly always
 * ascend: then a counting sort by stack (stable) gives that order in
 * linear time. Otherwise, or when the stack ids are too sparse, qsort.
 */
static size_t *blocks_by_stack(const struct fl_proc *p)
{
	size_t n = p->nblocks, *idx = fl_xmalloc(n * sizeof(*idx)), *start, i;
	uint32_t max = 0;
	int sorted = 1;
	for (i = 0; i < n; i++) {
		if (p->blocks[i].stack > max)
			max = p->blocks[i].stack;
		if (i && p->blocks[i].t_alloc < p->blocks[i - 1].t_alloc)
			sorted = 0;
	}
	if (!sorted || max > 4 * n + 4096) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), cmp_block_stack, p->blocks);
		return idx;
	}
	start = fl_xcalloc((size_t)max + 2, sizeof(*start));
	for (i = 0; i < n; i++)
		start[p->blocks[i].stack + 1]++;
	for (i = 1; i <= (size_t)max + 1; i++)
		start[i] += start[i - 1];
	for (i = 0; i < n; i++)
		idx[start[p->blocks[i].stack]++] = i;
	free(start);
	return idx;
}

static double calls_of(uint64_t size, uint64_t weight)
{
	return size && weight > size ? (double)weight / (double)size : 1.0;
}

/* One site from a run [i, j) of block indices sharing a stack. */
static void site_from_blocks(const struct fl_proc *p, const size_t *idx, size_t n,
			     struct fl_heap_site *s, struct ev **evs, size_t *evcap)
{
	size_t ne = 0, live_n = 0;
	double live = 0, live_var = 0;
	memset(s, 0, sizeof(*s));
	s->stack = p->blocks[idx[0]].stack;
	s->t = p->blocks[idx[0]].t_alloc;
	FL_GROW(*evs, *evcap, 2 * n);
	for (size_t k = 0; k < n; k++) {
		const struct fl_block *b = &p->blocks[idx[k]];
		uint64_t size = fl_block_size(p, b), weight = fl_block_weight(p, b);
		double c = calls_of(size, weight), w = (double)weight;
		double var = w * (w - (double)size);
		s->allocs += c;
		s->bytes += w;
		s->var_allocs += c * (c - 1);
		s->var_bytes += var;
		s->samples++;
		(*evs)[ne++] = (struct ev){b->t_alloc, w, var};
		if (b->t_free == FL_T_NEVER) {
			s->leaked_bytes += w;
			s->leaked_blocks += c;
			s->var_leaked += var;
			s->leaked_sampled_bytes += (double)size;
			s->leaked_samples++;
		} else {
			(*evs)[ne++] = (struct ev){b->t_free, -w, -var};
			if (b->t_free - b->t_alloc < FL_HEAP_TEMPORARY_NS)
				s->temporary += c;
		}
	}
	qsort(*evs, ne, sizeof(**evs), cmp_ev);
	for (size_t k = 0; k < ne; k++) {
		live += (*evs)[k].d;
		live_var += (*evs)[k].var;
		live_n += (*evs)[k].d > 0 ? 1 : -1;
		if (live > s->peak) {
			s->peak = live;
			s->var_peak = live_var;
			s->peak_samples = live_n;
		}
	}
}

struct fl_heap_site *fl_heap_sites_of_blocks(const struct fl_proc *p, size_t *n)
{
	struct fl_heap_site *sites = NULL;
	size_t cap = 0, *idx, i, j;
	struct ev *evs = NULL;
	size_t evcap = 0;
	*n = 0;
	if (!p->nblocks)
		return NULL;
	idx = blocks_by_stack(p);
	for (i = 0; i < p->nblocks; i = j) {
		for (j = i + 1;
		     j < p->nblocks && p->blocks[idx[j]].stack == p->blocks[idx[i]].stack; j++)
			;
		FL_GROW(sites, cap, *n + 1);
		site_from_blocks(p, idx + i, j - i, &sites[(*n)++], &evs, &evcap);
	}
	free(evs);
	free(idx);
	return sites;
}

uint64_t fl_heap_large_size(const struct fl_proc *p)
{
	uint64_t large = p->opt_large > 0 ? (uint64_t)p->opt_large : 65536;
	uint64_t page = p->page_size > 0 ? (uint64_t)p->page_size : 4096;
	return large > page ? large : page;
}

/* The site under each wss region when its line was written, as fl_proc_block_at says. */
static void wss_block_stacks(struct fl_proc *p)
{
	for (size_t i = 0; i < p->nwss; i++)
		for (size_t j = 0; j < p->wss[i].nregions; j++) {
			struct fl_wss_region *g = &p->wss[i].regions[j];
			const struct fl_block *b = fl_proc_block_at(p, g->start, p->wss[i].t);
			g->block_stack = b ? b->stack : 0;
		}
}

_Static_assert(sizeof(struct fl_block_span) <= sizeof(struct fl_block),
	       "the spans are written over the blocks they come from");

/*
 * Every block's span, written over the blocks' own memory front to back:
 * span i ends before block i + 1 starts, and block i is read before its
 * span is written. A second array would raise the very peak the fold is
 * there to lower. p->blocks is gone afterwards.
 */
static void spans_in_place(struct fl_proc *p)
{
	unsigned char *mem = (unsigned char *)p->blocks;
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		uint64_t size = fl_block_size(p, b);
		struct fl_block_span sp = {b->addr, b->addr + (size ? size : 1), b->t_alloc,
					   b->t_free, b->stack};
		memcpy(mem + i * sizeof(sp), &sp, sizeof(sp));
	}
	p->spans = fl_xrealloc(mem, p->nblocks * sizeof(*p->spans));
	p->nspans = p->nblocks;
}

void fl_proc_heap_fold(struct fl_proc *p)
{
	uint64_t large = fl_heap_large_size(p);
	size_t nlarge = 0, nlive = 0;
	struct fl_block *live = NULL;
	if (p->heap_folded)
		return;
	p->heap_folded = 1;
	p->nblocks_recorded = p->nblocks + p->nblocks_dropped;
	p->heap_t_first = p->nblocks ? p->blocks[0].t_alloc : FL_T_NEVER;
	/* The heap section takes a process's own "sites" lines (--all: exact)
	 * over figures from the blocks; the blocks' sort by site and time is
	 * then work for nothing (0.13 -> 0.5 s on a million pairs recorded with
	 * --all --large 1, when every process came to be folded). */
	if (!p->nsites)
		p->heap_sites = fl_heap_sites_of_blocks(p, &p->nheap_sites);
	wss_block_stacks(p);
	for (size_t i = 0; i < p->nblocks; i++)
		nlarge += fl_block_size(p, &p->blocks[i]) >= large;
	if (nlarge) {
		p->large_blocks = fl_xmalloc(nlarge * sizeof(*p->large_blocks));
		for (size_t i = 0; i < p->nblocks; i++)
			if (fl_block_size(p, &p->blocks[i]) >= large)
				p->large_blocks[p->nlarge_blocks++] = p->blocks[i];
	}
	/* the live blocks, in order, apart; the index held every block */
	for (size_t i = 0; i < p->nblocks; i++)
		nlive += p->blocks[i].t_free == FL_T_NEVER;
	if (nlive) {
		live = fl_xmalloc(nlive * sizeof(*live));
		for (size_t i = 0, k = 0; i < p->nblocks; i++)
			if (p->blocks[i].t_free == FL_T_NEVER)
				live[k++] = p->blocks[i];
	}
	if (p->nfaults && p->nblocks)
		spans_in_place(p); /* for the classifier, which runs next */
	else
		free(p->blocks);
	p->blocks = live;
	p->nblocks = nlive;
	fl_imap_release(&p->block_index);
	fl_imap_init(&p->block_index);
}
