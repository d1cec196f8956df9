#include "record/thread.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "base/config.h"
#include "base/sys.h"

#define FL_RING_BYTES (1u << 20)

#define FL_CALL_NAME(id, name) name,
const char *const fl_call_names[FL_CALL_COUNT] = {FL_CALLS(FL_CALL_NAME)};
#undef FL_CALL_NAME

/* nofast: a new thread has no state until its first traced call. */
__thread struct fl_tls fl_tls
    __attribute__((tls_model("initial-exec"), aligned(64))) = {.nofast = 1};
uintptr_t fl_inline_free_gate_;

uint64_t fl_retired_calls[FL_CALL_COUNT];
uint64_t fl_retired_bytes[FL_CALL_COUNT];
struct fl_refill_line fl_refill_line;

static struct fl_thread *registry;
void (*fl_thread_started)(struct fl_thread *t);
void (*fl_thread_ended)(struct fl_thread *t);
static pthread_key_t exit_key;
static int exit_key_ok;

struct fl_thread *fl_thread_first(void)
{
	return __atomic_load_n(&registry, __ATOMIC_ACQUIRE);
}

/* A thread waited for may have lost its CPU (two CPUs, many threads):
 * spin a little, then give the CPU up. */
static void backoff(unsigned *spins)
{
	if (++*spins < 100)
		__builtin_ia32_pause();
	else
		fl_sys_yield();
}

void fl_thread_hot_read(struct fl_thread *t, struct fl_hot *h)
{
	const struct fl_hot *src;
	int other = t != fl_tls_self;
	/* Counted in before the pointer is read: hot_keep() either sees this
	 * reader and waits, or has switched the pointer before it is read
	 * (both sides sequentially consistent). */
	if (other)
		__atomic_fetch_add(&t->hot_readers, 1, __ATOMIC_SEQ_CST);
	src = __atomic_load_n(&t->hot, __ATOMIC_SEQ_CST);
	h->live = __atomic_load_n(&src->live, __ATOMIC_RELAXED);
	h->inline_malloc_calls = __atomic_load_n(&src->inline_malloc_calls, __ATOMIC_RELAXED);
	h->inline_malloc_bytes = __atomic_load_n(&src->inline_malloc_bytes, __ATOMIC_RELAXED);
	h->inline_free_calls = __atomic_load_n(&src->inline_free_calls, __ATOMIC_RELAXED);
	if (other)
		__atomic_fetch_sub(&t->hot_readers, 1, __ATOMIC_RELEASE);
}

/*
 * The exiting thread's counters move from its TLS, which glibc frees or
 * gives to the next thread once the thread is gone, into its state, where
 * the writer folds them: copied, the pointer switched, then every reader
 * that may have read the old pointer waited out. Readers take a few loads
 * (with the program's signals blocked in ticks); the wait is bounded all
 * the same, since a reader that a signal handler of the program's
 * interrupted and left by longjmp never counts itself out (the TLS then
 * stays at least in glibc's cache of stacks for a while).
 */
#define HOT_WAIT_SPINS 20000
static void hot_keep(struct fl_thread *t)
{
	unsigned spins = 0;
	t->kept = fl_tls.hot;
	__atomic_store_n(&t->hot, &t->kept, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&t->hot_readers, __ATOMIC_SEQ_CST) && spins < HOT_WAIT_SPINS)
		backoff(&spins);
}

static void on_thread_exit(void *arg)
{
	struct fl_thread *t = arg;
	fl_tls_exiting = 1;
	fl_thread_fast_update(); /* the inline paths off, before self goes */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fl_tls_self = NULL;
	/* No count lands in the TLS from here: the slow paths count a call
	 * without a state with the retired threads'. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (t)
		hot_keep(t);
	if (t && fl_thread_ended)
		fl_thread_ended(t);
	if (t)
		__atomic_store_n(&t->state, FL_TS_DEAD, __ATOMIC_RELEASE);
}

#define FL_SOLO_REVOCATIONS 16

struct fl_thread *fl_thread_owner_;
struct fl_thread *fl_thread_zone_owner_[FL_PTRSET_ZONES];
uint8_t fl_thread_zone_solo_[FL_PTRSET_ZONES]; /* 0 until membarrier is known to work */
static uint8_t zone_takeovers[FL_PTRSET_ZONES];
int fl_thread_solo_;	     /* 0 until membarrier is known to work */
static int revoking;	     /* one revoker at a time */
static unsigned revocations; /* since start (or the fork) */

/* Whether plain updates may be used: membarrier's private expedited
 * barrier must be registered. */
static int solo_possible(void)
{
	fl_thread_membarrier_ = fl_sys_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
	return fl_thread_membarrier_;
}

int fl_thread_membarrier_;

void fl_thread_barrier(void)
{
	if (fl_sys_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
		fl_sys_membarrier(MEMBARRIER_CMD_GLOBAL); /* registered at start: not expected */
}

/*
 * The pointer set's zones take plain updates only under --all, where every
 * block is kept and the updates are hot. In the default mode only sampled
 * and large blocks are kept (~0.5 % of the calls): an atomic update there
 * costs nothing measurable, while each takeover of a zone by another thread
 * is a membarrier, an interrupt on every CPU running the program: two
 * threads allocating at once spent 9 % of their CPU in those IPIs (perf
 * record -e cpu-clock: smp_call_function_many_cond, native_write_msr).
 */
static void solo_all(int on)
{
	memset(zone_takeovers, 0, sizeof(zone_takeovers));
	for (int z = 0; z < FL_PTRSET_ZONES; z++) {
		fl_thread_zone_owner_[z] = NULL;
		__atomic_store_n(&fl_thread_zone_solo_[z], on && fl_config.all, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&fl_thread_solo_, on, __ATOMIC_RELEASE);
}

void fl_thread_init(void)
{
	exit_key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
	if (solo_possible())
		solo_all(1);
}

static void wait_out(struct fl_thread *old)
{
	unsigned spins = 0;
	fl_thread_barrier();
	if (!old)
		return;
	while (__atomic_load_n(&old->site_pend.plain, __ATOMIC_ACQUIRE))
		backoff(&spins);
}

static void lock_takeovers(unsigned *spins)
{
	int expect = 0;
	while (!__atomic_compare_exchange_n(&revoking, &expect, 1, 0, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		expect = 0;
		backoff(spins);
	}
}

int fl_thread_zone_take(struct fl_thread *t, uint32_t z)
{
	unsigned spins = 0;
	for (;;) {
		struct fl_thread *old;
		if (!__atomic_load_n(&fl_thread_zone_solo_[z], __ATOMIC_ACQUIRE))
			return 0;
		lock_takeovers(&spins);
		old = __atomic_load_n(&fl_thread_zone_owner_[z], __ATOMIC_RELAXED);
		if (__atomic_load_n(&fl_thread_zone_solo_[z], __ATOMIC_RELAXED) && old != t) {
			int last = ++zone_takeovers[z] > FL_SOLO_REVOCATIONS;
			__atomic_store_n(&fl_thread_zone_owner_[z], last ? NULL : t,
					 __ATOMIC_SEQ_CST);
			if (fl_sys_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
				fl_sys_membarrier(MEMBARRIER_CMD_GLOBAL);
			while (old && __atomic_load_n(&old->nodes.plain, __ATOMIC_ACQUIRE) == z + 1)
				backoff(&spins);
			if (last)
				__atomic_store_n(&fl_thread_zone_solo_[z], 0, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&revoking, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&t->nodes.plain, z + 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&fl_thread_zone_owner_[z], __ATOMIC_RELAXED) == t)
			return 1;
		__atomic_store_n(&t->nodes.plain, 0, __ATOMIC_RELAXED);
	}
}

int fl_thread_solo_take(struct fl_thread *t)
{
	unsigned spins = 0;
	for (;;) {
		struct fl_thread *old;
		if (!__atomic_load_n(&fl_thread_solo_, __ATOMIC_ACQUIRE))
			return 0;
		lock_takeovers(&spins);
		old = __atomic_load_n(&fl_thread_owner_, __ATOMIC_RELAXED);
		if (__atomic_load_n(&fl_thread_solo_, __ATOMIC_RELAXED) && old != t) {
			int last = ++revocations > FL_SOLO_REVOCATIONS;
			__atomic_store_n(&fl_thread_owner_, last ? NULL : t, __ATOMIC_SEQ_CST);
			wait_out(old);
			if (last)
				__atomic_store_n(&fl_thread_solo_, 0, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&revoking, 0, __ATOMIC_RELEASE);
		/* Another thread may have taken it back meanwhile: enter anew. */
		__atomic_store_n(&t->site_pend.plain, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&fl_thread_owner_, __ATOMIC_RELAXED) == t)
			return 1;
		__atomic_store_n(&t->site_pend.plain, 0, __ATOMIC_RELAXED);
	}
}

static uint64_t seed(pid_t tid)
{
	uint64_t x = fl_sys_now_ns() ^ ((uint64_t)tid << 32) ^ (uint64_t)(uintptr_t)&x;
	return x ? x : 0x9e3779b97f4a7c15ull;
}

/*
 * New states, each with its ring, come from chunks of the shim's pages that
 * hold several, twice as many in each new chunk (up to POOL_MAX_SLOTS). A
 * region apiece (two: the state and its ring) ran the shim's list of its
 * regions (64 then, base/sys.h) out at about 25 threads, and the
 * regions past it counted as the program's memory and their page faults
 * as its faults. States are recycled (claim), never unmapped: the chunks
 * grow with the most threads alive at once. The lock is held for a bump
 * or one mmap, with the program's signals blocked (thread_register); a
 * fork child whose other thread held it starts a new chunk
 * (fl_thread_after_fork_child).
 */
#define SLOT_STATE ((sizeof(struct fl_thread) + 4095) & ~(size_t)4095)
#define SLOT_BYTES (SLOT_STATE + FL_RING_BYTES)
#define POOL_FIRST_SLOTS 1
#define POOL_MAX_SLOTS 64
static struct {
	int lock;
	char *next, *end; /* the free slots of the last chunk */
	unsigned slots;	  /* the last chunk's */
} pool;

static char *slot_take(void)
{
	char *s = NULL;
	while (__atomic_exchange_n(&pool.lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	if (pool.next == pool.end) {
		unsigned n = pool.slots ? pool.slots * 2 : POOL_FIRST_SLOTS;
		char *c = NULL;
		if (n > POOL_MAX_SLOTS)
			n = POOL_MAX_SLOTS;
		/* Under an address-space budget (base/sys.h) a chunk takes at
		 * most a sixteenth of it, as the shim's tables do, so that states
		 * reserved ahead leave the other tables theirs; and fewer when
		 * even that is not there, down to one. */
		while (n > 1 && n * SLOT_BYTES > fl_sys_budget_part(n * SLOT_BYTES, 16))
			n /= 2;
		while (n && !(c = fl_sys_alloc_pages(n * SLOT_BYTES)))
			n /= 2;
		if (c) {
			pool.next = c;
			pool.end = c + n * SLOT_BYTES;
			pool.slots = n;
		}
	}
	if (pool.next != pool.end) {
		s = pool.next;
		pool.next += SLOT_BYTES;
	}
	__atomic_store_n(&pool.lock, 0, __ATOMIC_RELEASE);
	return s;
}

static struct fl_thread *claim(void)
{
	struct fl_thread *t;
	char *slot;
	for (t = fl_thread_first(); t; t = t->next) {
		int expect = FL_TS_FREE;
		if (__atomic_compare_exchange_n(&t->state, &expect, FL_TS_LIVE, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return t;
	}
	slot = slot_take();
	if (!slot)
		return NULL;
	t = (struct fl_thread *)slot;
	fl_evbuf_init_at(&t->ring, slot + SLOT_STATE, FL_RING_BYTES);
	t->hot = &t->kept; /* before a reader can find it */
	t->state = FL_TS_LIVE;
	t->next = fl_thread_first();
	while (!__atomic_compare_exchange_n(&registry, &t->next, t, 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE))
		;
	return t;
}

/*
 * A thread registers with the program's signals blocked (the faults stay
 * open: a fault here is the shim's). A handler of the program's that ran
 * in the middle would register a second state (its calls found no state
 * yet), or, inside the guarded pthread_setspecific, have its calls taken
 * for the shim's own and go uncounted: t8201's handlers' calloc count came
 * out one short once in about twenty runs.
 */
static struct fl_thread *thread_register(void)
{
	struct fl_thread *t = claim();
	int keyed = 0;
	if (!t)
		return NULL;
	t->tid = fl_sys_gettid();
	t->rng = seed(t->tid);
	t->sample_rest = 0; /* drawn on first use */
	fl_tls.budget = 0;
	t->stacks.gen++; /* the cached stacks were another thread's */
	fl_tls_self = t;
	fl_thread_fast_update();
	if (exit_key_ok) {
		/* May allocate (keys past the first 32): not the program's call. */
		int guard = fl_tls_guard;
		fl_guard_set(FL_GUARD_INTERNAL);
		keyed = pthread_setspecific(exit_key, t) == 0;
		fl_guard_set(guard);
	}
	/* Counted in the TLS only where the exit will say so (on_thread_exit):
	 * else a reader could follow hot into a stack the thread left. */
	if (keyed) {
		fl_tls.hot = t->kept; /* zero: no call has counted yet */
		__atomic_store_n(&t->hot, &fl_tls.hot, __ATOMIC_SEQ_CST);
		fl_thread_fast_update();
	}
	return t;
}

struct fl_thread *fl_thread_claim(void)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
	struct fl_thread *t = fl_tls_self;
	sigset_t block, old;
	if (t)
		return t;
	if (fl_tls_exiting)
		return NULL;
	sigfillset(&block);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(&block, faults[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	t = thread_register();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (t && fl_thread_started)
		fl_thread_started(t);
	return t;
}

/* The call counts of t (its own thread, or one that is gone), h its hot
 * counters; the live bytes stay. */
static void zero_counts(struct fl_thread *t, struct fl_hot *h)
{
	memset(t->calls, 0, sizeof(t->calls));
	memset(t->bytes, 0, sizeof(t->bytes));
	h->inline_malloc_calls = h->inline_malloc_bytes = h->inline_free_calls = 0;
}

void fl_thread_retire(struct fl_thread *t)
{
	struct fl_hot h;
	fl_thread_hot_read(t, &h);
	for (int i = 0; i < FL_CALL_COUNT; i++) {
		__atomic_fetch_add(&fl_retired_calls[i], fl_hot_calls(t, &h, i), __ATOMIC_RELAXED);
		__atomic_fetch_add(&fl_retired_bytes[i], fl_hot_bytes(t, &h, i), __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&fl_refill_line.retired_live, fl_hot_live(&h), __ATOMIC_RELAXED);
	/* After the fold: a check in between counts the bytes twice, which
	 * only sends it to the exact sum (record.c). */
	__atomic_fetch_sub(&fl_refill_line.published_live,
			   __atomic_exchange_n(&t->live_checked, 0, __ATOMIC_RELAXED),
			   __ATOMIC_RELAXED);
	/* A vanished thread's (a fork child's) TLS is not this state's any more. */
	__atomic_store_n(&t->hot, &t->kept, __ATOMIC_SEQ_CST);
	zero_counts(t, &t->kept);
	t->kept.live = 0;
	t->dropped = 0;
	fl_evbuf_reset(&t->ring);
	__atomic_store_n(&t->state, FL_TS_FREE, __ATOMIC_RELEASE);
}

void fl_thread_after_fork_child(void)
{
	struct fl_thread *self = fl_tls_self;
	/* Held by a thread that is gone, maybe halfway through a new chunk. */
	if (pool.lock) {
		pool.next = pool.end = NULL;
		pool.lock = 0;
	}
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		fl_evbuf_reset(&t->ring);
		t->tick_timer = 0; /* timers are not inherited */
		if (t == self)
			continue;
		/* A vanished thread was maybe inside a plain update, or
		 * reading another's counters. */
		t->nodes.plain = t->site_pend.plain = t->site_pend.active = 0;
		t->hot_readers = 0;
		/* Locks that a vanished thread held at the fork. */
		fl_ptrset_after_fork(&t->nodes);
		if (t->state != FL_TS_FREE)
			fl_thread_retire(t);
	}
	/* The child inherits the parent's heap (live bytes) but its call
	 * counts start from zero: they describe what this process did. */
	memset(fl_retired_calls, 0, sizeof(fl_retired_calls));
	memset(fl_retired_bytes, 0, sizeof(fl_retired_bytes));
	/* One thread again: plain updates, if membarrier works here too. */
	solo_all(solo_possible());
	fl_thread_owner_ = fl_thread_solo_ ? self : NULL;
	revoking = 0;
	revocations = 0;
	if (self) {
		struct fl_hot *h = self->hot;
		self->tid = fl_sys_gettid();
		self->hot_readers = 0;
		h->live = (uint64_t)fl_hot_live(h); /* before the counts go */
		zero_counts(self, h);
	}
}

void fl_thread_count_orphan(enum fl_call c, uint64_t bytes, int64_t live_delta)
{
	__atomic_fetch_add(&fl_retired_calls[c], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fl_retired_bytes[c], bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fl_refill_line.retired_live, live_delta, __ATOMIC_RELAXED);
}
