/* Replays residency deltas; see residency.h. */
#include <stdlib.h>
#include <string.h>

#include "model/residency.h"
#include "util/xalloc.h"

/*
 * VMAs never overlap at one time: a row that overlaps the one just written is
 * the same memory before it grew, shrank, split or merged, and counting both
 * would count those pages twice.
 */
static void evict_overlapping(struct fl_res_state *s, uint64_t start, uint64_t end, uint64_t group)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->alive[k] && s->group[k] != group && s->v[k].start < end &&
		    start < s->v[k].end)
			s->alive[k] = 0;
}

static void apply(struct fl_res_state *s, const struct fl_res_region *g, uint64_t group)
{
	uint64_t *slot;
	evict_overlapping(s, g->start, g->end, group);
	slot = fl_u64map_slot(&s->idx, g->start);
	if (!*slot) {
		size_t cap = s->cap;
		FL_GROW(s->v, s->cap, s->n + 1);
		if (s->cap != cap) {
			s->alive = fl_xrealloc(s->alive, s->cap);
			s->group = fl_xrealloc(s->group, s->cap * sizeof(*s->group));
		}
		*slot = ++s->n;
	}
	s->v[*slot - 1] = *g;
	s->alive[*slot - 1] = 1;
	s->group[*slot - 1] = group;
}

/*
 * The range a successful munmap or mremap took away, or 0: a VMA removed
 * whole between two ticks gets no row of its own, and the maps snapshot in
 * force may be older than the call.
 */
static int removed_range(const struct fl_map_call *c, uint64_t *start, uint64_t *end)
{
	uint64_t old_end = c->old_addr + ((c->old_size + 4095) & ~(uint64_t)4095);
	if (c->err || c->result == UINT64_MAX)
		return 0;
	if (c->fn == FL_FN_MUNMAP) {
		*start = c->addr;
		*end = c->addr + ((c->size + 4095) & ~(uint64_t)4095);
		return 1;
	}
	if (c->fn != FL_FN_MREMAP)
		return 0;
	*start = c->result == c->old_addr ? c->old_addr + ((c->size + 4095) & ~(uint64_t)4095)
					  : c->old_addr;
	*end = old_end;
	return *start < *end;
}

/* Drops the rows whose memory calls made up to time t unmapped; returns the next call. */
static size_t apply_unmaps(const struct fl_proc *p, size_t next, uint64_t t, struct fl_res_state *s,
			   uint64_t group)
{
	uint64_t start, end;
	for (; next < p->ncalls && p->calls[next].t <= t; next++)
		if (removed_range(&p->calls[next], &start, &end))
			evict_overlapping(s, start, end, group);
	return next;
}

static int mapped(const struct fl_maps_snap *m, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = m ? m->nvmas : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->vmas[mid].end <= start)
			lo = mid + 1;
		else if (m->vmas[mid].start >= end)
			hi = mid;
		else
			return 1;
	}
	return !m;
}

int fl_res_walk(const struct fl_proc *p, int (*fn)(const struct fl_res_state *s, void *ctx),
		void *ctx)
{
	struct fl_res_state s;
	int r = 0;
	uint64_t group = 0;
	size_t next_call = 0;
	struct fl_residency_cursor rc;
	const struct fl_residency *x;
	memset(&s, 0, sizeof(s));
	fl_u64map_init(&s.idx);
	fl_residency_begin(&rc, &p->residency);
	x = fl_residency_next(&rc);
	while (x && !r) {
		uint64_t t = x->t;
		group++;
		next_call = apply_unmaps(p, next_call, t, &s, group);
		for (; x && x->t == t; x = fl_residency_next(&rc))
			for (size_t j = 0; j < x->nregions; j++)
				apply(&s, &x->regions[j], group);
		const struct fl_maps_snap *m = fl_proc_maps_at(p, t);
		if (m && m->t > t)
			m = NULL; /* no snapshot yet: trust the lines */
		for (size_t k = 0; k < s.n; k++)
			if (s.alive[k] && s.group[k] != group &&
			    !mapped(m, s.v[k].start, s.v[k].end))
				s.alive[k] = 0;
		s.t = t;
		r = fn(&s, ctx);
	}
	fl_residency_end(&rc);
	free(s.v);
	free(s.alive);
	free(s.group);
	fl_u64map_release(&s.idx);
	return r;
}

int64_t fl_res_sum(const struct fl_res_state *s, enum fl_res_col col, uint64_t start, uint64_t end)
{
	int64_t sum = -1;
	for (size_t k = 0; k < s->n; k++) {
		const struct fl_res_region *g = &s->v[k];
		int64_t v = col == FL_RES_PRESENT   ? g->present
			    : col == FL_RES_SWAPPED ? g->swapped
			    : col == FL_RES_FILE    ? g->file
			    : col == FL_RES_EXCL    ? g->anon_exclusive
			    : col == FL_RES_SHARED  ? g->anon_shared
			    : col == FL_RES_MOVED   ? g->moved
						    : g->referenced;
		if (!s->alive[k] || v < 0 || g->start >= end || start >= g->end)
			continue;
		sum = (sum < 0 ? 0 : sum) + v;
	}
	return sum;
}
