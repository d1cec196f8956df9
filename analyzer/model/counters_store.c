/*
 * The counters lines, encoded as they load (see struct fl_counters_store):
 * a line is the mask of its fields that differ from the line before, then
 * the difference of each, zigzag-encoded in 7-bit groups. The differences
 * wrap in uint64_t arithmetic, so any value, -1 (unknown) included, comes
 * back exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/varint.h"
#include "util/xalloc.h"

#define NFIELDS (sizeof(struct fl_counters) / sizeof(uint64_t))

/* The struct is its fields, each 8 bytes, t first: read and written as an array. */
_Static_assert(sizeof(struct fl_counters) == 31 * sizeof(uint64_t),
	       "struct fl_counters is 31 eight-byte fields");
_Static_assert(NFIELDS <= 32, "the change mask is 32 bits");

/* The largest encoded line: the mask, then every field (10 bytes each at most). */
#define LINE_MAX_BYTES (5 + NFIELDS * 10)

static void fields_of(uint64_t *v, const struct fl_counters *c)
{
	memcpy(v, c, sizeof(*c));
}

/* Appends c encoded against the line before it (base; all zeros for the first). */
static void encode(struct fl_counters_store *s, const struct fl_counters *base,
		   const struct fl_counters *c)
{
	uint64_t a[NFIELDS], b[NFIELDS];
	uint32_t mask = 0;
	unsigned char *o;
	fields_of(a, base);
	fields_of(b, c);
	for (size_t i = 0; i < NFIELDS; i++)
		if (a[i] != b[i])
			mask |= 1u << i;
	fl_varbuf_room(&s->buf, s->len, &s->cap, LINE_MAX_BYTES);
	o = s->buf + s->len;
	s->len += fl_varint_put(o, mask);
	for (size_t i = 0; i < NFIELDS; i++)
		if (mask & 1u << i)
			s->len += fl_varint_put(s->buf + s->len, fl_zigzag(b[i] - a[i]));
}

void fl_counters_store_add(struct fl_counters_store *s, const struct fl_counters *c)
{
	static const struct fl_counters zero;
	if (s->n && c->t < s->last.t)
		s->unsorted = 1;
	encode(s, s->n ? &s->last : &zero, c);
	s->last = *c;
	s->n++;
}

static int cmp_counters(const void *a, const void *b)
{
	const struct fl_counters *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

void fl_counters_store_sort(struct fl_counters_store *s)
{
	if (s->unsorted) {
		/* Rare (lines written out of order): the whole array once, sorted
		 * as the loader sorted it before, then encoded again. */
		struct fl_counters *v = fl_xmalloc(s->n * sizeof(*v));
		struct fl_counters_cursor k;
		const struct fl_counters *c;
		size_t n = 0;
		fl_counters_begin(&k, s);
		while ((c = fl_counters_next(&k)) != NULL)
			v[n++] = *c;
		qsort(v, n, sizeof(*v), cmp_counters);
		free(s->buf);
		memset(s, 0, sizeof(*s));
		for (size_t i = 0; i < n; i++)
			fl_counters_store_add(s, &v[i]);
		free(v);
	}
	fl_varbuf_trim(&s->buf, s->len, &s->cap);
}

void fl_counters_store_release(struct fl_counters_store *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

void fl_counters_begin(struct fl_counters_cursor *k, const struct fl_counters_store *s)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
}

const struct fl_counters *fl_counters_next(struct fl_counters_cursor *k)
{
	uint64_t v[NFIELDS];
	uint32_t mask;
	if (k->i >= k->s->n)
		return NULL;
	fields_of(v, &k->c);
	mask = (uint32_t)fl_varint_get(k->s->buf, &k->pos);
	for (size_t i = 0; i < NFIELDS; i++)
		if (mask & 1u << i)
			v[i] += fl_unzigzag(fl_varint_get(k->s->buf, &k->pos));
	memcpy(&k->c, v, sizeof(k->c));
	k->i++;
	return &k->c;
}
