/*
 * The encoder of the compact heap lines (schema.h, FL_EV_HEAPCALLS). The
 * reader keeps the same state and makes the same moves (analyzer/read/
 * heapcalls.c): what one side does to its slots and free lists, the other
 * must do in the same order, or every later line of the epoch is misread.
 * An epoch ends at every tick, in a fork child, when a line did not fit,
 * and when the slots run out: a lost line then costs one epoch at most.
 */
#include "record/heapcodec.h"

#include <string.h>

#include "base/fmt.h"
#include "base/sys.h"
#include "faultline/schema.h"
#include "record/stacks.h"
#include "record/thread.h"
#include "trace/clock.h"

#define MAX_CALLS 1024
#define LINE_CHARS 16384 /* the calls of one line, written when the next could overflow */
/* t q c r g z a d s w x: a letter and at most 20 characters of number each */
#define MAX_CALL_CHARS (11 * 21)
#define TABLE (2 * FL_HC_MAX_SLOTS) /* open addressing: at most half full */

/* A block holding a slot: what the reader knows it by. Empty: addr 0, or
 * written before the last reset (gen is not the codec's): a reset bumps the
 * generation instead of clearing the table, so only the pages the hash
 * lands on are ever touched (each one a page fault of the shim's own, counted
 * with the program's faults by the kernel). */
struct slot_entry {
	uint64_t addr, size;
	uint32_t slot, gen;
};

struct slots {
	struct slot_entry table[TABLE];
	uint32_t free_slots[FL_HC_MAX_SLOTS]; /* a stack: the last one freed is reused first */
};

static struct {
	struct slots *s; /* NULL: no memory for it, every block goes without a slot */
	int s_failed;
	pid_t pid;
	uint64_t line_n;
	uint32_t nslots, nfree, used; /* used: table entries, for the reset */
	uint32_t gen;		      /* the table's generation: entries of others are empty */
	uint64_t prev_addr, prev_size;
	uint32_t prev_stack;
	int have_stack; /* prev_stack holds: an allocation of the same stack omits it */
	uint64_t freed[FL_HC_BUCKETS][FL_HC_DEPTH];
	uint8_t nfreed[FL_HC_BUCKETS];
	/* The pending line. */
	uint32_t ncalls, tid;
	uint64_t t0, seq0, prev_seq;
	uint64_t told; /* the time the reader has for the previous call: t0 + whole us */
	size_t nc;
	char c[LINE_CHARS];
} hc;

void fl_heapcodec_reset(void)
{
	if (hc.s && hc.used && ++hc.gen == 0) { /* wrapped: clear once, start over */
		memset(hc.s->table, 0, sizeof(hc.s->table));
		hc.gen = 1;
	}
	hc.used = hc.nslots = hc.nfree = 0;
	hc.line_n = 0;
	hc.prev_addr = hc.prev_size = 0;
	hc.have_stack = 0;
	memset(hc.nfreed, 0, sizeof(hc.nfreed));
}

static int empty(const struct slot_entry *e)
{
	return !e->addr || e->gen != hc.gen;
}

static size_t hash(uint64_t addr)
{
	return (size_t)((addr >> 4) * 0x9e3779b97f4a7c15ull >> 32) & (TABLE - 1);
}

static struct slot_entry *find(uint64_t addr)
{
	if (!hc.s)
		return NULL;
	for (size_t i = hash(addr);; i = (i + 1) & (TABLE - 1)) {
		struct slot_entry *e = &hc.s->table[i];
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
	for (size_t i = (hole + 1) & (TABLE - 1); !empty(&hc.s->table[i]);
	     i = (i + 1) & (TABLE - 1)) {
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

/* A slot for a new block, as the reader picks it; -1 when there is none. */
static int64_t take_slot(uint64_t addr, uint64_t size)
{
	struct slot_entry *e;
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
	for (size_t i = hash(addr);; i = (i + 1) & (TABLE - 1))
		if (empty(&hc.s->table[i])) {
			e = &hc.s->table[i];
			break;
		}
	e->addr = addr;
	e->size = size;
	e->slot = slot;
	e->gen = hc.gen;
	hc.used++;
	return slot;
}

/* A letter, then v in decimal. */
static void put(char letter, int64_t v)
{
	hc.c[hc.nc++] = letter;
	if (v < 0) {
		hc.c[hc.nc++] = '-';
		hc.nc += fl_fmt_u64(hc.c + hc.nc, -(uint64_t)v);
	} else {
		hc.nc += fl_fmt_u64(hc.c + hc.nc, (uint64_t)v);
	}
}

static void put_letter(char letter)
{
	hc.c[hc.nc++] = letter;
}

static void remember_freed(uint64_t addr, uint64_t size)
{
	uint64_t *f = hc.freed[FL_HC_BUCKET(size)];
	uint8_t *n = &hc.nfreed[FL_HC_BUCKET(size)];
	if (!addr)
		return;
	memmove(f + 1, f, (FL_HC_DEPTH - 1) * sizeof(*f));
	f[0] = addr;
	if (*n < FL_HC_DEPTH)
		(*n)++;
}

/* f slot | g delta z size */
static void put_free(uint64_t addr, uint64_t size)
{
	struct slot_entry *e = addr ? find(addr) : NULL;
	if (e && e->size == size) {
		put('f', e->slot);
		hc.s->free_slots[hc.nfree++] = e->slot;
		erase(e);
	} else {
		put('g', (int64_t)(addr - hc.prev_addr));
		put('z', (int64_t)size);
	}
	remember_freed(addr, size);
}

/* a size [k place | d delta]; returns 0 when the block took no slot */
static int put_alloc(uint64_t addr, uint64_t size)
{
	unsigned b = FL_HC_BUCKET(size);
	uint64_t *f = hc.freed[b];
	int k = -1;
	put('a', (int64_t)size);
	for (int i = 0; addr && i < hc.nfreed[b]; i++)
		if (f[i] == addr) {
			k = i;
			break;
		}
	if (k >= 0) {
		if (k > 0)
			put('k', k + 1);
		memmove(f + k, f + k + 1, (size_t)(hc.nfreed[b] - k - 1) * sizeof(*f));
		hc.nfreed[b]--;
	} else {
		put('d', (int64_t)(addr - (hc.prev_addr + FL_HC_CHUNK(hc.prev_size))));
	}
	hc.prev_addr = addr;
	hc.prev_size = size;
	return take_slot(addr, size) >= 0;
}

void fl_heapcodec_flush(struct fl_out *o)
{
	if (!hc.ncalls)
		return;
	fl_out_begin(o, FL_EV_HEAPCALLS, hc.t0, hc.seq0);
	fl_out_u64(o, FL_K_TID, hc.tid);
	fl_out_u64(o, FL_K_N, hc.line_n);
	fl_out_strn(o, FL_K_HC_CALLS, hc.c, hc.nc);
	hc.ncalls = 0;
	hc.nc = 0;
	if (fl_out_end(o) < 0)
		fl_heapcodec_reset(); /* the reader never sees it: start again */
	else
		hc.line_n++;
}

static void start_call(struct fl_out *o, const struct fl_event *ev)
{
	if (hc.ncalls &&
	    (ev->tid != hc.tid || hc.ncalls == MAX_CALLS || hc.nc > LINE_CHARS - MAX_CALL_CHARS))
		fl_heapcodec_flush(o);
	if (!hc.ncalls) {
		pid_t pid = fl_sys_getpid();
		if (pid != hc.pid) { /* a fork child: its trace starts afresh */
			fl_heapcodec_reset();
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

/* [t us] [q dseq] [c fn] [r] */
static void put_head(const struct fl_event *ev, int kind, int default_fn)
{
	int64_t us = whole_us((int64_t)(ev->t - hc.told));
	if (us) {
		put('t', us);
		hc.told += (uint64_t)(us * 1000);
	}
	if (ev->seq - hc.prev_seq != 1)
		put('q', (int64_t)(ev->seq - hc.prev_seq));
	if (kind != FL_HC_FREE && ev->fn != default_fn)
		put('c', ev->fn);
	if (kind == FL_HC_REALLOC)
		put_letter('r');
	hc.prev_seq = ev->seq;
}

/* [s stack] [w weight] [x] */
static void put_tail(int slotted, uint32_t stack, uint64_t weight, uint64_t size)
{
	if (!hc.have_stack || stack != hc.prev_stack)
		put('s', stack);
	hc.prev_stack = stack;
	hc.have_stack = 1;
	if (weight != size)
		put('w', (int64_t)weight);
	if (!slotted)
		put_letter('x');
}

int fl_heapcodec_add(struct fl_out *o, const struct fl_event *ev)
{
	int slotted;
	switch (ev->kind) {
	case FL_EVK_ALLOC:
		start_call(o, ev);
		put_head(ev, FL_HC_ALLOC, FL_CALL_MALLOC);
		slotted = put_alloc(ev->a[0], ev->a[1]);
		put_tail(slotted, ev->stack, ev->a[2], ev->a[1]);
		return 1;
	case FL_EVK_FREE:
		start_call(o, ev);
		put_head(ev, FL_HC_FREE, FL_CALL_FREE);
		put_free(ev->a[0], ev->a[1]);
		return 1;
	case FL_EVK_REALLOC:
		start_call(o, ev);
		put_head(ev, FL_HC_REALLOC, FL_CALL_REALLOC);
		put_free(ev->a[0], ev->a[4]);
		slotted = put_alloc(ev->a[1], ev->a[2]);
		put_tail(slotted, ev->stack, ev->a[3], ev->a[2]);
		return 1;
	}
	return 0;
}
