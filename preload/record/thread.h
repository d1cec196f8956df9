/*
 * Per-thread state: the reentrancy guard, exact call counters, the sampling
 * countdown and the event ring. TLS (initial-exec, so reading it never
 * allocates) holds the guard, the gate of the heap hooks' inline paths,
 * the budget and the counters they write (struct fl_hot); the state itself
 * lives in shim-owned pages and is registered in a global lock-free list so
 * that the writer can merge counters and drain rings of every thread.
 *
 * A thread's state is claimed on its first traced call and released by a
 * pthread key destructor; the writer drains a released state, folds its
 * counters into the retired totals and recycles it.
 */
#ifndef FL_THREAD_H
#define FL_THREAD_H

#include <stdint.h>
#include <sys/types.h>

#include "faultline/compiler.h"
#include "faultline/schema.h"
#include "record/evbuf.h"
#include "record/ptrset.h"
#include "record/site_pending.h"
#include "record/stacks.h"

#define FL_CALL_ENUM(id, name) FL_CALL_##id,
enum fl_call { FL_CALLS(FL_CALL_ENUM) FL_CALL_COUNT };
#undef FL_CALL_ENUM

extern const char *const fl_call_names[FL_CALL_COUNT];

enum fl_thread_state { FL_TS_FREE, FL_TS_LIVE, FL_TS_DEAD };

/* Counters are updated only by their thread, with fl_add: one instruction,
 * so a signal handler's hooked call that lands between the parts of an
 * update cannot lose it; the writer reads them with relaxed loads. */

/* What the heap hooks' inline paths count: in the thread's TLS (struct
 * fl_tls) while it lives, so that malloc() and free() add to them at a
 * fixed offset from the thread pointer, with no load of a state pointer
 * first (callgrind: 4 instructions a malloc/free pair fewer, one of them a
 * load the counting waited for). Other threads read them through
 * fl_thread_hot_read(); a thread that exits copies them into its state
 * first (thread.c). */
struct fl_hot {
	/* Usable bytes allocated - freed by this thread (two's complement),
	 * plus 8 for each block the inline paths counted in (their chunk
	 * size, one subtraction less) and minus 8 for each they counted out:
	 * read it with fl_hot_live(). */
	uint64_t live;
	/* Part of calls[FL_CALL_MALLOC], bytes[FL_CALL_MALLOC] and
	 * calls[FL_CALL_FREE] as fl_hot_calls() and fl_hot_bytes() read them. */
	uint64_t inline_malloc_calls, inline_malloc_bytes, inline_free_calls;
};

struct fl_thread {
	int state; /* enum fl_thread_state, atomic */
	pid_t tid;
	/* Bytes left before the next heap sample: the budget (in TLS:
	 * fl_tls.budget) + sample_rest. */
	uint64_t sample_rest;
	uint64_t calls[FL_CALL_COUNT];
	uint64_t bytes[FL_CALL_COUNT]; /* bytes requested */
	uint64_t rng;
	uint64_t dropped;		   /* events lost because the ring stayed full */
	struct fl_sites_pending site_pend; /* --all: counts not yet in their site */
	struct fl_ptrset_cache nodes;
	struct fl_evbuf ring;
	struct fl_stack_cache stacks;
	int tick_timer; /* the session's timer on this thread's CPU clock: id + 1, or 0 */
	/* 1 when its signal came while the thread was inside the shim (the
	 * guard set: --all spends most of a heap call there): the slow path
	 * ticks on its way out instead (fl_record_untimed_tick). */
	int tick_missed;
	/* What other threads read (record.c's peak checks, the ticks), in a
	 * cache line of their own: not the slow path's (stacks.entry_fp, the
	 * ring's head), whose next write would wait for the line to come back.
	 * live_checked: fl_hot_live() at this thread's last peak check, 0 for
	 * a free state. hot: the thread's fl_tls.hot while it lives, else
	 * kept (a free or dead state, one whose thread cannot tell its exit). */
	struct fl_thread *next __attribute__((aligned(64))); /* registry link, never unlinked */
	int64_t live_checked;
	struct fl_hot *hot;
	struct fl_hot kept;
	/* The other threads reading through hot just now, in a line of its
	 * own: the readers' writes here would take the line above away from
	 * the peak checks that read it (a two-thread run's peak_check took
	 * twice its share of the samples, perf record). */
	int hot_readers __attribute__((aligned(64)));
};

/* t's counters now, into *h: t's own thread reads them in place; another
 * thread with t's exit held off while it reads (the thread's TLS goes
 * with it). */
void fl_thread_hot_read(struct fl_thread *t, struct fl_hot *h);

/* t's count of call c, h its counters (relaxed loads: another thread may
 * be counting). */
static inline uint64_t fl_hot_calls(const struct fl_thread *t, const struct fl_hot *h,
				    enum fl_call c)
{
	uint64_t n = __atomic_load_n(&t->calls[c], __ATOMIC_RELAXED);
	if (c == FL_CALL_MALLOC)
		n += h->inline_malloc_calls;
	else if (c == FL_CALL_FREE)
		n += h->inline_free_calls;
	return n;
}

/* The usable bytes allocated - freed that h holds (a reader on another
 * thread may see a call's count and not yet its bytes, 8 bytes off). */
static inline int64_t fl_hot_live(const struct fl_hot *h)
{
	return (int64_t)(h->live - 8 * (h->inline_malloc_calls - h->inline_free_calls));
}

/* t's bytes requested by call c, h its counters. */
static inline uint64_t fl_hot_bytes(const struct fl_thread *t, const struct fl_hot *h,
				    enum fl_call c)
{
	uint64_t n = __atomic_load_n(&t->bytes[c], __ATOMIC_RELAXED);
	if (c == FL_CALL_MALLOC)
		n += h->inline_malloc_bytes;
	return n;
}

/* Called on the thread itself as it registers (its first traced call) and
 * as it exits, when set: the session starts and stops its tick timer. */
extern void (*fl_thread_started)(struct fl_thread *t);
extern void (*fl_thread_ended)(struct fl_thread *t);

static inline void fl_add(uint64_t *p, uint64_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("addq %1, %0" : "+m"(*p) : "er"(v));
#else
	__atomic_store_n(p, *p + v, __ATOMIC_RELAXED);
#endif
}

/* fl_add(p, -v) in one instruction less (no negation first). */
static inline void fl_sub(uint64_t *p, uint64_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("subq %1, %0" : "+m"(*p) : "er"(v));
#else
	__atomic_store_n(p, *p - v, __ATOMIC_RELAXED);
#endif
}

/* fl_tls_guard values: a hook is at work, or the shim's own code that may
 * call the hooked functions (those calls are not the program's). */
#define FL_GUARD_HOOK 1
#define FL_GUARD_INTERNAL 2

/* The thread-local part, in one initial-exec block: a hook finds the guard,
 * its counters and its state through a single lookup of the block's
 * offset. */
struct fl_tls {
	/* What the heap hooks' inline paths read: when they may count this
	 * thread's calls (guard and nofast 0), fast is self and free_gate
	 * fl_inline_free_gate_ (all ones when free() may count inline); else
	 * NULL and 0. free() ANDs its pointer with free_gate: one test for
	 * NULL, the guard, and inline paths that are off. free_gate is
	 * non-zero only while fast is set (see the order of the stores
	 * below). */
	struct fl_thread *fast;
	uintptr_t free_gate;
	/* Bytes the inline paths may allocate before the slow path: the
	 * part of the bytes left before the next heap sample that is never
	 * more than FAULTLINE_LARGE (so a large block always reaches the slow
	 * path), 0 when every allocation must take the slow path (--all, or
	 * block sizes not readable from glibc's headers); see record.c. Only
	 * the gate (fast) opens and closes the inline paths: a budget parked
	 * and restored with the guard would be two words to change, and a
	 * signal handler's call between them could count a call of the
	 * shim's own as the program's. */
	uint64_t budget;
	struct fl_hot hot; /* while self->hot points here */
	int guard;	   /* set while the shim works in this thread */
	/* 1 while the thread has no state yet, has an alternate signal stack
	 * (the inline paths do not test the stack: hooks.h), or counts in its
	 * state rather than here (no exit notice). */
	int nofast;
	/* fast and free_gate whenever the guard is 0 (NULL and 0 while
	 * nofast): restoring the guard copies them back (with --all every
	 * call sets and restores the guard). */
	struct fl_thread *open_fast;
	uintptr_t open_gate;
	struct fl_thread *self;
	int exiting; /* the thread's state was released */
	/* The alternate signal stack the program gave this thread
	 * (sigaltstack), 0 size for none. */
	uintptr_t alt_lo, alt_size;
};
extern __thread struct fl_tls fl_tls __attribute__((aligned(64)));

/* All ones when free() may count a block inline (glibc's chunk headers
 * are readable, and not every block is recorded: record.c), else 0. Set
 * before tracing starts. */
extern uintptr_t fl_inline_free_gate_ FL_HIDDEN;

/* A signal handler may run between any two of these stores. Taking the
 * inline paths away, the gate goes first; giving them back, fast is set
 * first. A handler's call that lands between the guard's store and the
 * others sees the old pair, consistent in itself: counted inline, it is
 * the program's call all the same (the inline paths only add to the
 * thread's own counters). */
static inline void fl_tls_close(void)
{
	fl_tls.free_gate = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fl_tls.fast = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void fl_tls_open(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fl_tls.fast = fl_tls.open_fast;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	fl_tls.free_gate = fl_tls.open_gate;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Every change of the guard goes through here (fl_tls_guard reads it). */
static inline void fl_guard_set(int guard)
{
	if (guard) {
		fl_tls_close();
		fl_tls.guard = guard;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		return;
	}
	fl_tls.guard = 0;
	fl_tls_open();
}

/* After self, the alternate stack, exiting or self->hot changed. The
 * inline paths count into this thread's TLS, not self: an exiting thread
 * calls this before it clears self, so that none counts into counters it
 * is letting go. */
static inline void fl_thread_fast_update(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* self is stored first */
	fl_tls.nofast =
	    fl_tls.alt_size || !fl_tls.self || fl_tls.exiting || fl_tls.self->hot != &fl_tls.hot;
	fl_tls_close();
	if (fl_tls.nofast) {
		fl_tls.open_gate = 0;
		fl_tls.open_fast = NULL;
	} else {
		fl_tls.open_fast = fl_tls.self;
		fl_tls.open_gate = __atomic_load_n(&fl_inline_free_gate_, __ATOMIC_RELAXED);
	}
	if (!fl_tls.guard)
		fl_tls_open();
}

/* The calling thread's state if the heap hooks' inline paths may count
 * its call: not inside the shim, no alternate stack; else NULL. */
static inline struct fl_thread *fl_thread_fast(void)
{
	return fl_tls.fast;
}
#define fl_tls_guard (fl_tls.guard)
#define fl_tls_exiting (fl_tls.exiting)
#define fl_tls_self (fl_tls.self)

/* The calling thread's state, claiming one if needed; NULL if none can be
 * had (then the caller counts into the overflow totals). Inline for the
 * common case (--all takes it twice a malloc/free pair): the claim's
 * frame saves five registers and reserves a signal set even when it is not
 * needed. */
struct fl_thread *fl_thread_claim(void);
static inline struct fl_thread *fl_thread_get(void)
{
	struct fl_thread *t = fl_tls_self;
	return FL_LIKELY(t != NULL) ? t : fl_thread_claim();
}
/* Iterates over every registered state (any state). */
struct fl_thread *fl_thread_first(void);

/* Totals folded from threads that exited, and from calls made by threads
 * without a state; updated atomically. */
extern uint64_t fl_retired_calls[FL_CALL_COUNT];
extern uint64_t fl_retired_bytes[FL_CALL_COUNT];

/*
 * What the common slow path (record.c's refill, once per FAULTLINE_LARGE
 * bytes a thread allocates) and its peak check read, on one line: they
 * read five lines of globals (two of fl_config's, the glibc test's, the
 * retired bytes', every state's live_checked behind the link before it).
 * retired_live: folded from threads that exited and from calls without a
 * state. published_live: the sum of every state's live_checked, moved by
 * the same atomic add as each change of one (with two threads the walk
 * over the states was peak_check's hottest load). large_bytes,
 * inline_counts and glibc_chunks: FAULTLINE_LARGE, whether the inline
 * paths count (fl_inline_free_gate_ set) and whether block sizes can be
 * read from glibc's headers, copied at the start.
 */
struct fl_refill_line {
	int64_t retired_live;
	int64_t published_live;
	uint64_t large_bytes;
	int inline_counts;
	int glibc_chunks; /* fl_record_glibc_chunks_ */
} __attribute__((aligned(64)));
extern struct fl_refill_line fl_refill_line;

/* Called once the key for thread-exit notification can be created. */
void fl_thread_init(void);

/*
 * Plain updates. The sites' live bytes (--all) and the ptrset's bucket
 * locks take a locked instruction per update when threads may update at
 * once, and each costs more than the rest of the update. So one thread at
 * a time, the owner, may update the sites with plain instructions; while
 * there is an owner no other thread updates them at all. A thread that
 * needs an update and is not the owner takes ownership over: it publishes
 * itself as the owner, has membarrier(2) run a full barrier on every CPU
 * running this process, and waits until the old owner is out of its
 * update. The owner marks an update by setting its plain flag, then
 * reading the owner (a compiler barrier between, no fence): either it
 * sees it lost ownership, or the new owner sees its flag. A program whose
 * threads take turns (a worker allocating while the main thread waits)
 * keeps plain updates; after 16 takeovers (threads allocating at the same
 * time) every update is atomic for good, and so without membarrier
 * (before Linux 4.14, or filtered). Takeovers are made one at a time.
 */
extern struct fl_thread *fl_thread_owner_ FL_HIDDEN;
/* 1: there may be an owner; 0: every update is atomic (and any owner's
 * last plain update is over). */
extern int fl_thread_solo_ FL_HIDDEN;

/* 1 when membarrier(2)'s private expedited barrier is registered: then
 * fl_thread_barrier() runs a full barrier on every CPU running one of the
 * process's threads (else a full barrier on the caller's only). */
extern int fl_thread_membarrier_ FL_HIDDEN;
void fl_thread_barrier(void);

/* t becomes the owner, or every update atomic; 1 if t owns. */
int fl_thread_solo_take(struct fl_thread *t);

/* Before t's site update: 1 if it may use plain instructions (then call
 * fl_thread_solo_leave() after it), 0 for atomic ones. */
static inline int fl_thread_solo_enter(struct fl_thread *t)
{
	__atomic_store_n(&t->site_pend.plain, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (FL_LIKELY(__atomic_load_n(&fl_thread_owner_, __ATOMIC_RELAXED) == t))
		return 1;
	__atomic_store_n(&t->site_pend.plain, 0, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&fl_thread_solo_, __ATOMIC_ACQUIRE))
		return 0;
	return fl_thread_solo_take(t);
}

static inline void fl_thread_solo_leave(struct fl_thread *t)
{
	__atomic_store_n(&t->site_pend.plain, 0, __ATOMIC_RELEASE);
}

/*
 * The ptrset's buckets have owners the same way, one per zone of buckets
 * (ptrset.h), so that threads allocating at once from their own arenas
 * each keep the plain path for their blocks' buckets. The flag is the
 * zone + 1 in t->nodes.plain; each zone turns atomic for good after 16
 * takeovers of its own.
 */
extern struct fl_thread *fl_thread_zone_owner_[FL_PTRSET_ZONES] FL_HIDDEN;
extern uint8_t fl_thread_zone_solo_[FL_PTRSET_ZONES] FL_HIDDEN;
int fl_thread_zone_take(struct fl_thread *t, uint32_t zone);

/* Before t's ptrset update in bucket b: 1 if the bucket lock may be left
 * out (then call fl_thread_zone_leave() after it). */
static inline int fl_thread_zone_enter(struct fl_thread *t, uint32_t b)
{
	uint32_t z = fl_ptrset_zone_of(b);
	__atomic_store_n(&t->nodes.plain, z + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (FL_LIKELY(__atomic_load_n(&fl_thread_zone_owner_[z], __ATOMIC_RELAXED) == t))
		return 1;
	__atomic_store_n(&t->nodes.plain, 0, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&fl_thread_zone_solo_[z], __ATOMIC_ACQUIRE))
		return 0;
	return fl_thread_zone_take(t, z);
}

static inline void fl_thread_zone_leave(struct fl_thread *t)
{
	__atomic_store_n(&t->nodes.plain, 0, __ATOMIC_RELEASE);
}
/* The drain recycles a DEAD state after draining it and moving its pending
 * site counts (fl_sites_flush). */
void fl_thread_retire(struct fl_thread *t);
/* In a fork child: every other thread is gone. Keeps the caller's state,
 * resets all rings and, for other threads, folds counters and frees them.
 * The sites' pending counts are the sites' to reset
 * (fl_sites_after_fork_child). */
void fl_thread_after_fork_child(void);

/* Counts a call made while no state is available. */
void fl_thread_count_orphan(enum fl_call c, uint64_t bytes, int64_t live_delta);

#endif
