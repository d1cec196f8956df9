/*
 * The decoder of the compact heap lines: the mirror of the shim's encoder
 * (preload/record/heapcodec.c), move for move. A value out of range (a slot
 * that holds nothing, a call that stops halfway) means the line is not what
 * the shim wrote: it is reported and its epoch skipped, never guessed at.
 */
#include "read/heapcalls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"
#include "util/xalloc.h"

#define CALL_NAME(name, str) str,
static const char *const call_names[] = {FL_CALLS(CALL_NAME)};
#define NCALLS (sizeof(call_names) / sizeof(call_names[0]))
enum { CALL_MALLOC = 0, CALL_REALLOC = 2 }; /* their place in FL_CALLS */

struct slot {
	uint64_t addr, size;
	int live;
};

struct fl_hc_decoder {
	struct slot *slots;
	uint32_t *free_slots;
	uint32_t nslots, nfree;
	uint64_t prev_addr, prev_size;
	uint64_t freed[FL_HC_BUCKETS][FL_HC_DEPTH];
	uint8_t nfreed[FL_HC_BUCKETS];
	uint64_t next_n;
	int skipping; /* a line of this epoch was lost or bad: wait for n = 0 */
	struct fl_flat f;
};

struct fl_hc_decoder *fl_hc_new(void)
{
	struct fl_hc_decoder *d = fl_xcalloc(1, sizeof(*d));
	d->slots = fl_xcalloc(FL_HC_MAX_SLOTS, sizeof(*d->slots));
	d->free_slots = fl_xcalloc(FL_HC_MAX_SLOTS, sizeof(*d->free_slots));
	return d;
}

void fl_hc_free(struct fl_hc_decoder *d)
{
	if (!d)
		return;
	free(d->slots);
	free(d->free_slots);
	free(d);
}

static void reset(struct fl_hc_decoder *d)
{
	memset(d->slots, 0, d->nslots * sizeof(*d->slots));
	d->nslots = d->nfree = 0;
	d->prev_addr = d->prev_size = 0;
	memset(d->nfreed, 0, sizeof(d->nfreed));
	d->next_n = 0;
	d->skipping = 0;
}

/* The line's integers, one at a time. */
struct cursor {
	const json_t *arr;
	size_t i, n;
	int short_;
};

static int64_t next(struct cursor *c)
{
	if (c->i >= c->n) {
		c->short_ = 1;
		return 0;
	}
	return json_integer_value(json_array_get(c->arr, c->i++));
}

static void remember_freed(struct fl_hc_decoder *d, uint64_t addr, uint64_t size)
{
	uint64_t *f = d->freed[FL_HC_BUCKET(size)];
	uint8_t *n = &d->nfreed[FL_HC_BUCKET(size)];
	if (!addr)
		return;
	memmove(f + 1, f, (FL_HC_DEPTH - 1) * sizeof(*f));
	f[0] = addr;
	if (*n < FL_HC_DEPTH)
		(*n)++;
}

/* fref [delta size]; -1 on a slot that holds nothing */
static int get_free(struct fl_hc_decoder *d, struct cursor *c, uint64_t *addr, uint64_t *size)
{
	int64_t ref = next(c);
	if (ref > 0) {
		struct slot *s;
		if ((uint64_t)ref > d->nslots || !d->slots[ref - 1].live)
			return -1;
		s = &d->slots[ref - 1];
		*addr = s->addr;
		*size = s->size;
		s->live = 0;
		d->free_slots[d->nfree++] = (uint32_t)(ref - 1);
	} else {
		*addr = d->prev_addr + (uint64_t)next(c);
		*size = (uint64_t)next(c);
	}
	if (ref < 0)
		return -1;
	remember_freed(d, *addr, *size);
	return 0;
}

/* size aref [delta]; -1 on a free-list place that holds nothing */
static int get_alloc(struct fl_hc_decoder *d, struct cursor *c, int op, uint64_t *addr,
		     uint64_t *size)
{
	int64_t k;
	unsigned b;
	*size = (uint64_t)next(c);
	b = FL_HC_BUCKET(*size);
	k = next(c);
	if (k > 0) {
		uint64_t *f = d->freed[b];
		if (k > d->nfreed[b])
			return -1;
		*addr = f[k - 1];
		memmove(f + k - 1, f + k, (size_t)(d->nfreed[b] - k) * sizeof(*f));
		d->nfreed[b]--;
	} else if (k == 0) {
		*addr = d->prev_addr + FL_HC_CHUNK(d->prev_size) + (uint64_t)next(c);
	} else {
		return -1;
	}
	d->prev_addr = *addr;
	d->prev_size = *size;
	if (!(op & FL_HC_F_NOSLOT)) {
		uint32_t s;
		if (d->nfree)
			s = d->free_slots[--d->nfree];
		else if (d->nslots < FL_HC_MAX_SLOTS)
			s = d->nslots++;
		else
			return -1;
		d->slots[s] = (struct slot){*addr, *size, 1};
	}
	return 0;
}

static struct fl_flat_val *val(struct fl_flat *f, const char *key, char type)
{
	struct fl_flat_val *v = &f->v[f->n++];
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->klen = strlen(key);
	v->type = type;
	return v;
}

static void put_int(struct fl_flat *f, const char *key, int64_t i)
{
	val(f, key, 'i')->i = i;
}

static void put_addr(struct fl_flat *f, const char *key, uint64_t a)
{
	struct fl_flat_val *v = val(f, key, 's');
	v->s = "";
	v->aok = 1;
	v->a = a;
}

static void put_str(struct fl_flat *f, const char *key, const char *s)
{
	struct fl_flat_val *v = val(f, key, 's');
	v->s = s;
	v->slen = strlen(s);
}

/* One call into d->f; NULL or what is wrong. */
static const char *one_call(struct fl_hc_decoder *d, struct cursor *c, uint64_t *t, uint64_t *seq,
			    int64_t tid)
{
	struct fl_flat *f = &d->f;
	int op = (int)next(c), kind = op & FL_HC_KIND_MASK;
	int64_t fn = kind == FL_HC_REALLOC ? CALL_REALLOC : CALL_MALLOC;
	uint64_t addr, size, old_addr = 0, old_size = 0;
	*t += (uint64_t)next(c);
	*seq += op & FL_HC_F_SEQ ? (uint64_t)next(c) : 1;
	if (op & FL_HC_F_FN)
		fn = next(c);
	if (op < 0 || kind > FL_HC_REALLOC || fn < 0 || (size_t)fn >= NCALLS)
		return "bad call code";
	f->n = 0;
	put_int(f, FL_K_TIME, (int64_t)*t);
	put_int(f, FL_K_SEQ, (int64_t)*seq);
	put_int(f, FL_K_TID, tid);
	if (kind == FL_HC_FREE) {
		f->ev = FL_E_FREE;
		if (get_free(d, c, &addr, &size) < 0)
			return "a freed block that no slot holds";
		put_addr(f, FL_K_ADDR, addr);
		put_int(f, FL_K_SIZE, (int64_t)size);
		return c->short_ ? "the last call is cut short" : NULL;
	}
	f->ev = kind == FL_HC_ALLOC ? FL_E_ALLOC : FL_E_REALLOC;
	put_str(f, FL_K_FUNC, call_names[fn]);
	if (kind == FL_HC_REALLOC) {
		if (get_free(d, c, &old_addr, &old_size) < 0)
			return "a freed block that no slot holds";
		put_addr(f, FL_K_OLD_ADDR, old_addr);
		put_int(f, FL_K_OLD_SIZE, (int64_t)old_size);
	}
	if (get_alloc(d, c, op, &addr, &size) < 0)
		return "an address from an empty free list";
	put_addr(f, FL_K_ADDR, addr);
	put_int(f, FL_K_SIZE, (int64_t)size);
	put_int(f, FL_K_STACK, next(c));
	put_int(f, FL_K_WEIGHT, op & FL_HC_F_WEIGHT ? next(c) : (int64_t)size);
	return c->short_ ? "the last call is cut short" : NULL;
}

const char *fl_hc_expand(struct fl_hc_decoder *d, const json_t *obj,
			 int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
			 void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf,
			 size_t len)
{
	const json_t *arr = json_object_get(obj, FL_K_DATA);
	struct cursor c = {arr, 0, json_array_size(arr), 0};
	uint64_t n = (uint64_t)json_integer_value(json_object_get(obj, FL_K_N));
	uint64_t t = (uint64_t)json_integer_value(json_object_get(obj, FL_K_TIME));
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(obj, FL_K_SEQ)) - 1;
	int64_t tid = json_integer_value(json_object_get(obj, FL_K_TID));
	size_t calls = 0;
	if (n == 0)
		reset(d);
	else if (d->skipping)
		return NULL; /* said so at the first line of the epoch */
	if (n != d->next_n) {
		d->skipping = 1;
		snprintf(buf, len,
			 "heap calls line %llu of its tick where %llu was due (a line was lost); "
			 "the tick's other heap calls skipped",
			 (unsigned long long)n, (unsigned long long)d->next_n);
		return buf;
	}
	d->next_n++;
	while (c.i < c.n && !*stop) {
		const char *msg = one_call(d, &c, &t, &seq, tid);
		calls++;
		if (msg) {
			d->skipping = 1;
			snprintf(buf, len, "heap call %zu: %s; the tick's other heap calls skipped",
				 calls, msg);
			return buf;
		}
		if (flat(ctx, &d->f, loc) < 0)
			*stop = 1;
	}
	return NULL;
}
