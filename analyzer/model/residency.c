/* Replays residency deltas; see residency.h. */
#include <stdlib.h>
#include <string.h>

#include "model/residency.h"
#include "util/xalloc.h"

static void apply(struct fl_res_state *s, const struct fl_res_region *g, uint64_t group)
{
	uint64_t *slot = fl_u64map_slot(&s->idx, g->start);
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
	memset(&s, 0, sizeof(s));
	fl_u64map_init(&s.idx);
	for (size_t i = 0; i < p->nresidency && !r;) {
		uint64_t t = p->residency[i].t;
		group++;
		for (; i < p->nresidency && p->residency[i].t == t; i++)
			for (size_t j = 0; j < p->residency[i].nregions; j++)
				apply(&s, &p->residency[i].regions[j], group);
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
