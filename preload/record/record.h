/*
 * What the hooks call after the real function returned: exact counting,
 * the sampling decision, the backtrace and the push into this thread's
 * ring. The common case (count, not sampled, block not recorded) is inline
 * here and touches only the thread's own state: no atomics, no locks.
 */
#ifndef FL_RECORD_H
#define FL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "record/evbuf.h"
#include "faultline/compiler.h"
#include "record/ptrset.h"
#include "record/resolve.h"
#include "record/thread.h"

/* After the real functions are resolved, before tracing starts: checks
 * whether block sizes can be read from glibc's chunk headers, and sets up
 * the per-site table for --all. 0 or -1. */
int fl_record_init(void);

extern int fl_record_glibc_chunks_ FL_HIDDEN;

/* The chunk size of a live block of glibc's malloc that is not mapped for
 * itself (its usable size + 8), from its header: 0 for a mapped one (16
 * bytes of header), which the inline paths leave to the slow ones. */
static inline int fl_record_chunk_inline(const void *p, uint64_t *chunk)
{
	uint64_t h = ((const uint64_t *)p)[-1];
	if (FL_UNLIKELY(h & 2))
		return 0;
	/* Masked after the test, in place: masked before it, the compiler
	 * kept a copy of the word to test (an instruction more per call). */
	__asm__("" : "+r"(h));
	*chunk = h & ~(uint64_t)7;
	return 1;
}

/* Whether glibc mapped the chunk of live block p for itself (bit 1 of
 * its header; a moved block's header has it too: below). */
static inline int fl_chunk_mapped(const void *p)
{
	return (((const uint64_t *)p)[-1] & 2) != 0;
}

/* Usable size of a live block from the real allocator: a chunk glibc
 * mapped for itself (or a moved block, whose header says so too) asks
 * glibc, whose arithmetic for it the start-up check cannot try without
 * changing the program's mmap threshold (record.c). */
static inline uint64_t fl_usable(void *p)
{
	uint64_t chunk;
	/* Not even read without glibc's chunks (valgrind's allocator: a read
	 * before the block). */
	if (FL_LIKELY(fl_record_glibc_chunks_) && FL_LIKELY(fl_record_chunk_inline(p, &chunk)))
		return chunk - 8;
	return fl_real.malloc_usable_size(p);
}

/*
 * Moved blocks. In the default mode free()'s inline path counts a block
 * from its chunk header alone, so a block that the record keeps must send
 * its free to the slow path some other way (to drop its record and write
 * its free line). Each such block is moved when it is kept: the program
 * gets a block off bytes (16, or its alignment) into a block of the real
 * allocator, behind a header word like the one glibc writes for a chunk it
 * mapped for itself (bit 1, which fails the inline test) with bit 2 set as
 * well, which glibc never sets on a mapped chunk (so the shim tells the two
 * apart), and off in the word before it. The header's size makes glibc's
 * usable-size arithmetic (malloc_usable_size) and fl_usable() give the
 * moved block's own usable bytes. A moved block stays moved through its
 * reallocs; every free and realloc the hooks pass on goes to its base
 * (hooks_alloc.c). Only with glibc's chunks (fl_record_glibc_chunks_).
 */
#define FL_MOVED_BITS 6

static inline int fl_block_moved(const void *p)
{
	return fl_record_glibc_chunks_ &&
	       (((const uint64_t *)p)[-1] & FL_MOVED_BITS) == FL_MOVED_BITS;
}

/* The offset of a moved block in the real allocator's block. */
static inline uint64_t fl_block_offset(const void *p)
{
	return ((const uint64_t *)p)[-2];
}

/* Makes the block at base + off a moved block of base (a block of the
 * real allocator with more than off usable bytes) and returns it. */
static inline void *fl_block_mark(void *base, uint64_t off)
{
	uint64_t *q = (uint64_t *)((char *)base + off);
	q[-2] = off;
	q[-1] = (fl_usable(base) - off + 16) | FL_MOVED_BITS;
	return q;
}

/* Whether base, a live block of glibc's own (not a moved block), is a
 * chunk glibc mapped for itself, and if so the mapping free() will give
 * back with its own munmap: from the chunk's start less the offset in its
 * prev_size word, that offset plus the chunk's size (glibc's
 * munmap_chunk). Only with glibc's chunks (fl_record_glibc_chunks_). */
static inline int fl_chunk_mapping(const void *base, uintptr_t *start, uint64_t *len)
{
	const uint64_t *h = (const uint64_t *)base;
	/* bit 1 alone: bit 2 too is a moved block */
	if ((h[-1] & FL_MOVED_BITS) != 2)
		return 0;
	*start = (uintptr_t)base - 16 - h[-2];
	*len = (h[-1] & ~(uint64_t)7) + h[-2];
	return 1;
}

/* What the real allocator is to be given for a block of the program. */
static inline void *fl_block_real(void *p)
{
	return FL_UNLIKELY(fl_block_moved(p)) ? (char *)p - fl_block_offset(p) : p;
}

/* Charges size to the calling thread's sampling budget; 1 if the budget
 * was larger (the block is neither sampled nor large: the fast path may
 * count it). One instruction, so a signal handler's call cannot split it;
 * on 0 the budget is left charged (possibly wrapped) and the slow path
 * refunds it. */
static inline int fl_record_charge(uint64_t size)
{
#if defined(__x86_64__)
	/* A jump on the subtraction's flags: no flag byte to test again. */
	__asm__ goto("subq %1, %0\n\tjbe %l[spent]"
		     :
		     : "m"(fl_tls.budget), "er"(size)
		     : "cc", "memory"
		     : spent);
	return 1;
spent:
	return 0;
#else
	uint64_t b = fl_tls.budget;
	fl_tls.budget = b - size;
	return b > size;
#endif
}

/* Set by the session: called at the end of the slow path of an allocation
 * on a thread without a tick timer, or whose timer's signal came while it
 * was inside the shim, where it may tick (session/init.c). */
extern void (*fl_record_untimed_tick)(void);

/* charged: the thread whose budget fl_record_charge() charged, or NULL.
 * Returns the block for the program: p, or p moved if the record kept it
 * (so that a hook can return through it). */
void *fl_record_alloc_slow(struct fl_thread *charged, enum fl_call c, void *p, size_t size);
/* The same for a block of the aligned family: a moved block keeps align. */
void *fl_record_alloc_aligned(enum fl_call c, void *p, size_t size, size_t align);
void fl_record_free_slow(void *p);
/* After fl_ptrset_maybe_at(b) said p, in bucket b, may be in the set. */
void fl_record_free_found(struct fl_thread *t, void *p, uint32_t b);

/* The inline counts of a malloc of size bytes in a chunk of chunk bytes
 * (fl_record_chunk_inline), and of a free of such a chunk, into counters h:
 * the thread's own (t->hot), no atomics; from the hooks' inline paths
 * &fl_tls.hot, at a fixed offset from the thread pointer. */
static inline void fl_hot_count_malloc(struct fl_hot *h, size_t size, uint64_t chunk)
{
	fl_add(&h->inline_malloc_calls, 1);
	fl_add(&h->inline_malloc_bytes, size);
	fl_add(&h->live, chunk); /* 8 more than usable: fl_hot_live() */
}

static inline void fl_hot_count_free(struct fl_hot *h, uint64_t chunk)
{
	fl_add(&h->inline_free_calls, 1);
	fl_sub(&h->live, chunk); /* 8 more than usable: fl_hot_live() */
}

/* The inline count of an allocation of size bytes in a chunk of chunk
 * bytes (fl_record_chunk_inline), in thread t's own state: no atomics. */
static inline void fl_record_count_inline(struct fl_thread *t, enum fl_call c, size_t size,
					  uint64_t chunk)
{
	struct fl_hot *h = t->hot;
	if (c == FL_CALL_MALLOC) { /* a constant where malloc calls this */
		fl_hot_count_malloc(h, size, chunk);
	} else {
		fl_add(&t->calls[c], 1);
		fl_add(&t->bytes[c], size);
		fl_add(&h->live, chunk - 8);
	}
}

/* The common case of an allocation, counted in t's own state when its
 * budget covers it and glibc's header gives its chunk: 1 if it was. On 0
 * the budget is left charged, for the slow path to refund. */
static inline int fl_record_alloc_inline(struct fl_thread *t, enum fl_call c, void *p, size_t size)
{
	uint64_t chunk;
	if (FL_LIKELY(fl_record_charge(size)) && FL_LIKELY(p != NULL) &&
	    fl_record_chunk_inline(p, &chunk)) {
		fl_record_count_inline(t, c, size, chunk);
		return 1;
	}
	return 0;
}

/* After the real allocation, in thread t (its own state, the hook checked
 * that it may trace): the common case is counted right here, touching only
 * the thread's state, no atomics, no locks. Returns p. */
static inline void *fl_record_alloc(struct fl_thread *t, enum fl_call c, void *p, size_t size)
{
	if (FL_LIKELY(fl_record_alloc_inline(t, c, p, size)))
		return p;
	return fl_record_alloc_slow(t, c, p, size);
}

/* Before the real free of p (not NULL): counts, and records if the block
 * was recorded. */
static inline void fl_record_free(void *p)
{
	struct fl_thread *t = fl_tls_self;
	if (FL_LIKELY(t != NULL)) {
		uint32_t b = fl_ptrset_bucket_of((uintptr_t)p);
		fl_add(&t->calls[FL_CALL_FREE], 1);
		fl_sub(&t->hot->live, fl_usable(p));
		if (FL_UNLIKELY(fl_ptrset_maybe_at(b)))
			fl_record_free_found(t, p, b);
		return;
	}
	fl_record_free_slow(p);
}

/* A hooked call made while this thread was already inside a hook: a signal
 * handler's. Counted (exact totals), not recorded. */
static inline void fl_record_nested(enum fl_call c, uint64_t size, uint64_t live_delta)
{
	struct fl_thread *t = fl_tls_self;
	if (fl_tls_guard != FL_GUARD_HOOK || !t)
		return;
	fl_add(&t->calls[c], 1);
	fl_add(&t->bytes[c], size);
	fl_add(&t->hot->live, live_delta);
}

/* Live heap bytes now: every thread's counts and the retired ones. */
int64_t fl_record_live_now(void);
/* Raises the trace's peak live bytes to live if it is larger (any thread). */
void fl_record_peak_update(uint64_t live);

/* free(NULL) is a call too. */
void fl_record_free_null(void);
/* Realloc: old_usable measured before the real call (0 if old was NULL).
 * Returns the block for the program (p, or p moved). */
void *fl_record_realloc(enum fl_call c, void *old, uint64_t old_usable, void *p, size_t size);
/* Any other event (mmap family, fork, exec): counts call c, fills tid, t,
 * seq and stack (if want_stack) and pushes. */
void fl_record_event(enum fl_call c, struct fl_event *ev, const void *str, int want_stack);
/* Pushes into the calling thread's ring, flushing it if full. */
void fl_record_push(struct fl_thread *t, struct fl_event *ev, const void *str);

#endif
