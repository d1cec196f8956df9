#include "record/sites.h"

#include "faultline/schema.h"
#include "record/stacks.h"
#include "base/sys.h"
#include "record/thread.h"

#define PER_LINE 512

/* One cache line per site. Lock-free for one thread: live is the one
 * figure whose order of updates matters (peak is the largest value it
 * takes). While one thread owns the plain updates (thread.h), it updates
 * live and peak with plain instructions. The counts gather in the thread's
 * pending entry first (sites.h). A row read while threads run may be a few
 * calls apart between its fields; dirty is set after the fields, so the
 * next tick writes the row again.
 *
 * Threads updating at once (no owner) keep the peak exact without writing
 * the site's line at every call: headroom. While the site is not exact,
 * each thread adds its calls' live bytes to its own pending live, which it
 * keeps at or below its room; the rooms granted and the site's live never
 * add up to more than the peak (avail = peak - live - rooms, >= 0). Then
 * the true live bytes, the site's plus every thread's pending, stay at or
 * below the peak whatever the order of the calls: no call can make a new
 * peak, so the peak stays exact while nothing touches the site. A thread
 * whose call would pass its room takes the site's lock, gives its pending
 * bytes and room back and asks for more room; if avail cannot cover the
 * call, the live bytes may be about to pass the peak: the site turns
 * exact, taking every thread's pending bytes in (each thread marks its
 * pending update with active before reading the mode, the lock holder
 * sets the mode before reading active, with a full barrier on both sides:
 * either the thread sees the site exact or the lock holder sees it active
 * and waits; with membarrier(2) the threads' side is a compiler barrier,
 * the lock holder running membarrier for them, as thread.h's takeovers),
 * and every update takes the lock, raising the peak in the order of the
 * lock. The site leaves exact mode when its live bytes fall POOL_MIN below
 * the peak. A site starts exact: its pages are mapped zeroed, and the
 * sites that no two threads share never touch rooms.
 * Under the lock, avail and pooled are plain fields. */
struct site {
	int64_t live, peak;
	uint64_t allocs, frees, bytes;
	int64_t avail;
	uint32_t dirty;
	uint32_t pooled; /* 1: rooms may be granted; 0 (as mapped): exact */
	uint32_t lock;
	uint32_t pad_;
};

_Static_assert(sizeof(struct site) == 64, "a site is one cache line");

/* The room a thread asks for beyond its call's bytes: a thread goes to
 * the site's line about once per ROOM bytes its live bytes there rise.
 * Near the peak a room takes at most a ROOM_SHARE-th of what is left
 * (avail), so the last of it goes in smaller and smaller rooms and the site
 * turns exact only when the live bytes are about one call from the peak,
 * not when another thread merely holds the rest as room. It leaves exact
 * mode as soon as the live bytes are POOL_MIN below the peak: each locked
 * update in exact mode moves the site's line between the CPUs (in
 * bench/malloc_bench 2 under --all, 4 * ROOM there and whole rooms made
 * ~200,000 of them a run, 1 % of the calls; these values ~15,000, for
 * ~1.5x the turns to exact mode, each a membarrier(2)). */
#define ROOM 4096
#define ROOM_SHARE 4
#define POOL_MIN 2048

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

/* A thread waited for may have lost its CPU (more threads than CPUs):
 * spin a little, then give the CPU up. */
static void backoff(unsigned *spins)
{
	if (++*spins < 100)
		__builtin_ia32_pause();
	else
		fl_sys_yield();
}

/* The sites are updated under the guard (no signal handler's call gets
 * here) and the lock is held for a few dozen instructions. */
static void site_lock(struct site *s)
{
	unsigned spins = 0;
	while (__atomic_exchange_n(&s->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&s->lock, __ATOMIC_RELAXED))
			backoff(&spins);
}

static void site_unlock(struct site *s)
{
	__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
}

static void seq_step(struct fl_sites_pending *pd)
{
	__atomic_fetch_add(&pd->seq, 1, __ATOMIC_SEQ_CST);
}

/* Moves pd's pending live bytes into s and gives its room back (s locked,
 * or pd's thread not updating). The true live bytes do not change. */
static void take_pending(struct site *s, struct fl_sites_pending *pd)
{
	int64_t live = __atomic_load_n(&pd->live, __ATOMIC_RELAXED);
	int64_t room = __atomic_load_n(&pd->room, __ATOMIC_RELAXED);
	if (!live && !room)
		return;
	seq_step(pd);
	__atomic_store_n(&s->live, s->live + live, __ATOMIC_RELAXED);
	if (s->pooled)
		s->avail += room - live;
	__atomic_store_n(&pd->live, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->room, 0, __ATOMIC_RELAXED);
	seq_step(pd);
}

void fl_sites_flush(struct fl_sites_pending *pd)
{
	struct site *s;
	if (!sites || !pd->id)
		return;
	s = &sites[pd->id - 1];
	/* Live bytes and room are only ever taken away by another thread
	 * (turn_exact), under the lock: at 0 they stay 0, and a thread that
	 * counted nothing against room (one at a time) takes no lock. */
	if (__atomic_load_n(&pd->live, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&pd->room, __ATOMIC_RELAXED)) {
		site_lock(s);
		take_pending(s, pd);
		site_unlock(s);
	}
	seq_step(pd);
	__atomic_fetch_add(&s->allocs, pd->allocs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->frees, pd->frees, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->bytes, pd->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->allocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->frees, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->bytes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pd->id, 0, __ATOMIC_RELAXED);
	seq_step(pd);
	mark_dirty(s);
}

/* The thread's pending entry turned to the site key (out of line: a
 * thread that keeps to one site never comes here). */
static __attribute__((noinline)) void turn_to(struct fl_sites_pending *pd, uint32_t key)
{
	fl_sites_flush(pd);
	__atomic_store_n(&pd->id, key, __ATOMIC_RELEASE);
}

/* The site of id, with the thread's pending entry turned to it. */
static struct site *enter(struct fl_sites_pending *pd, uint32_t id)
{
	struct site *s = site_of(id);
	uint32_t key = (uint32_t)(s - sites) + 1;
	if (FL_UNLIKELY(pd->id != key))
		turn_to(pd, key);
	return s;
}

/* s turns exact (locked): every thread's pending bytes go into it. A
 * thread that is updating its pending live is waited for; one that starts
 * after the fence sees exact and waits for the lock. */
static void turn_exact(struct site *s)
{
	uint32_t key = (uint32_t)(s - sites) + 1;
	__atomic_store_n(&s->pooled, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (fl_thread_membarrier_)
		fl_thread_barrier(); /* the updating threads' side of the fence */
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		struct fl_sites_pending *pd = &t->site_pend;
		unsigned spins = 0;
		if (__atomic_load_n(&pd->id, __ATOMIC_ACQUIRE) != key)
			continue;
		while (__atomic_load_n(&pd->active, __ATOMIC_ACQUIRE))
			backoff(&spins);
		take_pending(s, pd);
	}
	s->avail = 0;
}

/* A call that its room does not cover, or made while the site is exact
 * (out of line, so that the room's test inlined in its callers saves no
 * registers). */
static __attribute__((noinline)) void add_live_locked(struct fl_sites_pending *pd, struct site *s,
						      int64_t delta)
{
	int64_t live;
	site_lock(s);
	if (s->pooled) {
		take_pending(s, pd);
		if (delta <= 0) {
			__atomic_store_n(&s->live, s->live + delta, __ATOMIC_RELAXED);
			s->avail -= delta;
			site_unlock(s);
			return;
		}
		if (s->avail >= delta) {
			int64_t extra = (s->avail - delta) / ROOM_SHARE;
			int64_t room = delta + (extra < ROOM ? extra : ROOM);
			s->avail -= room;
			__atomic_store_n(&pd->room, room, __ATOMIC_RELAXED);
			__atomic_store_n(&pd->live, delta, __ATOMIC_RELAXED);
			site_unlock(s);
			return;
		}
		turn_exact(s);
	}
	live = s->live + delta;
	__atomic_store_n(&s->live, live, __ATOMIC_RELAXED);
	if (live > s->peak)
		__atomic_store_n(&s->peak, live, __ATOMIC_RELAXED);
	if (s->peak - live >= POOL_MIN) {
		s->avail = s->peak - live;
		__atomic_store_n(&s->pooled, 1, __ATOMIC_RELAXED);
	}
	site_unlock(s);
}

/* A call's live bytes against the thread's room (no owner): 0 when the
 * room does not cover it, or the site is exact. */
static inline int add_live_room(struct fl_sites_pending *pd, const struct site *s, int64_t delta)
{
	int64_t live;
	int done = 0;
	if (FL_LIKELY(fl_thread_membarrier_)) {
		__atomic_store_n(&pd->active, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} else {
		__atomic_exchange_n(&pd->active, 1, __ATOMIC_SEQ_CST);
	}
	if (__atomic_load_n(&s->pooled, __ATOMIC_RELAXED)) {
		live = pd->live + delta;
		if (live <= __atomic_load_n(&pd->room, __ATOMIC_RELAXED)) {
			__atomic_store_n(&pd->live, live, __ATOMIC_RELAXED);
			done = 1;
		}
	}
	__atomic_store_n(&pd->active, 0, __ATOMIC_RELEASE);
	return done;
}

/* The live bytes of a call: plain instructions while the thread owns the
 * plain updates; else its own pending live while its room covers it. */
static inline void add_live(struct fl_sites_pending *pd, struct site *s, int64_t delta)
{
	int64_t live;
	if (FL_UNLIKELY(!pd->plain)) {
		if (FL_UNLIKELY(!add_live_room(pd, s, delta)))
			add_live_locked(pd, s, delta);
		return;
	}
	live = __atomic_load_n(&s->live, __ATOMIC_RELAXED) + delta;
	__atomic_store_n(&s->live, live, __ATOMIC_RELAXED);
	if (live > __atomic_load_n(&s->peak, __ATOMIC_RELAXED))
		__atomic_store_n(&s->peak, live, __ATOMIC_RELAXED);
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
			r->live += __atomic_load_n(&pd->live, __ATOMIC_RELAXED);
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
	/* The live bytes the threads had pending are the child's too. */
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		struct fl_sites_pending *pd = &t->site_pend;
		if (pd->id)
			sites[pd->id - 1].live += pd->live;
		*pd = (struct fl_sites_pending){0};
	}
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		s->allocs = s->frees = s->bytes = 0;
		s->peak = s->live;
		s->dirty = s->live != 0;
		s->pooled = 0; /* no rooms granted */
		s->avail = 0;
		s->lock = 0; /* a vanished thread's */
	}
}
