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
	int64_t prev_stack;
	int have_stack; /* an allocation without its stack has the previous one's */
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
	d->have_stack = 0;
	memset(d->nfreed, 0, sizeof(d->nfreed));
	d->next_n = 0;
	d->skipping = 0;
}

/* One call as either form gives it, before the codec's moves. */
struct call {
	int kind;
	int64_t dt;   /* in the line's unit: ns (version 2) or us (3) */
	int64_t dseq; /* 1 unless given */
	int64_t fn;   /* -1: the kind's default */
	/* free part: slot >= 0, or the address as a delta from the previous one */
	int64_t slot, fdelta, fsize;
	/* alloc part: place k >= 1 in the free list, or 0 and adelta */
	int64_t size, place, adelta, stack, weight;
	int has_stack, has_weight, noslot;
};

/* Version 2: "d", the line's integers, one at a time. */
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

static const char *parse_v2(struct cursor *c, struct call *k)
{
	int64_t op = next(c), ref;
	memset(k, 0, sizeof(*k));
	k->kind = (int)(op & FL_HC_KIND_MASK);
	k->dt = next(c);
	k->dseq = op & FL_HC_F_SEQ ? next(c) : 1;
	k->fn = op & FL_HC_F_FN ? next(c) : -1;
	k->noslot = !!(op & FL_HC_F_NOSLOT);
	if (op < 0 || op > 63 || k->kind > FL_HC_REALLOC || (op & FL_HC_F_FN && k->fn < 0))
		return "bad call code";
	if (k->kind != FL_HC_ALLOC) {
		ref = next(c);
		if (ref < 0)
			return "a freed block that no slot holds";
		k->slot = ref - 1;
		if (!ref) {
			k->fdelta = next(c);
			k->fsize = next(c);
		}
	}
	if (k->kind != FL_HC_FREE) {
		k->size = next(c);
		k->place = next(c);
		if (k->place < 0)
			return "an address from an empty free list";
		if (!k->place)
			k->adelta = next(c);
		k->stack = next(c);
		k->has_stack = 1;
		k->has_weight = !!(op & FL_HC_F_WEIGHT);
		k->weight = k->has_weight ? next(c) : 0;
	}
	return c->short_ ? "the last call is cut short" : NULL;
}

/* Version 3: "c", a string of tokens: a letter, then (but for r and x) a
 * decimal integer. Strict: anything else is an error, never skipped. */
struct scan {
	const char *s;
	size_t i, n;
};

/* Takes the token `letter` if it comes next; 1 with its number in *v. */
static int token(struct scan *sc, char letter, int64_t *v)
{
	uint64_t u = 0;
	size_t i = sc->i + 1, start;
	int neg;
	if (sc->i >= sc->n || sc->s[sc->i] != letter)
		return 0;
	if (!v) {
		sc->i = i;
		return 1;
	}
	neg = i < sc->n && sc->s[i] == '-';
	i += (size_t)neg;
	start = i;
	while (i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9') {
		unsigned digit = (unsigned)(sc->s[i] - '0');
		if (u > (UINT64_MAX - digit) / 10)
			return -1;
		u = u * 10 + digit;
		i++;
	}
	if (i == start || i - start > 20)
		return -1;
	sc->i = i;
	*v = neg ? (int64_t)(0 - u) : (int64_t)u; /* deltas wrap as the shim's do */
	return 1;
}

/* Each optional token: 0 absent, 1 present, -1 malformed (set *bad). */
static int opt(struct scan *sc, char letter, int64_t *v, int *bad)
{
	int r = token(sc, letter, v);
	if (r < 0)
		*bad = 1;
	return r > 0;
}

static const char *parse_v3(struct scan *sc, struct call *k)
{
	int bad = 0, realloc_, has_free = 0;
	memset(k, 0, sizeof(*k));
	k->dseq = 1;
	k->fn = -1;
	k->slot = -1;
	opt(sc, 't', &k->dt, &bad);
	opt(sc, 'q', &k->dseq, &bad);
	if (opt(sc, 'c', &k->fn, &bad) && k->fn < 0)
		return "bad call code";
	realloc_ = opt(sc, 'r', NULL, &bad);
	if (opt(sc, 'f', &k->slot, &bad)) {
		has_free = 1;
		if (k->slot < 0)
			return "a freed block that no slot holds";
	} else if (opt(sc, 'g', &k->fdelta, &bad)) {
		has_free = 1;
		if (!opt(sc, 'z', &k->fsize, &bad) && !bad)
			return "a freed address without its size";
	}
	if (bad)
		return "a malformed number";
	if (realloc_ && !has_free)
		return "a realloc without the block it frees";
	if (has_free && !realloc_) {
		k->kind = FL_HC_FREE;
		return NULL;
	}
	k->kind = realloc_ ? FL_HC_REALLOC : FL_HC_ALLOC;
	if (!opt(sc, 'a', &k->size, &bad))
		return bad	       ? "a malformed number"
		       : sc->i < sc->n ? "bad call code"
				       : "the last call is cut short";
	k->place = 1;
	if (opt(sc, 'k', &k->place, &bad)) {
		if (k->place < 1)
			return "an address from an empty free list";
	} else if (opt(sc, 'd', &k->adelta, &bad)) {
		k->place = 0;
	}
	k->has_stack = opt(sc, 's', &k->stack, &bad);
	k->has_weight = opt(sc, 'w', &k->weight, &bad);
	k->noslot = opt(sc, 'x', NULL, &bad);
	return bad ? "a malformed number" : NULL;
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

/* The free part's moves; -1 on a slot that holds nothing. */
static int do_free(struct fl_hc_decoder *d, const struct call *k, uint64_t *addr, uint64_t *size)
{
	if (k->slot >= 0) {
		struct slot *s;
		if ((uint64_t)k->slot >= d->nslots || !d->slots[k->slot].live)
			return -1;
		s = &d->slots[k->slot];
		*addr = s->addr;
		*size = s->size;
		s->live = 0;
		d->free_slots[d->nfree++] = (uint32_t)k->slot;
	} else {
		*addr = d->prev_addr + (uint64_t)k->fdelta;
		*size = (uint64_t)k->fsize;
	}
	remember_freed(d, *addr, *size);
	return 0;
}

/* The alloc part's moves; -1 on a free-list place that holds nothing. */
static int do_alloc(struct fl_hc_decoder *d, const struct call *k, uint64_t *addr)
{
	uint64_t size = (uint64_t)k->size;
	unsigned b = FL_HC_BUCKET(size);
	if (k->place > 0) {
		uint64_t *f = d->freed[b];
		if (k->place > d->nfreed[b])
			return -1;
		*addr = f[k->place - 1];
		memmove(f + k->place - 1, f + k->place,
			(size_t)(d->nfreed[b] - k->place) * sizeof(*f));
		d->nfreed[b]--;
	} else {
		*addr = d->prev_addr + FL_HC_CHUNK(d->prev_size) + (uint64_t)k->adelta;
	}
	d->prev_addr = *addr;
	d->prev_size = size;
	if (!k->noslot) {
		uint32_t s;
		if (d->nfree)
			s = d->free_slots[--d->nfree];
		else if (d->nslots < FL_HC_MAX_SLOTS)
			s = d->nslots++;
		else
			return -1;
		d->slots[s] = (struct slot){*addr, size, 1};
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

/* One parsed call into d->f, moving the codec's state; NULL or what is wrong. */
static const char *apply(struct fl_hc_decoder *d, const struct call *k, uint64_t *t, uint64_t *seq,
			 int64_t tid)
{
	struct fl_flat *f = &d->f;
	int64_t fn = k->fn >= 0 ? k->fn : k->kind == FL_HC_REALLOC ? CALL_REALLOC : CALL_MALLOC;
	uint64_t addr, size;
	*t += (uint64_t)k->dt;
	*seq += (uint64_t)k->dseq;
	if ((size_t)fn >= NCALLS)
		return "bad call code";
	f->n = 0;
	put_int(f, FL_K_TIME, (int64_t)*t);
	put_int(f, FL_K_SEQ, (int64_t)*seq);
	put_int(f, FL_K_TID, tid);
	if (k->kind == FL_HC_FREE) {
		f->ev = FL_E_FREE;
		if (do_free(d, k, &addr, &size) < 0)
			return "a freed block that no slot holds";
		put_addr(f, FL_K_ADDR, addr);
		put_int(f, FL_K_SIZE, (int64_t)size);
		return NULL;
	}
	f->ev = k->kind == FL_HC_ALLOC ? FL_E_ALLOC : FL_E_REALLOC;
	put_str(f, FL_K_FUNC, call_names[fn]);
	if (k->kind == FL_HC_REALLOC) {
		if (do_free(d, k, &addr, &size) < 0)
			return "a freed block that no slot holds";
		put_addr(f, FL_K_OLD_ADDR, addr);
		put_int(f, FL_K_OLD_SIZE, (int64_t)size);
	}
	if (!k->has_stack && !d->have_stack)
		return "an allocation without its stack";
	if (k->has_stack) {
		d->prev_stack = k->stack;
		d->have_stack = 1;
	}
	if (do_alloc(d, k, &addr) < 0)
		return "an address from an empty free list";
	put_addr(f, FL_K_ADDR, addr);
	put_int(f, FL_K_SIZE, k->size);
	put_int(f, FL_K_STACK, d->prev_stack);
	put_int(f, FL_K_WEIGHT, k->has_weight ? k->weight : k->size);
	return NULL;
}

const char *fl_hc_expand(struct fl_hc_decoder *d, const json_t *obj,
			 int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
			 void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf,
			 size_t len)
{
	const json_t *str = json_object_get(obj, FL_K_HC_CALLS);
	const json_t *arr = json_object_get(obj, FL_K_DATA);
	struct cursor c = {arr, 0, json_array_size(arr), 0};
	struct scan sc = {json_string_value(str), 0, json_string_length(str)};
	uint64_t n = (uint64_t)json_integer_value(json_object_get(obj, FL_K_N));
	uint64_t t = (uint64_t)json_integer_value(json_object_get(obj, FL_K_TIME));
	uint64_t seq = (uint64_t)json_integer_value(json_object_get(obj, FL_K_SEQ)) - 1;
	int64_t tid = json_integer_value(json_object_get(obj, FL_K_TID));
	uint64_t unit = str ? 1000 : 1; /* version 3 counts whole us, 2 ns */
	size_t calls = 0;
	if (!str == !arr)
		return str ? "heap calls line with both 'c' and 'd'; line skipped"
			   : "heap calls line without 'c' (or 'd'); line skipped";
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
	while ((str ? sc.i < sc.n : c.i < c.n) && !*stop) {
		struct call k;
		const char *msg = str ? parse_v3(&sc, &k) : parse_v2(&c, &k);
		calls++;
		if (!msg) {
			k.dt *= (int64_t)unit;
			msg = apply(d, &k, &t, &seq, tid);
		}
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
