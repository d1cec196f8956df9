#include "model/interval.h"

#include <stdlib.h>

#include "util/xalloc.h"

void fl_imap_init(struct fl_imap *m)
{
	m->v = NULL;
	m->maxend = NULL;
	m->n = m->cap = 0;
	m->built = 0;
}

void fl_imap_release(struct fl_imap *m)
{
	free(m->v);
	free(m->maxend);
	fl_imap_init(m);
}

void fl_imap_add(struct fl_imap *m, uint64_t start, uint64_t end, uint64_t val)
{
	if (end <= start)
		return;
	FL_GROW(m->v, m->cap, m->n + 1);
	m->v[m->n].start = start;
	m->v[m->n].end = end;
	m->v[m->n].val = val;
	m->n++;
	m->built = 0;
}

static int cmp_iv(const void *a, const void *b)
{
	const struct fl_interval *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->val < y->val ? -1 : x->val > y->val;
}

void fl_imap_build(struct fl_imap *m)
{
	size_t i, chunks = (m->n + FL_IMAP_CHUNK - 1) / FL_IMAP_CHUNK;
	int sorted = 1;
	for (i = 1; i < m->n && sorted; i++)
		sorted = cmp_iv(&m->v[i - 1], &m->v[i]) <= 0;
	if (!sorted)
		qsort(m->v, m->n, sizeof(*m->v), cmp_iv);
	for (m->leaves = 1; m->leaves < chunks; m->leaves *= 2)
		;
	free(m->maxend);
	m->maxend = fl_xcalloc(2 * m->leaves, sizeof(*m->maxend));
	for (i = 0; i < m->n; i++) {
		uint64_t *leaf = &m->maxend[m->leaves + i / FL_IMAP_CHUNK];
		if (m->v[i].end > *leaf)
			*leaf = m->v[i].end;
	}
	for (i = m->leaves; i-- > 1;)
		m->maxend[i] = m->maxend[2 * i] > m->maxend[2 * i + 1] ? m->maxend[2 * i]
								       : m->maxend[2 * i + 1];
	m->built = 1;
}

/* Number of ranges with start <= addr. */
static size_t upper(const struct fl_imap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct query {
	const struct fl_imap *m;
	uint64_t addr;
	size_t up; /* only ranges [0, up) start at or below addr */
	int (*fn)(const struct fl_interval *iv, void *ctx);
	void *ctx;
};

/* Visits node (covering chunks [lo, lo + width)), right to left: highest start first. */
static int visit(const struct query *q, size_t node, size_t lo, size_t width)
{
	const struct fl_imap *m = q->m;
	int r;
	if (lo * FL_IMAP_CHUNK >= q->up || m->maxend[node] <= q->addr)
		return 0;
	if (width == 1) {
		size_t first = lo * FL_IMAP_CHUNK, last = first + FL_IMAP_CHUNK;
		for (size_t i = last < q->up ? last : q->up; i-- > first;)
			if (m->v[i].end > q->addr && (r = q->fn(&m->v[i], q->ctx)) != 0)
				return r;
		return 0;
	}
	r = visit(q, 2 * node + 1, lo + width / 2, width / 2);
	return r ? r : visit(q, 2 * node, lo, width / 2);
}

int fl_imap_each(const struct fl_imap *m, uint64_t addr,
		 int (*fn)(const struct fl_interval *iv, void *ctx), void *ctx)
{
	struct query q = {m, addr, 0, fn, ctx};
	if (!m->built || !m->n)
		return 0;
	q.up = upper(m, addr);
	return visit(&q, 1, 0, m->leaves);
}

static int first_hit(const struct fl_interval *iv, void *ctx)
{
	*(const struct fl_interval **)ctx = iv;
	return 1;
}

const struct fl_interval *fl_imap_find(const struct fl_imap *m, uint64_t addr)
{
	const struct fl_interval *found = NULL;
	fl_imap_each(m, addr, first_hit, &found);
	return found;
}
