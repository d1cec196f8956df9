/* Queries on one process image: heap blocks, stacks, the last ticks, probes. */
#include <string.h>

#include "model/load_faults.h"
#include "model/model.h"

struct block_query {
	const struct fl_proc *p;
	uint64_t t;
	const struct fl_block *found;
};

static int live_block(const struct fl_interval *iv, void *ctx)
{
	struct block_query *q = ctx;
	const struct fl_block *b = &q->p->blocks[iv->val];
	if (b->t_alloc <= q->t && q->t < b->t_free) {
		q->found = b;
		return 1;
	}
	return 0;
}

/* The index is built on first use: many reports never need it. */
static const struct fl_imap *block_index(const struct fl_proc *p)
{
	struct fl_imap *m = (struct fl_imap *)&p->block_index;
	if (!m->built) {
		for (size_t i = 0; i < p->nblocks; i++) {
			uint64_t size = fl_block_size(p, &p->blocks[i]);
			fl_imap_add(m, p->blocks[i].addr, p->blocks[i].addr + (size ? size : 1), i);
		}
		fl_imap_build(m);
	}
	return m;
}

const struct fl_block *fl_proc_block_at(const struct fl_proc *p, uint64_t addr, uint64_t t)
{
	struct block_query q = {p, t, NULL};
	fl_imap_each(block_index(p), addr, live_block, &q);
	return q.found;
}

struct each_ctx {
	const struct fl_proc *p;
	int (*fn)(const struct fl_block *b, void *ctx);
	void *ctx;
};

static int each_block(const struct fl_interval *iv, void *ctx)
{
	struct each_ctx *e = ctx;
	return e->fn(&e->p->blocks[iv->val], e->ctx);
}

int fl_proc_blocks_each(const struct fl_proc *p, uint64_t addr,
			int (*fn)(const struct fl_block *b, void *ctx), void *ctx)
{
	struct each_ctx e = {p, fn, ctx};
	return fl_imap_each(block_index(p), addr, each_block, &e);
}

/*
 * Page -> time of its first sample + 1, built on first use: a forked
 * child asks its parent about each page it faults, and a parent with many
 * children must not be walked once per child.
 */
static const struct fl_u64map *first_fault_index(const struct fl_proc *p)
{
	struct fl_u64map *m = (struct fl_u64map *)&p->first_fault;
	if (!m->cap)
		for (size_t i = 0; i < p->nfaults; i++) {
			uint64_t *slot = fl_u64map_slot(m, p->faults[i].addr >> 12);
			uint64_t t1 = p->faults[i].t + 1; /* 0 (t = UINT64_MAX) precedes nothing */
			if (t1 && (!*slot || t1 < *slot))
				*slot = t1;
		}
	return m;
}

int fl_proc_faulted_before(const struct fl_proc *p, uint64_t page, uint64_t t)
{
	const uint64_t *first = p->nfaults ? fl_u64map_get(first_fault_index(p), page) : NULL;
	return first && *first && *first - 1 < t;
}

int fl_proc_faults_each(const struct fl_proc *p,
			int (*fn)(void *ctx, const struct fl_fault *v, size_t n), void *ctx)
{
	if (!p->nfaults)
		return 0;
	if (p->faults)
		return fn(ctx, p->faults, p->nfaults);
	return fl_load_faults_reread(p, fn, ctx);
}

const struct fl_stack *fl_proc_stack(const struct fl_proc *p, uint32_t id)
{
	size_t lo = 0, hi = p->nstacks;
	if (!id)
		return NULL;
	/* The shim numbers stacks 1, 2, 3...: then id sits at id - 1. */
	if (id <= p->nstacks && p->stacks[id - 1].id == id)
		return &p->stacks[id - 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->stacks[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nstacks && p->stacks[lo].id == id ? &p->stacks[lo] : NULL;
}

const struct fl_counters *fl_proc_last_counters(const struct fl_proc *p)
{
	return p->ncounters ? &p->counters.last : NULL;
}

int64_t fl_proc_shim_cpu_ns(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	int64_t v = c ? c->shim_cpu_ns : -1;
	if (p->exit.present && p->exit.shim_cpu_ns > 0 && p->exit.shim_cpu_ns > v)
		v = p->exit.shim_cpu_ns;
	return v;
}

const struct fl_heap_tick *fl_proc_last_heap(const struct fl_proc *p)
{
	return p->nheap ? &p->heap[p->nheap - 1] : NULL;
}

int fl_proc_ended_by_exec(const struct fl_proc *p)
{
	return p->exit.present && p->exit.how && !strcmp(p->exit.how, "exec");
}

const struct fl_probe *fl_proc_probe(const struct fl_proc *p, const char *name)
{
	for (size_t i = 0; i < p->nprobes; i++)
		if (!strcmp(p->probes[i].name, name))
			return &p->probes[i];
	return NULL;
}
