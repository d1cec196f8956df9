#include "interval.h"

#include <stdlib.h>

#include "xalloc.h"

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
	size_t i;
	int sorted = 1;
	for (i = 1; i < m->n && sorted; i++)
		sorted = cmp_iv(&m->v[i - 1], &m->v[i]) <= 0;
	if (!sorted)
		qsort(m->v, m->n, sizeof(*m->v), cmp_iv);
	free(m->maxend);
	m->maxend = fl_xmalloc((m->n ? m->n : 1) * sizeof(*m->maxend));
	for (i = 0; i < m->n; i++)
		m->maxend[i] = i && m->maxend[i - 1] > m->v[i].end ? m->maxend[i - 1] : m->v[i].end;
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

int fl_imap_each(const struct fl_imap *m, uint64_t addr,
		 int (*fn)(const struct fl_interval *iv, void *ctx), void *ctx)
{
	size_t i;
	if (!m->built || !m->n)
		return 0;
	/* Walk back while some earlier range may still reach addr. */
	for (i = upper(m, addr); i-- > 0 && m->maxend[i] > addr;) {
		if (m->v[i].end > addr) {
			int r = fn(&m->v[i], ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

const struct fl_interval *fl_imap_find(const struct fl_imap *m, uint64_t addr)
{
	size_t i;
	if (!m->built || !m->n)
		return NULL;
	for (i = upper(m, addr); i-- > 0 && m->maxend[i] > addr;)
		if (m->v[i].end > addr)
			return &m->v[i];
	return NULL;
}
