/*
 * The residency lines, encoded as they load (see struct
 * fl_residency_store): a line is its t, its method (the interned pointer's
 * value), its number of regions, then per region its eleven fields, each
 * the difference from the same slot of the line before (zero past that
 * line's regions), zigzag-encoded in 7-bit groups. The differences wrap in
 * uint64_t arithmetic, so every line comes back exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/varint.h"
#include "util/xalloc.h"

#define NFIELDS (sizeof(struct fl_res_region) / sizeof(uint64_t))

/* A region is its fields, each 8 bytes: read and written as an array. */
_Static_assert(sizeof(struct fl_res_region) == 11 * sizeof(uint64_t),
	       "struct fl_res_region is 11 eight-byte fields");

static void fields_of(uint64_t v[NFIELDS], const struct fl_res_region *g)
{
	if (g)
		memcpy(v, g, sizeof(*g));
	else
		memset(v, 0, sizeof(*g));
}

static void put(struct fl_residency_store *s, uint64_t x)
{
	s->len += fl_varint_put(s->buf + s->len, x);
}

/* Makes room for n regions in *v (capacity *cap), keeping those there. */
static void regions_room(struct fl_res_region **v, size_t *cap, size_t n)
{
	if (n > *cap) {
		*v = fl_xrealloc(*v, n * sizeof(**v));
		*cap = n;
	}
}

void fl_residency_store_add(struct fl_residency_store *s, const struct fl_residency *line)
{
	const struct fl_residency *base = &s->last;
	if (s->n && line->t < s->last.t)
		s->unsorted = 1;
	fl_varbuf_room(&s->buf, s->len, &s->cap,
		       3 * FL_VARINT_MAX + line->nregions * NFIELDS * FL_VARINT_MAX);
	put(s, fl_zigzag(line->t - base->t));
	put(s, fl_zigzag((uint64_t)(uintptr_t)line->method - (uint64_t)(uintptr_t)base->method));
	put(s, line->nregions);
	for (size_t j = 0; j < line->nregions; j++) {
		uint64_t a[NFIELDS], b[NFIELDS];
		fields_of(a, j < base->nregions ? &base->regions[j] : NULL);
		fields_of(b, &line->regions[j]);
		for (size_t f = 0; f < NFIELDS; f++)
			put(s, fl_zigzag(b[f] - a[f]));
	}
	regions_room(&s->last.regions, &s->caplast, line->nregions);
	if (line->nregions)
		memcpy(s->last.regions, line->regions, line->nregions * sizeof(*line->regions));
	s->last.t = line->t;
	s->last.method = line->method;
	s->last.nregions = line->nregions;
	s->n++;
}

static int cmp_res(const void *a, const void *b)
{
	const struct fl_residency *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

void fl_residency_store_sort(struct fl_residency_store *s)
{
	if (s->unsorted) {
		/* Rare (lines written out of order): the lines once, sorted as the
		 * loader sorted the array before, then encoded again. */
		struct fl_residency *v = fl_xmalloc(s->n * sizeof(*v));
		struct fl_residency_cursor k;
		const struct fl_residency *c;
		size_t n = 0;
		fl_residency_begin(&k, s);
		while ((c = fl_residency_next(&k)) != NULL) {
			v[n] = *c;
			v[n].regions =
			    fl_xmalloc((c->nregions ? c->nregions : 1) * sizeof(*c->regions));
			if (c->nregions)
				memcpy(v[n].regions, c->regions, c->nregions * sizeof(*c->regions));
			n++;
		}
		fl_residency_end(&k);
		qsort(v, n, sizeof(*v), cmp_res);
		fl_residency_store_release(s);
		for (size_t i = 0; i < n; i++) {
			fl_residency_store_add(s, &v[i]);
			free(v[i].regions);
		}
		free(v);
	}
	fl_varbuf_trim(&s->buf, s->len, &s->cap);
}

void fl_residency_store_release(struct fl_residency_store *s)
{
	free(s->buf);
	free(s->last.regions);
	memset(s, 0, sizeof(*s));
}

void fl_residency_begin(struct fl_residency_cursor *k, const struct fl_residency_store *s)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
}

const struct fl_residency *fl_residency_next(struct fl_residency_cursor *k)
{
	const unsigned char *b = k->s->buf;
	size_t n, prev;
	if (k->i >= k->s->n)
		return NULL;
	k->c.t += fl_unzigzag(fl_varint_get(b, &k->pos));
	k->c.method = (const char *)(uintptr_t)((uint64_t)(uintptr_t)k->c.method +
						fl_unzigzag(fl_varint_get(b, &k->pos)));
	n = (size_t)fl_varint_get(b, &k->pos);
	prev = k->c.nregions;
	regions_room(&k->c.regions, &k->cap, n);
	for (size_t j = 0; j < n; j++) {
		uint64_t v[NFIELDS];
		fields_of(v, j < prev ? &k->c.regions[j] : NULL);
		for (size_t f = 0; f < NFIELDS; f++)
			v[f] += fl_unzigzag(fl_varint_get(b, &k->pos));
		memcpy(&k->c.regions[j], v, sizeof(v));
	}
	k->c.nregions = n;
	k->i++;
	return &k->c;
}

void fl_residency_end(struct fl_residency_cursor *k)
{
	free(k->c.regions);
	k->c.regions = NULL;
	k->cap = 0;
}
