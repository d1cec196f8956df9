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

#include "faultline/hccoded.h"
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
	/* The free lists, newest first: rings, entry i of bucket b being
	 * freed[b][(head[b] + i) & (depth - 1)], so that pushing a freed address
	 * and taking the newest move no other (the shifts were a tenth of the
	 * decoder's time). */
	uint64_t freed[FL_HC_BUCKETS][FL_HC_DEPTH];
	uint8_t nfreed[FL_HC_BUCKETS], head[FL_HC_BUCKETS];
	unsigned depth; /* of the free lists: the trace version's, a power of two */
	uint64_t next_n;
	int skipping;		  /* a line of this epoch was lost or bad: wait for n = 0 */
	struct fl_flat shapes[3]; /* by FL_HC_ALLOC, _FREE, _REALLOC: see shape() */
	/* Version 4: the models of the epoch, and one line decoded back into
	 * version 3's letters and numbers (column c's at nums + c * cap). */
	struct fl_hc_models models;
	uint8_t *bytes;
	char *letters;
	uint64_t *nums;
	size_t bytes_cap, cap;
	int (*typed)(void *, const struct fl_heap_call *); /* else the records go to flat() */
};

struct fl_hc_decoder *fl_hc_new(void)
{
	struct fl_hc_decoder *d = fl_xcalloc(1, sizeof(*d));
	d->slots = fl_xcalloc(FL_HC_MAX_SLOTS, sizeof(*d->slots));
	d->free_slots = fl_xcalloc(FL_HC_MAX_SLOTS, sizeof(*d->free_slots));
	return d;
}

void fl_hc_deliver_typed(struct fl_hc_decoder *d, int (*heap)(void *, const struct fl_heap_call *))
{
	d->typed = heap;
}

void fl_hc_free(struct fl_hc_decoder *d)
{
	if (!d)
		return;
	free(d->slots);
	free(d->free_slots);
	free(d->bytes);
	free(d->letters);
	free(d->nums);
	free(d);
}

static void reset(struct fl_hc_decoder *d)
{
	memset(d->slots, 0, d->nslots * sizeof(*d->slots));
	d->nslots = d->nfree = 0;
	d->prev_addr = d->prev_size = 0;
	d->have_stack = 0;
	memset(d->nfreed, 0, sizeof(d->nfreed));
	memset(d->head, 0, sizeof(d->head));
	d->next_n = 0;
	d->skipping = 0;
	fl_hc_models_init(&d->models);
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

/* Version 3: columns of one string each (schema.h). Strict: a column that
 * runs short or long, or a number that is not one, is an error. */
struct column {
	const char *s;
	size_t i, n, width; /* width: fixed columns' digits per number */
	const uint64_t *v;  /* version 4: the n numbers, decoded (s is unused) */
};

struct columns {
	struct column k, f, z, p, a, u, q, c, s, w;
	int bad;
	int has_pending; /* a pair's free was given: its allocation comes next */
	struct call pending;
};

static uint64_t digits(struct column *col, size_t end, int *bad)
{
	uint64_t v = 0;
	size_t start = col->i;
	if (end - start <= 19) { /* cannot overflow: no check per digit */
		for (; col->i < end; col->i++) {
			unsigned digit = (unsigned)(col->s[col->i] - '0');
			if (digit > 9)
				break;
			v = v * 10 + digit;
		}
	} else {
		for (; col->i < end && col->s[col->i] >= '0' && col->s[col->i] <= '9'; col->i++) {
			unsigned digit = (unsigned)(col->s[col->i] - '0');
			if (v > (UINT64_MAX - digit) / 10)
				*bad = 1;
			v = v * 10 + digit;
		}
	}
	if (col->i == start || col->i != end)
		*bad = 1;
	return v;
}

/* Slots, sizes and places: never above INT64_MAX, as every integer of a trace. */
static int64_t fixed(struct columns *cs, struct column *col)
{
	uint64_t v = 0;
	if (col->v) {
		if (col->i >= col->n) {
			cs->bad = 1;
			return 0;
		}
		v = col->v[col->i++];
	} else if (col->i + col->width > col->n) {
		cs->bad = 1;
		return 0;
	} else if (col->width <= 19) { /* nearly always: no overflow, one test per digit */
		const char *p = col->s + col->i;
		unsigned bad = 0;
		for (size_t j = 0; j < col->width; j++) {
			unsigned digit = (unsigned)(p[j] - '0');
			bad |= digit > 9;
			v = v * 10 + digit;
		}
		col->i += col->width;
		cs->bad |= (int)bad; /* a bad number fails the line: v does not matter */
	} else {
		v = digits(col, col->i + col->width, &cs->bad);
	}
	if (v > INT64_MAX)
		cs->bad = 1;
	return (int64_t)(v & INT64_MAX);
}

static int64_t signed_(struct columns *cs, struct column *col)
{
	const char *sp;
	size_t end;
	int neg;
	uint64_t v;
	if (col->v) {
		if (col->i >= col->n) {
			cs->bad = 1;
			return 0;
		}
		return (int64_t)col->v[col->i++];
	}
	if (col->i && col->i < col->n && col->s[col->i] == ' ')
		col->i++;
	else if (col->i) {
		cs->bad = 1;
		return 0;
	}
	if (col->i >= col->n) {
		cs->bad = 1;
		return 0;
	}
	sp = memchr(col->s + col->i, ' ', col->n - col->i);
	end = sp ? (size_t)(sp - col->s) : col->n;
	neg = col->s[col->i] == '-';
	col->i += (size_t)neg;
	v = digits(col, end, &cs->bad);
	return neg ? (int64_t)(0 - v) : (int64_t)v; /* deltas wrap as the shim's do */
}

/* One line as either parser gave it: the columns, or version 2's array. */
struct line {
	uint64_t n, t, seq;
	int64_t tid;
	int has_k; /* version 3: the columns below, else "d" */
	const json_t *d;
	struct column col[10]; /* in the order of col_keys */
	const char *coded;     /* version 4: "r", else NULL */
	size_t coded_n;
	int64_t nletters; /* "m" */
};

static const char *const col_keys[] = {
    FL_K_HC_KINDS, FL_K_HC_SLOTS, FL_K_HC_SIZES, FL_K_HC_PLACES, FL_K_HC_DELTAS,
    FL_K_HC_US,	   FL_K_HC_DSEQ,  FL_K_HC_FN,	 FL_K_HC_STACKS, FL_K_HC_WEIGHTS};

/* Splits a fixed column by the count of its numbers; -1 if it cannot. */
static int set_width(struct column *col, size_t count)
{
	col->width = count ? col->n / count : 0;
	return (count ? col->width == 0 || col->width > 20 || col->width * count != col->n
		      : col->n != 0)
		   ? -1
		   : 0;
}

/* NULL, or what is wrong with the columns as a whole. */
static const char *columns_open(struct columns *cs, const struct line *ln)
{
	size_t nf = 0, nz = 0, np = 0;
	struct column *dst[] = {&cs->k, &cs->f, &cs->z, &cs->p, &cs->a,
				&cs->u, &cs->q, &cs->c, &cs->s, &cs->w};
	memset(cs, 0, sizeof(*cs));
	for (size_t i = 0; i < 10; i++)
		*dst[i] = ln->col[i];
	for (size_t i = 0; i < cs->k.n; i++) {
		char l = cs->k.s[i];
		int pair = l >= FL_HC_K_PAIR && l <= FL_HC_K_PAIR + 2;
		nf += l == FL_HC_K_FREE || pair;
		nz += l == 'g' || l == FL_HC_K_ALLOC || l == FL_HC_K_ALLOC_PLACE ||
		      l == FL_HC_K_ALLOC_DELTA || pair;
		np += l == FL_HC_K_ALLOC_PLACE || l == FL_HC_K_PAIR + 1;
	}
	if (set_width(&cs->f, nf) < 0 || set_width(&cs->z, nz) < 0 || set_width(&cs->p, np) < 0)
		return "a column of fixed width that its letters do not divide";
	return NULL;
}

/* base64 digit values plus one; 0 for anything else. */
static const unsigned char b64val1[256] = {
    ['A'] = 1,	['B'] = 2,  ['C'] = 3,	['D'] = 4,  ['E'] = 5,	['F'] = 6,  ['G'] = 7,	['H'] = 8,
    ['I'] = 9,	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* "r" into d->bytes; the byte count, or -1 if it is not unpadded base64. */
static ptrdiff_t unbase64(struct fl_hc_decoder *d, const char *s, size_t n)
{
	size_t nbytes = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0), o = 0;
	uint32_t acc = 0;
	if (n % 4 == 1)
		return -1;
	if (nbytes > d->bytes_cap) {
		d->bytes_cap = nbytes;
		d->bytes = fl_xrealloc(d->bytes, nbytes);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned v = b64val1[(unsigned char)s[i]];
		if (!v)
			return -1;
		acc = acc << 6 | (v - 1);
		if (i % 4 == 3) {
			d->bytes[o++] = (uint8_t)(acc >> 16);
			d->bytes[o++] = (uint8_t)(acc >> 8);
			d->bytes[o++] = (uint8_t)acc;
		}
	}
	if (n % 4 == 2) {
		d->bytes[o++] = (uint8_t)(acc >> 4);
	} else if (n % 4 == 3) {
		d->bytes[o++] = (uint8_t)(acc >> 10);
		d->bytes[o++] = (uint8_t)(acc >> 2);
	}
	return (ptrdiff_t)o;
}

/* Version 4: "r" decoded into version 3's letters and numbers, which the
 * columns then hand out as version 3's text would; NULL or what is wrong. */
static const char *columns_decode(struct fl_hc_decoder *d, struct columns *cs,
				  const struct line *ln)
{
	struct column *dst[FL_HC_NCOLS] = {&cs->f, &cs->z, &cs->p, &cs->a, &cs->u,
					   &cs->q, &cs->c, &cs->s, &cs->w};
	size_t count[FL_HC_NCOLS] = {0}, m = (size_t)ln->nletters;
	unsigned ctx = FL_HC_NLETTERS;
	struct fl_rc_dec rd;
	ptrdiff_t nbytes = unbase64(d, ln->coded, ln->coded_n);
	if (nbytes < 0)
		return "a coded heap calls string that is not base64";
	/* a predicted letter costs 0.022 bits: only the schema's bound keeps a
	 * short string from claiming millions of them */
	if (ln->nletters < 1 || ln->nletters > FL_HC_LINE_LETTERS)
		return "a coded heap calls line with a bad letter count";
	if (m > d->cap) {
		d->cap = m;
		d->letters = fl_xrealloc(d->letters, m);
		d->nums = fl_xrealloc(d->nums, m * FL_HC_NCOLS * sizeof(*d->nums));
	}
	if (fl_rc_dec_init(&rd, d->bytes, (size_t)nbytes) < 0)
		return "a coded heap calls string that no encoder wrote";
	for (size_t i = 0; i < m; i++) {
		uint64_t nums[3];
		unsigned l;
		if (fl_hc_dec_token(&rd, &d->models, &ctx, &l, nums) < 0)
			return "a coded heap calls string that no encoder wrote";
		d->letters[i] = FL_HC_LETTERS[l];
		for (unsigned n = 0; fl_hc_letter_columns[l][n] != FL_HC_NCOLS; n++) {
			unsigned col = fl_hc_letter_columns[l][n];
			d->nums[col * d->cap + count[col]++] =
			    FL_HC_COL_SIGNED(col) ? (uint64_t)fl_rc_unzigzag(nums[n]) : nums[n];
		}
	}
	if (!fl_rc_dec_finished(&rd))
		return "a coded heap calls string that does not end where its letters do";
	memset(cs, 0, sizeof(*cs));
	cs->k.s = d->letters;
	cs->k.n = m;
	for (int c = 0; c < FL_HC_NCOLS; c++) {
		dst[c]->v = d->nums + (size_t)c * d->cap;
		dst[c]->n = count[c];
	}
	return NULL;
}

/* Every number taken: none left over. */
static int columns_done(const struct columns *cs)
{
	const struct column *all[] = {&cs->f, &cs->z, &cs->p, &cs->a, &cs->u,
				      &cs->q, &cs->c, &cs->s, &cs->w};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->i != all[i]->n)
			return 0;
	return 1;
}

/* What each letter of "k" may be: one table lookup per letter. */
enum { L_MODIFIER = 1, L_PAIR = 2, L_FREE = 4, L_ALLOC = 8, L_NOSLOT = 16 };
static const unsigned char letter_class[256] = {
    [FL_HC_K_TIME] = L_MODIFIER,
    ['q'] = L_MODIFIER,
    ['c'] = L_MODIFIER,
    ['s'] = L_MODIFIER,
    ['w'] = L_MODIFIER,
    ['r'] = L_MODIFIER,
    [FL_HC_K_PAIR_TIME] = L_MODIFIER,
    [FL_HC_K_PAIR] = L_PAIR,
    [FL_HC_K_PAIR + 1] = L_PAIR,
    [FL_HC_K_PAIR + 2] = L_PAIR,
    [FL_HC_K_FREE] = L_FREE,
    ['g'] = L_FREE,
    [FL_HC_K_ALLOC] = L_ALLOC,
    [FL_HC_K_ALLOC_PLACE] = L_ALLOC,
    [FL_HC_K_ALLOC_DELTA] = L_ALLOC,
    ['x'] = L_NOSLOT,
};

/* Takes the next letter if it is of the class; 0 when it is not. */
static inline int next_letter(struct columns *cs, unsigned class)
{
	unsigned char l = cs->k.i < cs->k.n ? (unsigned char)cs->k.s[cs->k.i] : 0;
	if (!(letter_class[l] & class))
		return 0;
	cs->k.i++;
	return l;
}

/* The allocation part: its letter l is place-1 (0), a later place (1) or a
 * delta (2); then x if it took no slot. */
static void alloc_part(struct columns *cs, struct call *k, int how)
{
	k->size = fixed(cs, &cs->z);
	k->place = how == 0 ? 1 : how == 1 ? fixed(cs, &cs->p) : 0;
	if (how == 2)
		k->adelta = signed_(cs, &cs->a);
	k->noslot = next_letter(cs, L_NOSLOT) != 0;
}

static const char modifiers[] = {FL_HC_K_TIME, 'q', 'c', 's', 'w', 'r', FL_HC_K_PAIR_TIME, 0};
/* Bits of the modifiers seen, by their place in modifiers[]. */
enum { M_FN = 4, M_ALLOC_ONLY = 4 | 8 | 16, M_REALLOC = 32, M_PAIR_TIME = 64 };

static void set_defaults(struct call *k)
{
	k->kind = FL_HC_ALLOC;
	k->dt = 0;
	k->dseq = 1;
	k->fn = -1;
	k->slot = -1;
	k->has_stack = k->has_weight = k->noslot = 0;
}

static const char *parse_v3(struct columns *cs, struct call *k)
{
	static const char allocs[] = {FL_HC_K_ALLOC, FL_HC_K_ALLOC_PLACE, FL_HC_K_ALLOC_DELTA, 0};
	int l, seen = 0, has_free = 0, has_alloc = 0;
	int64_t pair_dt = 0;
	if (cs->has_pending) { /* the allocation of a pair */
		*k = cs->pending;
		cs->has_pending = 0;
		return NULL;
	}
	/* Only what every call reads: zeroing the whole struct (rep stos) was a
	 * sixth of the decoder's time. The rest is set by the letter that reads it. */
	set_defaults(k);
	while ((l = next_letter(cs, L_MODIFIER))) {
		int bit = 1 << (strchr(modifiers, l) - modifiers);
		if (seen & bit)
			return "bad call code";
		seen |= bit;
		switch (l) {
		case FL_HC_K_TIME:
			k->dt = signed_(cs, &cs->u);
			break;
		case 'q':
			k->dseq = signed_(cs, &cs->q);
			break;
		case 'c':
			k->fn = signed_(cs, &cs->c);
			break;
		case 's':
			k->stack = signed_(cs, &cs->s), k->has_stack = 1;
			break;
		case 'w':
			k->weight = signed_(cs, &cs->w), k->has_weight = 1;
			break;
		case FL_HC_K_PAIR_TIME:
			pair_dt = signed_(cs, &cs->u);
			break;
		}
	}
	if ((l = next_letter(cs, L_PAIR))) {
		if (seen & (M_ALLOC_ONLY | M_REALLOC))
			return "bad call code";
		k->kind = FL_HC_FREE;
		k->slot = fixed(cs, &cs->f);
		set_defaults(&cs->pending);
		cs->pending.kind = FL_HC_ALLOC;
		cs->pending.dt = pair_dt;
		alloc_part(cs, &cs->pending, l - FL_HC_K_PAIR);
		cs->has_pending = 1;
		return cs->bad ? "a malformed or missing number" : NULL;
	}
	if (seen & M_PAIR_TIME)
		return "bad call code";
	if ((l = next_letter(cs, L_FREE))) {
		has_free = 1;
		if (l == FL_HC_K_FREE) {
			k->slot = fixed(cs, &cs->f);
		} else {
			k->fdelta = signed_(cs, &cs->a);
			k->fsize = fixed(cs, &cs->z);
		}
	}
	if ((seen & M_REALLOC || !has_free) && (l = next_letter(cs, L_ALLOC))) {
		has_alloc = 1;
		alloc_part(cs, k, (int)(strchr(allocs, l) - allocs));
	}
	if (cs->bad)
		return "a malformed or missing number";
	if (!has_free && !has_alloc)
		return cs->k.i < cs->k.n ? "bad call code" : "the last call is cut short";
	if (seen & M_REALLOC && !(has_free && has_alloc))
		return "a realloc without both its parts";
	if (!has_alloc && (seen & M_ALLOC_ONLY))
		return "bad call code";
	k->kind = seen & M_REALLOC ? FL_HC_REALLOC : has_free ? FL_HC_FREE : FL_HC_ALLOC;
	if ((k->fn < 0 && seen & M_FN) || (has_alloc && k->place < 0))
		return "bad call code";
	return NULL;
}

_Static_assert((FL_HC_DEPTH & (FL_HC_DEPTH - 1)) == 0 &&
		   (FL_HC_DEPTH_V2 & (FL_HC_DEPTH_V2 - 1)) == 0 && FL_HC_DEPTH_V2 <= FL_HC_DEPTH,
	       "the free lists are rings indexed with a mask");

/* addr becomes the newest of its list; a full list forgets its oldest. */
static inline void remember_freed(struct fl_hc_decoder *d, uint64_t addr, uint64_t size)
{
	unsigned b = FL_HC_BUCKET(size);
	if (!addr)
		return;
	d->head[b] = (uint8_t)((d->head[b] - 1u) & (d->depth - 1));
	d->freed[b][d->head[b]] = addr;
	if (d->nfreed[b] < d->depth)
		d->nfreed[b]++;
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
		unsigned mask = d->depth - 1, h = d->head[b];
		if (k->place > d->nfreed[b])
			return -1;
		*addr = f[(h + (unsigned)k->place - 1) & mask];
		/* the newer ones each move one place older, into the hole */
		for (unsigned i = (unsigned)k->place - 1; i > 0; i--)
			f[(h + i) & mask] = f[(h + i - 1) & mask];
		d->head[b] = (uint8_t)((h + 1) & mask);
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

/* The record of a kind, its keys and types set once: a call then only
 * writes its values (filling 8 to 10 values afresh for each of millions of
 * calls was most of the decoder's time). */
static struct fl_flat *shape(struct fl_hc_decoder *d, int kind)
{
	struct fl_flat *f = &d->shapes[kind];
	if (f->n)
		return f;
	f->ev = kind == FL_HC_FREE ? FL_E_FREE : kind == FL_HC_ALLOC ? FL_E_ALLOC : FL_E_REALLOC;
	put_int(f, FL_K_TIME, 0);
	put_int(f, FL_K_SEQ, 0);
	put_int(f, FL_K_TID, 0);
	if (kind != FL_HC_FREE)
		put_str(f, FL_K_FUNC, "");
	if (kind == FL_HC_REALLOC) {
		put_addr(f, FL_K_OLD_ADDR, 0);
		put_int(f, FL_K_OLD_SIZE, 0);
	}
	put_addr(f, FL_K_ADDR, 0);
	put_int(f, FL_K_SIZE, 0);
	if (kind != FL_HC_FREE) {
		put_int(f, FL_K_STACK, 0);
		put_int(f, FL_K_WEIGHT, 0);
	}
	return f;
}

/* One parsed call into *c, moving the codec's state; NULL or what is wrong. */
static const char *apply(struct fl_hc_decoder *d, const struct call *k, uint64_t *t, uint64_t *seq,
			 int64_t tid, struct fl_heap_call *c)
{
	int64_t fn = k->fn >= 0 ? k->fn : k->kind == FL_HC_REALLOC ? CALL_REALLOC : CALL_MALLOC;
	*t += (uint64_t)k->dt;
	*seq += (uint64_t)k->dseq;
	if ((size_t)fn >= NCALLS)
		return "bad call code";
	c->t = *t;
	c->seq = *seq;
	c->tid = tid;
	if (k->kind == FL_HC_FREE) {
		c->ev = FL_E_FREE;
		if (do_free(d, k, &c->addr, &c->size) < 0)
			return "a freed block that no slot holds";
		return NULL;
	}
	c->ev = k->kind == FL_HC_REALLOC ? FL_E_REALLOC : FL_E_ALLOC;
	c->fn = (int)fn;
	if (k->kind == FL_HC_REALLOC && do_free(d, k, &c->old_addr, &c->old_size) < 0)
		return "a freed block that no slot holds";
	if (!k->has_stack && !d->have_stack)
		return "an allocation without its stack";
	if (k->has_stack) {
		d->prev_stack = k->stack;
		d->have_stack = 1;
	}
	if (do_alloc(d, k, &c->addr) < 0)
		return "an address from an empty free list";
	c->size = (uint64_t)k->size;
	c->stack = d->prev_stack;
	c->weight = k->has_weight ? k->weight : k->size;
	return NULL;
}

/* A decoded call as the record of its kind (in the order of shape()). */
static const struct fl_flat *as_flat(struct fl_hc_decoder *d, const struct fl_heap_call *c)
{
	int kind = c->ev == FL_E_FREE	 ? FL_HC_FREE
		   : c->ev == FL_E_ALLOC ? FL_HC_ALLOC
					 : FL_HC_REALLOC;
	struct fl_flat *f = shape(d, kind);
	struct fl_flat_val *v = f->v;
	v[0].i = (int64_t)c->t;
	v[1].i = (int64_t)c->seq;
	v[2].i = c->tid;
	if (kind == FL_HC_FREE) {
		v[3].a = c->addr;
		v[4].i = (int64_t)c->size;
		return f;
	}
	v[3].s = call_names[c->fn];
	v[3].slen = strlen(call_names[c->fn]);
	v += 4;
	if (kind == FL_HC_REALLOC) {
		v[0].a = c->old_addr;
		v[1].i = (int64_t)c->old_size;
		v += 2;
	}
	v[0].a = c->addr;
	v[1].i = (int64_t)c->size;
	v[2].i = c->stack;
	v[3].i = c->weight;
	return f;
}

static const char *expand(struct fl_hc_decoder *d, const struct line *ln,
			  int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
			  void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf,
			  size_t len)
{
	int str = ln->has_k || ln->coded;
	const json_t *arr = ln->d;
	struct cursor c = {arr, 0, json_array_size(arr), 0};
	struct columns cs;
	uint64_t n = ln->n, t = ln->t, seq = ln->seq - 1;
	int64_t tid = ln->tid;
	uint64_t unit = str ? 1000 : 1; /* version 3 counts whole us, 2 ns */
	size_t calls = 0;
	const char *msg;
	if (!str == !arr || (ln->has_k && ln->coded))
		return str ? "heap calls line with more than one of 'r', 'k' and 'd'; line skipped"
			   : "heap calls line without 'r', 'k' or 'd'; line skipped";
	if (n == 0) {
		reset(d);
		d->depth = str ? FL_HC_DEPTH : FL_HC_DEPTH_V2;
	} else if (d->skipping)
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
	if (str && (msg = ln->coded ? columns_decode(d, &cs, ln) : columns_open(&cs, ln))) {
		d->skipping = 1;
		snprintf(buf, len, "%s; the tick's other heap calls skipped", msg);
		return buf;
	}
	while ((str ? cs.k.i < cs.k.n || cs.has_pending : c.i < c.n) && !*stop) {
		struct call k;
		struct fl_heap_call rec;
		msg = str ? parse_v3(&cs, &k) : parse_v2(&c, &k);
		calls++;
		if (!msg) {
			k.dt *= (int64_t)unit;
			msg = apply(d, &k, &t, &seq, tid, &rec);
		}
		if (msg) {
			d->skipping = 1;
			snprintf(buf, len, "heap call %zu: %s; the tick's other heap calls skipped",
				 calls, msg);
			return buf;
		}
		if ((d->typed ? d->typed(ctx, &rec) : flat(ctx, as_flat(d, &rec), loc)) < 0)
			*stop = 1;
	}
	if (str && !*stop && !columns_done(&cs)) {
		d->skipping = 1;
		return "heap calls line with numbers no letter takes; the tick's other heap calls "
		       "skipped";
	}
	return NULL;
}

const char *fl_hc_expand(struct fl_hc_decoder *d, const json_t *obj,
			 int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
			 void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf,
			 size_t len)
{
	struct line ln = {0};
	const json_t *v;
	ln.n = (uint64_t)json_integer_value(json_object_get(obj, FL_K_N));
	ln.t = (uint64_t)json_integer_value(json_object_get(obj, FL_K_TIME));
	ln.seq = (uint64_t)json_integer_value(json_object_get(obj, FL_K_SEQ));
	ln.tid = json_integer_value(json_object_get(obj, FL_K_TID));
	ln.d = json_object_get(obj, FL_K_DATA);
	for (size_t i = 0; i < 10; i++) {
		const json_t *col = json_object_get(obj, col_keys[i]);
		ln.col[i].s = col ? json_string_value(col) : "";
		ln.col[i].n = col ? json_string_length(col) : 0;
	}
	ln.has_k = json_object_get(obj, FL_K_HC_KINDS) != NULL;
	if ((v = json_object_get(obj, FL_K_HC_CODED))) {
		ln.coded = json_string_value(v);
		ln.coded_n = json_string_length(v);
		ln.nletters = json_integer_value(json_object_get(obj, FL_K_HC_NLETTERS));
	}
	return expand(d, &ln, flat, ctx, loc, stop, buf, len);
}

const char *
fl_hc_expand_flat(struct fl_hc_decoder *d, const struct fl_flat *f,
		  int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
		  void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf, size_t len)
{
	struct line ln = {0};
	const struct fl_flat_val *v;
	ln.n = (uint64_t)fl_flat_int(f, FL_K_N, 0);
	ln.t = (uint64_t)fl_flat_int(f, FL_K_TIME, 0);
	ln.seq = (uint64_t)fl_flat_int(f, FL_K_SEQ, 0);
	ln.tid = fl_flat_int(f, FL_K_TID, 0);
	for (size_t i = 0; i < 10; i++) {
		const struct fl_flat_val *col = fl_flat_get(f, col_keys[i]);
		ln.col[i].s = col ? col->s : "";
		ln.col[i].n = col ? col->slen : 0;
	}
	ln.has_k = fl_flat_get(f, FL_K_HC_KINDS) != NULL;
	if ((v = fl_flat_get(f, FL_K_HC_CODED))) {
		ln.coded = v->s;
		ln.coded_n = v->slen;
		ln.nletters = fl_flat_int(f, FL_K_HC_NLETTERS, 0);
	}
	return expand(d, &ln, flat, ctx, loc, stop, buf, len);
}
