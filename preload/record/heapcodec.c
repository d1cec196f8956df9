/*
 * The encoder of the compact heap lines (schema.h, FL_EV_HEAPCALLS). The
 * reader keeps the same state and makes the same moves (analyzer/read/
 * heapcalls.c): what one side does to its slots and free lists, the other
 * must do in the same order, or every later line of the epoch is misread.
 * An epoch ends at the first tick a second after it began, in a fork child
 * and when a line did not fit: a lost line then costs one epoch at most.
 */
#include "record/heapcodec.h"

#include <string.h>

#include "base/config.h"
#include "base/fmt.h"
#include "base/sys.h"
#include "faultline/hccoded.h"
#include "faultline/schema.h"
#include "record/stacks.h"
#include "record/thread.h"
#include "trace/clock.h"

#define MAX_CALLS 1024
/* An epoch's first lines name every block that lived through the last one
 * by address (a delta and a size: several bytes each, even compressed), so
 * a new epoch each tick (10 a second) cost a program with thousands of live
 * blocks tens of kB a tick. Once a second, a line the writer lost still
 * costs the reader one second of calls at most. */
#define EPOCH_NS 1000000000ull
#define MAX_LETTERS 9		    /* t q c s w x r, a free and an alloc letter */
#define TABLE (2 * FL_HC_MAX_SLOTS) /* open addressing: at most half full */
/* The part of the table in use: it doubles as the live slots pass half of
 * it, and starts again this small at each epoch. The default mode keeps a
 * handful of blocks live, and the whole table's random lines missed the
 * cache at every lookup (~0.5 ms of a bench/malloc_bench run, perf). */
#define MIN_CAP 512
_Static_assert(MAX_CALLS *MAX_LETTERS <= FL_HC_LINE_LETTERS, "the reader takes every line");
/* A coded line's bytes at most: a letter is 4 decisions, a number 13 and up
 * to 60 direct bits, a decision at most 6.05 bits (no probability falls
 * below 31/2048): 9 letters and 9 numbers a call (a realloc), 184 bytes,
 * round up to 256. */
#define CODED_BYTES (MAX_CALLS * 256 + FL_RC_FLUSH_BYTES)

/* A block holding a slot: what the reader knows it by. Empty: addr 0, or
 * written before the last reset (gen is not the codec's): a reset bumps the
 * generation instead of clearing the table, so only the pages the hash
 * lands on are ever touched (each one a page fault of the shim's own, counted
 * with the program's faults by the kernel). */
struct slot_entry {
	uint64_t addr, size;
	uint32_t slot, gen;
};

/* The version 4 line being coded (mapped on first use: a line touches only
 * the pages its bytes reach). */
struct coded {
	struct fl_hc_models models; /* set afresh by the first coded line of an epoch */
	uint8_t bytes[CODED_BYTES];
	char text[FL_HC_B64_LEN(CODED_BYTES)];
};

struct slots {
	struct slot_entry table[TABLE];
	uint32_t free_slots[FL_HC_MAX_SLOTS];	   /* a stack: the last one freed is reused first */
	struct slot_entry moving[FL_HC_MAX_SLOTS]; /* the live entries while the table grows */
};

static struct {
	struct slots *s; /* NULL: no memory for it, every block goes without a slot */
	int s_failed;
	uint64_t touched; /* a bit a page of s->table: written to once (at()) */
	pid_t pid;
	uint64_t line_n;
	uint64_t epoch_t;	      /* when the epoch began */
	uint32_t nslots, nfree, used; /* used: table entries, for the reset */
	uint32_t gen;		      /* the table's generation: entries of others are empty */
	uint32_t cap;		      /* entries of the table in use (a power of 2) */
	uint64_t prev_addr, prev_size;
	uint32_t prev_stack;
	int have_stack; /* prev_stack holds: an allocation of the same stack omits it */
	uint8_t nfreed[FL_HC_BUCKETS];
	struct coded *coded; /* NULL: not mapped yet, or no memory for it */
	int coded_failed;
	int models_stale; /* the epoch's models are still to be set (lazily: 80 kB) */
	/* The pending line. */
	uint32_t ncalls, tid;
	uint64_t t0, seq0, prev_seq;
	uint64_t told; /* the time the reader has for the previous call: t0 + whole us */
	int last_free; /* the last letter is a plain free's: the next allocation may share it */
	/* The columns' lengths (schema.h): the letters, then the numbers each
	 * letter takes. */
	size_t nk, nf, nz, np, na, nu, nq, nc, nst, nw;
} hc = {.cap = MIN_CAP};

/*
 * The codec's buffers, apart from hc: zero at start, so in .bss, where a
 * page is anonymous memory that its first write maps at once. In hc's
 * .data a page is the library file's: the first read of any field of hc
 * mapped it and its neighbours from the page cache (the kernel's
 * fault-around), and each first write to one of them then copied the page
 * with a flush of the TLB of every CPU running the process, an interrupt
 * each (two threads: ~25 us a page here, perf record of bench/malloc_bench
 * 2).
 */
static struct {
	uint64_t freed[FL_HC_BUCKETS][FL_HC_DEPTH];
	char k[MAX_CALLS * MAX_LETTERS];
	uint64_t f[MAX_CALLS], z[2 * MAX_CALLS], p[MAX_CALLS];
	int64_t a[2 * MAX_CALLS], u[MAX_CALLS], q[MAX_CALLS], c[MAX_CALLS], st[MAX_CALLS],
	    w[MAX_CALLS];
	char text[2 * MAX_CALLS * 21]; /* one column as written */
} cols;

/* Every entry empty at once. */
static void next_gen(void)
{
	if (++hc.gen == 0) { /* wrapped: clear once, start over */
		memset(hc.s->table, 0, sizeof(hc.s->table));
		hc.gen = 1;
	}
}

void fl_heapcodec_new_epoch(void)
{
	hc.epoch_t = fl_now();
	if (hc.s && hc.used)
		next_gen();
	hc.cap = MIN_CAP;
	hc.used = hc.nslots = hc.nfree = 0;
	hc.line_n = 0;
	hc.prev_addr = hc.prev_size = 0;
	hc.have_stack = 0;
	memset(hc.nfreed, 0, sizeof(hc.nfreed));
	hc.models_stale = 1;
}

void fl_heapcodec_reset(void)
{
	if (fl_now() - hc.epoch_t >= EPOCH_NS)
		fl_heapcodec_new_epoch();
}

_Static_assert(sizeof(((struct slots *)0)->table) <= 64 * 4096, "a bit a page in hc.touched");

/* Entry i. A page of the table is first touched by a write (an add of 0):
 * a read of a page nothing wrote maps the zero page, and the first entry
 * put there then faults again to copy it (96 faults for its 48 pages at
 * the first drain of bench/malloc_bench's samples, 1.5-7 us each here). */
static struct slot_entry *at(size_t i)
{
	struct slot_entry *e = &hc.s->table[i];
	size_t off = (size_t)((char *)e - (char *)hc.s->table);
	for (size_t pg = off >> 12; pg <= (off + sizeof(*e) - 1) >> 12; pg++)
		if (FL_UNLIKELY(!(hc.touched >> pg & 1))) {
			__atomic_fetch_add((char *)hc.s->table + (pg << 12), 0, __ATOMIC_RELAXED);
			hc.touched |= (uint64_t)1 << pg;
		}
	return e;
}

static int empty(const struct slot_entry *e)
{
	return !e->addr || e->gen != hc.gen;
}

static size_t mask(void)
{
	return hc.cap - 1;
}

static size_t hash(uint64_t addr)
{
	return (size_t)((addr >> 4) * 0x9e3779b97f4a7c15ull >> 32) & mask();
}

static struct slot_entry *find(uint64_t addr)
{
	if (!hc.s)
		return NULL;
	for (size_t i = hash(addr);; i = (i + 1) & mask()) {
		struct slot_entry *e = at(i);
		if (empty(e))
			return NULL;
		if (e->addr == addr)
			return e;
	}
}

/* Linear probing's deletion: later entries of the run move back into the hole. */
static void erase(struct slot_entry *e)
{
	size_t hole = (size_t)(e - hc.s->table);
	for (size_t i = (hole + 1) & mask(); !empty(at(i)); i = (i + 1) & mask()) {
		size_t home = hash(hc.s->table[i].addr);
		/* Movable when its home is not within (hole, i], cyclically. */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			hc.s->table[hole] = hc.s->table[i];
			hole = i;
		}
	}
	hc.s->table[hole].addr = 0;
}

static void put_entry(uint64_t addr, uint64_t size, uint32_t slot)
{
	struct slot_entry *e;
	for (size_t i = hash(addr);; i = (i + 1) & mask())
		if (empty(at(i))) {
			e = at(i);
			break;
		}
	e->addr = addr;
	e->size = size;
	e->slot = slot;
	e->gen = hc.gen;
	hc.used++;
}

/* Doubles the part of the table in use, its live entries put again. */
static void grow(void)
{
	uint32_t n = 0;
	for (size_t i = 0; i <= mask(); i++)
		if (!empty(&hc.s->table[i]))
			hc.s->moving[n++] = hc.s->table[i];
	next_gen();
	hc.cap = (uint32_t)(mask() + 1) * 2;
	for (uint32_t k = 0; k < n; k++)
		put_entry(hc.s->moving[k].addr, hc.s->moving[k].size, hc.s->moving[k].slot);
}

/* A slot for a new block, as the reader picks it; -1 when there is none. */
static int64_t take_slot(uint64_t addr, uint64_t size)
{
	uint32_t slot;
	if (!hc.s && !hc.s_failed) {
		hc.s = fl_sys_alloc_pages(sizeof(*hc.s));
		hc.s_failed = !hc.s;
	}
	if (!hc.s || !addr || find(addr))
		return -1;
	if (hc.nfree)
		slot = hc.s->free_slots[--hc.nfree];
	else if (hc.nslots < FL_HC_MAX_SLOTS)
		slot = hc.nslots++;
	else
		return -1;
	/* at most half full: TABLE is twice the slots */
	if ((hc.nslots - hc.nfree) * 2 > mask() + 1 && mask() + 1 < TABLE)
		grow();
	put_entry(addr, size, slot);
	return slot;
}

#define PUSH(col, v) (cols.col[hc.n##col++] = (v))

static void letter(char l)
{
	cols.k[hc.nk++] = l;
}

static void remember_freed(uint64_t addr, uint64_t size)
{
	uint64_t *f = cols.freed[FL_HC_BUCKET(size)];
	uint8_t *n = &hc.nfreed[FL_HC_BUCKET(size)];
	if (!addr)
		return;
	/* the list's own entries only, the oldest falling off a full one */
	memmove(f + 1, f, (*n < FL_HC_DEPTH ? *n : FL_HC_DEPTH - 1) * sizeof(*f));
	f[0] = addr;
	if (*n < FL_HC_DEPTH)
		(*n)++;
}

/* f (slot) | g (delta, size); returns 1 for the first */
static int put_free(uint64_t addr, uint64_t size)
{
	struct slot_entry *e = addr ? find(addr) : NULL;
	if (e && e->size == size) {
		letter(FL_HC_K_FREE);
		PUSH(f, e->slot);
		hc.s->free_slots[hc.nfree++] = e->slot;
		erase(e);
		remember_freed(addr, size);
		return 1;
	}
	letter('g');
	PUSH(a, (int64_t)(addr - hc.prev_addr));
	PUSH(z, size);
	remember_freed(addr, size);
	return 0;
}

/* The numbers of an allocation: the size, then its place in the free list
 * or its delta. Returns how the reader finds the address, for the letter:
 * 0 the first of the list, 1 a later place, 2 the delta. */
static int put_alloc(uint64_t addr, uint64_t size)
{
	unsigned b = FL_HC_BUCKET(size);
	uint64_t *f = cols.freed[b];
	int k = -1;
	PUSH(z, size);
	for (int i = 0; addr && i < hc.nfreed[b]; i++)
		if (f[i] == addr) {
			k = i;
			break;
		}
	if (k >= 0) {
		if (k)
			PUSH(p, (uint64_t)k + 1);
		memmove(f + k, f + k + 1, (size_t)(hc.nfreed[b] - k - 1) * sizeof(*f));
		hc.nfreed[b]--;
	} else {
		PUSH(a, (int64_t)(addr - (hc.prev_addr + FL_HC_CHUNK(hc.prev_size))));
	}
	hc.prev_addr = addr;
	hc.prev_size = size;
	return k < 0 ? 2 : k > 0;
}

/* Zero-padded to the widest: the reader splits by the count of its letters. */
static void put_fixed(struct fl_out *o, const char *key, const uint64_t *v, size_t n)
{
	size_t width = 1, len = 0;
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++)
		max = v[i] > max ? v[i] : max;
	width = fl_fmt_u64_len(max);
	for (size_t i = 0; i < n; i++) {
		size_t w = fl_fmt_u64_len(v[i]);
		memset(cols.text + len, '0', width - w);
		fl_fmt_u64(cols.text + len + width - w, v[i]);
		len += width;
	}
	/* Digits only: no escaping scan (the columns are most of a line). */
	if (n)
		fl_out_plain(o, key, cols.text, len);
}

/* Space-separated signed decimals. */
static void put_signed(struct fl_out *o, const char *key, const int64_t *v, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			cols.text[len++] = ' ';
		if (v[i] < 0)
			cols.text[len++] = '-';
		len += fl_fmt_u64(cols.text + len, v[i] < 0 ? -(uint64_t)v[i] : (uint64_t)v[i]);
	}
	if (n)
		fl_out_plain(o, key, cols.text, len);
}

static void put_columns(struct fl_out *o)
{
	fl_out_plain(o, FL_K_HC_KINDS, cols.k, hc.nk); /* letters of letter() */
	put_fixed(o, FL_K_HC_SLOTS, cols.f, hc.nf);
	put_fixed(o, FL_K_HC_SIZES, cols.z, hc.nz);
	put_fixed(o, FL_K_HC_PLACES, cols.p, hc.np);
	put_signed(o, FL_K_HC_DELTAS, cols.a, hc.na);
	put_signed(o, FL_K_HC_US, cols.u, hc.nu);
	put_signed(o, FL_K_HC_DSEQ, cols.q, hc.nq);
	put_signed(o, FL_K_HC_FN, cols.c, hc.nc);
	put_signed(o, FL_K_HC_STACKS, cols.st, hc.nst);
	put_signed(o, FL_K_HC_WEIGHTS, cols.w, hc.nw);
}

/* The index of each letter in FL_HC_LETTERS. */
static const uint8_t letter_code[128] = {
    ['0'] = 0, ['1'] = 1, ['2'] = 2,  ['3'] = 3,  ['4'] = 4,  ['5'] = 5,  ['6'] = 6,  ['7'] = 7,
    ['8'] = 8, ['g'] = 9, ['q'] = 10, ['c'] = 11, ['s'] = 12, ['w'] = 13, ['r'] = 14, ['x'] = 15,
};

/* The same letters and numbers as put_columns(), range-coded: each letter,
 * then the numbers it takes (faultline/hccoded.h), so the reader knows what
 * comes next from what it has decoded. */
static void put_coded(struct fl_out *o)
{
	const uint64_t *fixed[] = {cols.f, cols.z, cols.p};
	const int64_t *sgn[] = {cols.a, cols.u, cols.q, cols.c, cols.st, cols.w};
	size_t next[FL_HC_NCOLS] = {0};
	struct fl_rc_enc e;
	unsigned ctx = FL_HC_NLETTERS;
	if (hc.models_stale) {
		fl_hc_models_init(&hc.coded->models);
		hc.models_stale = 0;
	}
	fl_rc_enc_init(&e, hc.coded->bytes);
	for (size_t i = 0; i < hc.nk; i++) {
		unsigned l = letter_code[(unsigned char)cols.k[i] & 127], n = 0;
		uint64_t nums[3];
		for (const uint8_t *col = fl_hc_letter_columns[l]; *col != FL_HC_NCOLS; col++) {
			nums[n++] = FL_HC_COL_SIGNED(*col)
					? fl_rc_zigzag(sgn[*col - FL_HC_COL_A][next[*col]])
					: fixed[*col][next[*col]];
			next[*col]++;
		}
		fl_hc_enc_token(&e, &hc.coded->models, &ctx, l, nums);
	}
	fl_out_u64(o, FL_K_HC_NLETTERS, hc.nk);
	fl_out_plain(o, FL_K_HC_CODED, hc.coded->text, /* base64 */
		     fl_hc_b64_encode(hc.coded->text, hc.coded->bytes, fl_rc_enc_finish(&e)));
}

/* Version 4's coded line, unless a test asks for version 3's columns or
 * there is no memory for it. Either form may follow the other within an
 * epoch: only coded lines move the models, on both sides. */
static int use_coded(void)
{
	if (fl_config.compact != FL_COMPACT_CODED)
		return 0;
	if (!hc.coded && !hc.coded_failed) {
		hc.coded = fl_sys_alloc_pages(sizeof(*hc.coded));
		hc.coded_failed = !hc.coded;
		hc.models_stale = 1; /* no coded line yet: the reader's are fresh */
	}
	return hc.coded != NULL;
}

void fl_heapcodec_flush(struct fl_out *o)
{
	if (!hc.ncalls)
		return;
	fl_out_begin(o, FL_EV_HEAPCALLS, hc.t0, hc.seq0);
	fl_out_u64(o, FL_K_TID, hc.tid);
	fl_out_u64(o, FL_K_N, hc.line_n);
	if (use_coded())
		put_coded(o);
	else
		put_columns(o);
	hc.ncalls = 0;
	hc.nk = hc.nf = hc.nz = hc.np = hc.na = hc.nu = hc.nq = hc.nc = hc.nst = hc.nw = 0;
	if (fl_out_end(o) < 0)
		fl_heapcodec_new_epoch(); /* the reader never sees it: start again */
	else
		hc.line_n++;
}

static void start_call(struct fl_out *o, const struct fl_event *ev)
{
	if (hc.ncalls && (ev->tid != hc.tid || hc.ncalls == MAX_CALLS))
		fl_heapcodec_flush(o);
	if (!hc.ncalls) {
		pid_t pid = fl_sys_getpid();
		if (pid != hc.pid) { /* a fork child: its trace starts afresh */
			fl_heapcodec_new_epoch();
			hc.pid = pid;
		}

		hc.tid = ev->tid;
		hc.t0 = hc.told = ev->t;
		hc.seq0 = ev->seq;
		hc.prev_seq = ev->seq - 1;
	}
	fl_stacks_ensure(o, ev->stack, ev->t, fl_seq_next);
	hc.ncalls++;
}

/* Floor division: the reader's time never passes the call's. */
static int64_t whole_us(int64_t ns)
{
	return ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
}

/* The letters before the call's own: t q c s w r, each with its number. */
static void put_head(const struct fl_event *ev, int kind, int default_fn, uint64_t size,
		     uint64_t weight)
{
	int64_t us = whole_us((int64_t)(ev->t - hc.told));
	if (us) {
		letter(FL_HC_K_TIME);
		PUSH(u, us);
		hc.told += (uint64_t)(us * 1000);
	}
	if (ev->seq - hc.prev_seq != 1) {
		letter('q');
		PUSH(q, (int64_t)(ev->seq - hc.prev_seq));
	}
	hc.prev_seq = ev->seq;
	if (kind == FL_HC_FREE)
		return;
	if (ev->fn != default_fn) {
		letter('c');
		PUSH(c, ev->fn);
	}
	if (!hc.have_stack || ev->stack != hc.prev_stack) {
		letter('s');
		PUSH(st, ev->stack);
	}
	hc.prev_stack = ev->stack;
	hc.have_stack = 1;
	if (weight != size) {
		letter('w');
		PUSH(w, (int64_t)weight);
	}
	if (kind == FL_HC_REALLOC)
		letter('r');
}

/* An allocation that can share the letter of the free just before it: it
 * has nothing of its own to say but its time, numbers and slot. */
static int pairs_with_free(const struct fl_event *ev)
{
	return hc.nk && hc.last_free && ev->seq - hc.prev_seq == 1 && ev->fn == FL_CALL_MALLOC &&
	       hc.have_stack && ev->stack == hc.prev_stack && ev->a[2] == ev->a[1];
}

static void put_pair(const struct fl_event *ev)
{
	int64_t us = whole_us((int64_t)(ev->t - hc.told));
	hc.nk--; /* the free's letter: the pair's says it */
	if (us) {
		letter(FL_HC_K_PAIR_TIME);
		PUSH(u, us);
		hc.told += (uint64_t)(us * 1000);
	}
	hc.prev_seq = ev->seq;
	letter(FL_HC_K_PAIR + put_alloc(ev->a[0], ev->a[1]));
}

static const char alloc_letter[] = {FL_HC_K_ALLOC, FL_HC_K_ALLOC_PLACE, FL_HC_K_ALLOC_DELTA};

int fl_heapcodec_add(struct fl_out *o, const struct fl_event *ev)
{
	switch (ev->kind) {
	case FL_EVK_ALLOC:
		start_call(o, ev);
		if (pairs_with_free(ev)) {
			put_pair(ev);
		} else {
			put_head(ev, FL_HC_ALLOC, FL_CALL_MALLOC, ev->a[1], ev->a[2]);
			letter(alloc_letter[put_alloc(ev->a[0], ev->a[1])]);
		}
		if (take_slot(ev->a[0], ev->a[1]) < 0)
			letter('x');
		hc.last_free = 0;
		return 1;
	case FL_EVK_FREE:
		start_call(o, ev);
		put_head(ev, FL_HC_FREE, FL_CALL_FREE, 0, 0);
		hc.last_free = put_free(ev->a[0], ev->a[1]);
		return 1;
	case FL_EVK_REALLOC:
		start_call(o, ev);
		put_head(ev, FL_HC_REALLOC, FL_CALL_REALLOC, ev->a[2], ev->a[3]);
		put_free(ev->a[0], ev->a[4]);
		letter(alloc_letter[put_alloc(ev->a[1], ev->a[2])]);
		if (take_slot(ev->a[1], ev->a[2]) < 0)
			letter('x');
		hc.last_free = 0;
		return 1;
	}
	return 0;
}
