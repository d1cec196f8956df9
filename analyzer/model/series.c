/*
 * Bounded series: pairwise merging keeps every row the same number of
 * ticks (but the last, still filling), so a chart's x axis stays even and
 * the memory stays max_rows rows.
 */
#include "model/series.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void fl_series_init(struct fl_series *s, const enum fl_merge *merge, size_t nfields,
		    size_t max_rows)
{
	memset(s, 0, sizeof(*s));
	s->merge = merge;
	s->nfields = nfields;
	s->max_rows = max_rows < 2 ? 2 : max_rows + (max_rows & 1);
	s->ticks_per_row = 1;
	s->rows = fl_xcalloc(s->max_rows, sizeof(*s->rows));
	s->vals = fl_xcalloc(s->max_rows * (nfields ? nfields : 1), sizeof(int64_t));
	for (size_t i = 0; i < s->max_rows; i++)
		s->rows[i].v = s->vals + i * nfields;
}

void fl_series_release(struct fl_series *s)
{
	free(s->rows);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static int64_t merge_value(enum fl_merge how, int64_t a, int64_t b)
{
	if (a == FL_SERIES_UNKNOWN)
		return b;
	if (b == FL_SERIES_UNKNOWN)
		return a;
	switch (how) {
	case FL_MERGE_SUM:
		return a + b;
	case FL_MERGE_MAX:
		return a > b ? a : b;
	case FL_MERGE_FIRST:
		return a;
	case FL_MERGE_LAST:
		break;
	}
	return b;
}

/* Folds the later row src into dst. */
static void merge_row(const struct fl_series *s, struct fl_series_row *dst,
		      const struct fl_series_row *src)
{
	for (size_t f = 0; f < s->nfields; f++)
		dst->v[f] = merge_value(s->merge[f], dst->v[f], src->v[f]);
	dst->t = src->t;
	dst->span += src->span;
	dst->ticks += src->ticks;
}

/* Full: rows 2i and 2i+1 become row i, and each row now holds twice the ticks. */
static void halve(struct fl_series *s)
{
	for (size_t i = 0; i < s->nrows / 2; i++) {
		struct fl_series_row *dst = &s->rows[i];
		const struct fl_series_row *a = &s->rows[2 * i], *b = &s->rows[2 * i + 1];
		int64_t *v = dst->v;
		if (dst != a) {
			memcpy(v, a->v, s->nfields * sizeof(*v));
			*dst = *a;
			dst->v = v;
		}
		merge_row(s, dst, b);
	}
	s->nrows /= 2;
	s->ticks_per_row *= 2;
}

void fl_series_add(struct fl_series *s, uint64_t t, uint64_t span, const int64_t *v)
{
	struct fl_series_row tick = {t, span, 1, (int64_t *)v};
	if (s->nrows && s->rows[s->nrows - 1].ticks < s->ticks_per_row) {
		merge_row(s, &s->rows[s->nrows - 1], &tick);
		return;
	}
	if (s->nrows == s->max_rows)
		halve(s);
	struct fl_series_row *r = &s->rows[s->nrows++];
	memcpy(r->v, v, s->nfields * sizeof(*v));
	r->t = t;
	r->span = span;
	r->ticks = 1;
}
