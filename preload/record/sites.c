#include "record/sites.h"

#include "faultline/schema.h"
#include "record/stacks.h"
#include "base/sys.h"
#include "record/thread.h"

#define PER_LINE 512

/* One cache line per site. Lock-free: live is the one figure whose order
 * of updates matters (peak is the largest value it takes). While one
 * thread owns the plain updates (thread.h), it updates live and peak with
 * plain instructions; else each update of live is a single atomic add
 * whose result is the exact live bytes after this call in that order, and
 * peak is raised to it with a CAS. The counts gather in the thread's
 * pending entry first (sites.h): threads allocating at one site at once
 * then pass its line back and forth once per call, not three times. A row
 * read while threads run may be a few calls apart between its fields;
 * dirty is set after the fields, so the next tick writes the row again. */
struct site {
	int64_t live, peak;
	uint64_t allocs, frees, bytes;
	uint32_t dirty;
	uint32_t pad_[5];
};

_Static_assert(sizeof(struct site) == 64, "a site is one cache line");

static struct site *sites;
static uint32_t nsites;

/* One site per stack id: the stack table is already sized to the budget. */
int fl_sites_init(void)
{
	nsites = fl_stacks_capacity();
	sites = nsites ? fl_sys_alloc_pages((size_t)nsites * sizeof(*sites)) : NULL;
	return sites ? 0 : -1;
}

static struct site *site_of(uint32_t id)
{
	return &sites[id < nsites ? id : 0];
}

static void mark_dirty(struct site *s)
{
	if (!__atomic_load_n(&s->dirty, __ATOMIC_RELAXED))
		__atomic_store_n(&s->dirty, 1, __ATOMIC_RELEASE);
}

static void raise_peak(struct site *s, int64_t live)
{
	int64_t peak = __atomic_load_n(&s->peak, __ATOMIC_RELAXED);
	while (live > peak && !__atomic_compare_exchange_n(&s->peak, &peak, live, 1,
							   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void fl_sites_flush(struct fl_sites_pending *pd)
{
	struct site *s;
	if (!sites || !pd->id)
		return;
	s = &sites[pd->id - 1];
	__atomic_store_n(&pd->seq, pd->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_fetch_add(&s->allocs, pd->allocs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->frees, pd->frees, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->bytes, pd->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->allocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->frees, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->bytes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->id, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->seq, pd->seq + 1, __ATOMIC_RELEASE);
	mark_dirty(s);
}

/* The site of id, with the thread's pending entry turned to it. */
static struct site *enter(struct fl_sites_pending *pd, uint32_t id)
{
	struct site *s = site_of(id);
	uint32_t key = (uint32_t)(s - sites) + 1;
	if (FL_UNLIKELY(pd->id != key)) {
		fl_sites_flush(pd);
		__atomic_store_n(&pd->id, key, __ATOMIC_RELEASE);
	}
	return s;
}

/* The live bytes of a call: plain instructions while the thread owns the
 * plain updates, else one atomic add (and a CAS when the peak rises). */
static void add_live(struct fl_sites_pending *pd, struct site *s, int64_t delta)
{
	int64_t live;
	if (pd->plain) {
		live = __atomic_load_n(&s->live, __ATOMIC_RELAXED) + delta;
		__atomic_store_n(&s->live, live, __ATOMIC_RELAXED);
		if (live > __atomic_load_n(&s->peak, __ATOMIC_RELAXED))
			__atomic_store_n(&s->peak, live, __ATOMIC_RELAXED);
		return;
	}
	live = __atomic_add_fetch(&s->live, delta, __ATOMIC_RELAXED);
	if (delta > 0)
		raise_peak(s, live);
}

void fl_sites_alloc(struct fl_sites_pending *pd, uint32_t id, uint64_t size)
{
	struct site *s;
	if (!sites)
		return;
	s = enter(pd, id);
	add_live(pd, s, (int64_t)size);
	fl_add(&pd->allocs, 1);
	fl_add(&pd->bytes, size);
	mark_dirty(s);
}

void fl_sites_free(struct fl_sites_pending *pd, uint32_t id, uint64_t size)
{
	struct site *s;
	if (!sites)
		return;
	s = enter(pd, id);
	add_live(pd, s, -(int64_t)size);
	fl_add(&pd->frees, 1);
	mark_dirty(s);
}

struct row {
	uint32_t id;
	uint64_t allocs, frees, bytes;
	int64_t live, peak;
};

static struct row rows[PER_LINE];

static void write_rows(struct fl_out *o, int n, uint64_t (*next_seq)(void), uint64_t t)
{
	/* Stack lines first: a reader meets every id before its use. */
	for (int i = 0; i < n; i++)
		fl_stacks_ensure(o, rows[i].id, t, next_seq);
	fl_out_begin(o, FL_EV_SITES, t, next_seq());
	fl_out_key(o, FL_K_SITES);
	fl_out_arr_open(o);
	for (int i = 0; i < n; i++) {
		fl_out_arr_open(o);
		fl_out_v_u64(o, rows[i].id);
		fl_out_v_u64(o, rows[i].allocs);
		fl_out_v_u64(o, rows[i].frees);
		fl_out_v_u64(o, rows[i].bytes);
		fl_out_v_i64(o, rows[i].live);
		fl_out_v_i64(o, rows[i].peak);
		fl_out_arr_close(o);
	}
	fl_out_arr_close(o);
	fl_out_end(o);
}

/* Sum of every thread's pending seq; *moving: one of them is odd. */
static uint64_t seq_sum(int *moving)
{
	uint64_t sum = 0;
	*moving = 0;
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		uint32_t q = __atomic_load_n(&t->site_pend.seq, __ATOMIC_ACQUIRE);
		*moving |= q & 1;
		sum += q;
	}
	return sum;
}

/* The site's figures plus the counts pending for it in every thread. A
 * thread moving its counts into a site meanwhile changes the seq sum: read
 * again (a few times: a thread stopped mid-move, by a signal handler or a
 * fork, must not stall the writer; the next tick has the row whole). */
static void read_row(uint32_t id, struct row *r)
{
	const struct site *s = &sites[id];
	for (int tries = 0; tries < 64; tries++) {
		int moving, moved;
		uint64_t before = seq_sum(&moving);
		*r = (struct row){id,
				  __atomic_load_n(&s->allocs, __ATOMIC_RELAXED),
				  __atomic_load_n(&s->frees, __ATOMIC_RELAXED),
				  __atomic_load_n(&s->bytes, __ATOMIC_RELAXED),
				  __atomic_load_n(&s->live, __ATOMIC_RELAXED),
				  __atomic_load_n(&s->peak, __ATOMIC_RELAXED)};
		for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
			const struct fl_sites_pending *pd = &t->site_pend;
			if (__atomic_load_n(&pd->id, __ATOMIC_ACQUIRE) != id + 1)
				continue;
			r->allocs += __atomic_load_n(&pd->allocs, __ATOMIC_RELAXED);
			r->frees += __atomic_load_n(&pd->frees, __ATOMIC_RELAXED);
			r->bytes += __atomic_load_n(&pd->bytes, __ATOMIC_RELAXED);
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!moving && seq_sum(&moved) == before && !moved)
			return;
		__builtin_ia32_pause();
	}
}

void fl_sites_emit(struct fl_out *o, uint64_t (*next_seq)(void), uint64_t t)
{
	uint32_t max = fl_stacks_max_id();
	int n = 0;
	if (!sites)
		return;
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		if (!__atomic_load_n(&s->dirty, __ATOMIC_RELAXED))
			continue;
		/* Cleared before reading: an update racing with this read marks
		 * the site again, and the next tick has it whole. */
		__atomic_exchange_n(&s->dirty, 0, __ATOMIC_ACQ_REL);
		read_row(id, &rows[n]);
		if (++n == PER_LINE) {
			write_rows(o, n, next_seq, t);
			n = 0;
		}
	}
	if (n)
		write_rows(o, n, next_seq, t);
}

void fl_sites_after_fork_child(void)
{
	uint32_t max = fl_stacks_max_id();
	if (!sites)
		return;
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		t->site_pend = (struct fl_sites_pending){0};
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		s->allocs = s->frees = s->bytes = 0;
		s->peak = s->live;
		s->dirty = s->live != 0;
	}
}
