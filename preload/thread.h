/*
 * Per-thread state: the reentrancy guard, exact call counters, the sampling
 * countdown and the event ring. TLS holds only a pointer and two flags
 * (initial-exec, so reading them never allocates); the state itself lives in
 * shim-owned pages and is registered in a global lock-free list so that the
 * writer can merge counters and drain rings of every thread.
 *
 * A thread's state is claimed on its first traced call and released by a
 * pthread key destructor; the writer drains a released state, folds its
 * counters into the retired totals and recycles it.
 */
#ifndef FL_THREAD_H
#define FL_THREAD_H

#include <stdint.h>
#include <sys/types.h>

#include "evbuf.h"

enum fl_call {
	FL_CALL_MALLOC,
	FL_CALL_CALLOC,
	FL_CALL_REALLOC,
	FL_CALL_REALLOCARRAY,
	FL_CALL_POSIX_MEMALIGN,
	FL_CALL_ALIGNED_ALLOC,
	FL_CALL_MEMALIGN,
	FL_CALL_VALLOC,
	FL_CALL_PVALLOC,
	FL_CALL_FREE,
	FL_CALL_MMAP,
	FL_CALL_MUNMAP,
	FL_CALL_MREMAP,
	FL_CALL_MPROTECT,
	FL_CALL_MADVISE,
	FL_CALL_BRK,
	FL_CALL_SBRK,
	FL_CALL_COUNT
};

extern const char *const fl_call_names[FL_CALL_COUNT];

enum fl_thread_state { FL_TS_FREE, FL_TS_LIVE, FL_TS_DEAD };

struct fl_thread {
	int state;                   /* enum fl_thread_state, atomic */
	pid_t tid;
	uint64_t calls[FL_CALL_COUNT];
	uint64_t bytes[FL_CALL_COUNT];   /* bytes requested */
	int64_t live;                /* usable bytes allocated - freed by this thread */
	uint64_t until_sample;       /* bytes left before the next heap sample */
	uint64_t rng;
	uint64_t dropped;            /* events lost because the ring stayed full */
	struct fl_evbuf ring;
	struct fl_thread *next;      /* registry link, never unlinked */
};

/* Thread-local flags. fl_tls_guard is 1 inside a hook: a hooked call seen
 * then can only come from a signal handler that interrupted the hook, and is
 * counted (fl_record_nested) though not recorded. Any other non-zero value
 * (the shim's own threads and internal calls) passes calls through uncounted. */
extern __thread int fl_tls_guard;        /* set while the shim works in this thread */
extern __thread int fl_tls_exiting;      /* the thread's state was released */
extern __thread struct fl_thread *fl_tls_self;

/* The calling thread's state, claiming one if needed; NULL if none can be
 * had (then the caller counts into the overflow totals). */
struct fl_thread *fl_thread_get(void);
/* Iterates over every registered state (any state). */
struct fl_thread *fl_thread_first(void);

/* Totals folded from threads that exited, and from calls made by threads
 * without a state; updated atomically. */
extern uint64_t fl_retired_calls[FL_CALL_COUNT];
extern uint64_t fl_retired_bytes[FL_CALL_COUNT];
extern int64_t fl_retired_live;

/* Called once the key for thread-exit notification can be created. */
void fl_thread_init(void);
/* The writer recycles a DEAD state after draining it. */
void fl_thread_retire(struct fl_thread *t);
/* In a fork child: every other thread is gone. Keeps the caller's state,
 * resets all rings and, for other threads, folds counters and frees them. */
void fl_thread_after_fork_child(void);

/* Counts a call made while no state is available. */
void fl_thread_count_orphan(enum fl_call c, uint64_t bytes, int64_t live_delta);

#endif
