/*
 * The malloc family. Each hook: before the real functions are resolved
 * (dlsym's own calloc), serve from the bootstrap arena; when the shim is
 * not ready or is re-entered (guard), call through (a re-entered call, from
 * a signal handler, is still counted); else call the real function and
 * record. The guard is set only where the shim does more than count (the
 * slow paths in record.c set it): the counting itself is signal-safe, so a
 * handler that lands in the fast path is simply traced like any call.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks.h"
#include "record/record.h"
#include "record/resolve.h"
#include "record/thread.h"
#include "session/snapshot.h"

/* The fast paths need the thread's state (the first call of a thread
 * claims one on the slow path, which only a traced call takes). They do not
 * test fl_state: a state exists only once tracing started, and a count
 * made after the last tick (OFF) is harmless and unseen. The inline test
 * (fl_thread_fast) fails for a thread with an alternate signal stack: its
 * calls take the same fast path from malloc_other() and free_other(),
 * after the stack test. */
#define FAST_ALT(t) ((t) && !fl_tls_guard && !fl_on_altstack())

static void *boot_alloc(size_t size, size_t align)
{
	fl_init_resolve();
	if (fl_resolving || !fl_real.malloc)
		return fl_bootstrap_alloc(size, align);
	return NULL;
}

/* Calls the shim does not trace but counts: re-entered from inside its
 * hooks (a signal handler's call), or made before its constructor ran,
 * with no guard set (another library's constructor, the loader: a
 * preloaded object starts after the program's libraries: redis's jemalloc
 * brings libstdc++, whose 72 KiB emergency exception pool came first). The
 * latter count with the retired threads', so that their blocks' frees
 * later find their bytes counted in. */
#define NESTED() FL_UNLIKELY(fl_tls_guard == FL_GUARD_HOOK)
#define BEFORE_START()                                                                             \
	FL_UNLIKELY(!fl_tls_guard && __atomic_load_n(&fl_state, __ATOMIC_RELAXED) < FL_READY)
#define COUNTED_UNTRACED() (NESTED() || BEFORE_START())
/* Tracing went off for the rest of the process (no trace file could be
 * opened, a writer stalled, a fork child record does not follow, the exit
 * line written): nothing is counted or written any more, and malloc and
 * free pass straight on. Their way through the tests of the traced paths
 * had made a process with tracing off cost more than a traced one
 * (callgrind, malloc_bench 1 1000000 with no trace directory: 308.8 M
 * instructions against 240.5 M traced and 208.4 M natively; now 249.8 M). */
#define OFF_FOR_GOOD() (__atomic_load_n(&fl_state, __ATOMIC_RELAXED) == FL_OFF)

static void count_untraced(enum fl_call c, uint64_t size, int64_t live_delta)
{
	if (NESTED())
		fl_record_nested(c, size, (uint64_t)live_delta);
	else
		fl_thread_count_orphan(c, size, live_delta);
}

static void *nested(enum fl_call c, void *p, size_t size)
{
	if (COUNTED_UNTRACED())
		count_untraced(c, size, p ? (int64_t)fl_usable(p) : 0);
	return p;
}

/* After the real call of an allocator without a fast path of its own
 * (tracing, not re-entered): the block for the program (p, or p moved if
 * the record keeps it: record.h). align: the alignment asked for. */
static void *record_alloc(enum fl_call c, void *p, size_t size, size_t align)
{
	struct fl_thread *t = fl_tls_self;
	if (align > 16)
		return fl_record_alloc_aligned(c, p, size, align);
	if (FL_LIKELY(t != NULL))
		return fl_record_alloc(t, c, p, size);
	return fl_record_alloc_slow(NULL, c, p, size);
}

/* The real free and realloc of a block of the program: a moved block
 * (record.h) is its base's, and stays moved, at the same offset, through
 * a realloc. */
static void real_free(void *p)
{
	fl_real.free(fl_block_real(p));
}

/* glibc gives a chunk it mapped for itself back with its own munmap
 * inside free(), and moves it with its own mremap inside realloc(), where
 * the hooks of those never see them: the pages of such a block of the
 * program's (p) are read first, as the munmap hook reads a munmap's
 * (session/snapshot.c; large ones only). Unread, the pages a process
 * copied after a fork since its last tick went with the mapping: a python
 * parent's 16,384 copies of a freed 128 MiB bytearray came out as 22
 * (tests/real/cow-python-parent.sh). keep: the bytes the block keeps (0
 * for a free). A realloc that gives no page back is not read: growing
 * moves the pages with their frames, and reading every step of a block
 * grown a little at a time would read it over and over. The caller has
 * set the guard. */
static void read_before_unmap(void *p, size_t keep)
{
	uintptr_t start;
	uint64_t len;
	if (fl_record_glibc_chunks_ && fl_chunk_mapping(fl_block_real(p), &start, &len) &&
	    keep < len && len - keep > 2 * 4096)
		fl_snapshot_unmap(start, len);
}

/* real_free() where the caller may trace (TRACING()). */
static void real_free_read(void *p)
{
	fl_guard_set(FL_GUARD_HOOK);
	read_before_unmap(p, 0);
	fl_guard_set(0);
	real_free(p);
}

static void *real_realloc(void *old, size_t size)
{
	uint64_t off;
	char *base;
	if (FL_LIKELY(!old || !fl_block_moved(old)))
		return fl_real.realloc(old, size);
	off = fl_block_offset(old);
	if (size == 0) { /* glibc's realloc(p, 0): a free */
		fl_real.free((char *)old - off);
		return NULL;
	}
	if (size > SIZE_MAX - off) {
		errno = ENOMEM;
		return NULL;
	}
	base = fl_real.realloc((char *)old - off, size + off);
	return base ? fl_block_mark(base, off) : NULL;
}

static void *malloc_unresolved(size_t size);
/* The function malloc() calls first: malloc_unresolved() until the real
 * functions are known, then the real malloc. Calling it before any test
 * (the pointer is never NULL) leaves the hook only the size to keep across
 * the call: the thread's state is read after it. */
static void *(*malloc_first)(size_t) = malloc_unresolved;

/* dlsym's allocations come from the bootstrap arena while the real
 * functions are resolved (a block of the real malloc could reach free()
 * before the real free is known); then malloc_first becomes the real
 * malloc. */
static void *malloc_unresolved(size_t size)
{
	void *p = boot_alloc(size, 16);
	if (p || !fl_real.malloc)
		return p;
	if (!fl_resolving)
		__atomic_store_n(&malloc_first, fl_real.malloc, __ATOMIC_RELAXED);
	return fl_real.malloc(size);
}

/* After malloc_first(), everything but the fast path: a block of the
 * bootstrap arena (not counted), re-entered, not tracing, or the thread's
 * first call. */
static __attribute__((noinline)) void *malloc_traced(void *p, size_t size)
{
	struct fl_thread *t;
	if (FL_UNLIKELY(fl_bootstrap_owns(p)))
		return p;
	if (!TRACING())
		return nested(FL_CALL_MALLOC, p, size);
	t = fl_tls_self;
	if (FAST_ALT(t))
		return fl_record_alloc(t, FL_CALL_MALLOC, p, size);
	return fl_record_alloc_slow(NULL, FL_CALL_MALLOC, p, size);
}

/* malloc_traced(), unless tracing is off for good. */
static __attribute__((noinline)) void *malloc_other(void *p, size_t size)
{
	if (FL_LIKELY(!OFF_FOR_GOOD()))
		return malloc_traced(p, size);
	return p;
}

/* Without a frame of its own (the shim is built with frame pointers): a
 * frame cost four instructions on the fast path, as many as its counting.
 * Every way out of here that may record is a tail call, which leaves the
 * return address into the program where the callee's frame finds it: the
 * stack cache (record/stacks.c) finds that address along the shim's
 * frame-pointer chain, and a fork child that may not unwind records it as
 * the stack's one frame. A call instead would cost no stack its truth
 * (the cache takes only what libunwind confirms) but every sample a full
 * unwind, and the fork child's frame would be the wrong one. */
FL_EXPORT FL_NO_FRAME void *malloc(size_t size)
{
	void *p = malloc_first(size);
	uint64_t chunk;
	/* fast read twice: tested here in one instruction with its load, and
	 * again on the way to the slow path (the charge's clobber of memory
	 * keeps the compiler from holding it in a register meanwhile). */
	if (!fl_thread_fast())
		return malloc_other(p, size);
	/* The counters at a fixed offset from the thread pointer (thread.h). */
	if (FL_LIKELY(fl_record_charge(size)) && FL_LIKELY(p != NULL) &&
	    fl_record_chunk_inline(p, &chunk)) {
		fl_hot_count_malloc(&fl_tls.hot, size, chunk);
		return p;
	}
	return fl_record_alloc_slow(fl_thread_fast(), FL_CALL_MALLOC, p, size);
}

FL_EXPORT void *calloc(size_t n, size_t size)
{
	void *p;
	size_t total = 0;
	int over = __builtin_mul_overflow(n, size, &total);
	if (FL_UNLIKELY(!fl_real.calloc)) {
		if (over)
			return NULL;
		if ((p = boot_alloc(total, 16)))
			return p;
	}
	if (!TRACING())
		return nested(FL_CALL_CALLOC, fl_real.calloc(n, size), over ? 0 : total);
	if (!over && total >= fl_config.large_bytes && fl_inline_free_gate_ &&
	    total <= SIZE_MAX - 16) {
		/* Always kept, so moved (record.h): made moved here, rather than
		 * zeroed twice by a move after the call. */
		p = fl_real.calloc(1, total + 16);
		if (p)
			p = fl_block_mark(p, 16);
	} else {
		p = fl_real.calloc(n, size);
	}
	/* An overflowing product fails: recorded as asking for all there is. */
	return record_alloc(FL_CALL_CALLOC, p, over ? SIZE_MAX : total, 16);
}

/* Everything but the fast path of free: NULL, the bootstrap arena, before
 * the real functions are known, re-entered, not tracing, the thread's first
 * call, or a block that may have been recorded. */
/* The inline count of a free into counters h, and the real free: 0
 * (nothing counted) for a block mapped for itself. */
static inline int free_fast(struct fl_hot *h, void *p)
{
	uint64_t chunk;
	if (!fl_record_chunk_inline(p, &chunk))
		return 0;
	fl_hot_count_free(h, chunk);
	fl_real.free(p);
	return 1;
}

static __attribute__((noinline)) void free_traced(void *p)
{
	struct fl_thread *t = fl_tls_self;
	/* A thread with an alternate stack: the inline path's tests. */
	if (FL_UNLIKELY(fl_tls.alt_size) && ((uintptr_t)p & fl_inline_free_gate_) && FAST_ALT(t) &&
	    free_fast(t->hot, p))
		return;
	if (FL_UNLIKELY(!p)) {
		if (TRACING())
			fl_record_free_null();
		else if (COUNTED_UNTRACED())
			count_untraced(FL_CALL_FREE, 0, 0);
		return;
	}
	if (FL_UNLIKELY(fl_bootstrap_owns(p)))
		return;
	if (FL_UNLIKELY(!fl_real.free))
		fl_init_resolve();
	if (!TRACING()) {
		if (COUNTED_UNTRACED())
			count_untraced(FL_CALL_FREE, 0, -(int64_t)fl_usable(p));
		real_free(p);
		return;
	}
	fl_record_free(p);
	real_free_read(p);
}

/* Everything but free()'s inline path, with tracing off for good kept to
 * the few tests it needs (free_traced's frame is not paid for it). */
static __attribute__((noinline)) void free_other(void *p)
{
	if (FL_LIKELY(!OFF_FOR_GOOD())) {
		free_traced(p);
		return;
	}
	if (!p || fl_bootstrap_owns(p))
		return;
	if (FL_UNLIKELY(!fl_real.free))
		fl_init_resolve();
	real_free(p); /* a block the record kept and moved included */
}

/* The gate (thread.h) sends NULL and, when the thread's inline paths are
 * off, every block to free_other(); the block's header sends the bootstrap
 * arena's blocks, glibc's mapped chunks and the blocks the record keeps
 * (moved: record.h). */
FL_EXPORT void free(void *p)
{
	/* Open, the gate says the thread counts in its TLS (thread.h). */
	if (FL_LIKELY((uintptr_t)p & fl_tls.free_gate) && FL_LIKELY(free_fast(&fl_tls.hot, p)))
		return;
	free_other(p);
}

static void *realloc_from_bootstrap(void *old, size_t size)
{
	/* The arena does not know block sizes: copy what can be there. */
	void *p = malloc(size);
	size_t avail = (size_t)(fl_bootstrap_end() - (char *)old);
	if (p)
		memcpy(p, old, size < avail ? size : avail);
	return p;
}

static void *realloc_nested(enum fl_call c, size_t size, void *p, uint64_t old_usable)
{
	if (!COUNTED_UNTRACED())
		return p;
	if (p || !size)
		count_untraced(c, size, (int64_t)((p ? fl_usable(p) : 0) - old_usable));
	else
		count_untraced(c, size, 0);
	return p;
}

FL_EXPORT void *realloc(void *old, size_t size)
{
	void *p;
	uint64_t old_usable;
	if (FL_UNLIKELY(old && fl_bootstrap_owns(old)))
		return realloc_from_bootstrap(old, size);
	if (FL_UNLIKELY(!fl_real.realloc) && (p = boot_alloc(size, 16)))
		return p;
	old_usable = old ? fl_usable(old) : 0;
	if (!TRACING())
		return realloc_nested(FL_CALL_REALLOC, size, real_realloc(old, size), old_usable);
	fl_guard_set(FL_GUARD_HOOK);
	if (old)
		read_before_unmap(old, size);
	p = real_realloc(old, size);
	p = fl_record_realloc(FL_CALL_REALLOC, old, old_usable, p, size);
	fl_guard_set(0);
	return p;
}

/* A failed call like realloc's, asking for all there is; the old block
 * stays. */
static __attribute__((noinline)) void reallocarray_overflow(void *old)
{
	fl_guard_set(FL_GUARD_HOOK);
	fl_record_realloc(FL_CALL_REALLOCARRAY, old, 0, NULL, SIZE_MAX);
	fl_guard_set(0);
}

/* glibc's reallocarray calls realloc through its PLT, which is this shim:
 * with the guard set that inner call would count twice. Ours checks the
 * product and calls the real realloc once. */
FL_EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	void *p;
	size_t total;
	uint64_t old_usable;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		if (TRACING())
			reallocarray_overflow(old);
		return NULL;
	}
	if (FL_UNLIKELY(!fl_real.realloc) || FL_UNLIKELY(old && fl_bootstrap_owns(old)))
		return realloc(old, total);
	old_usable = old ? fl_usable(old) : 0;
	if (!TRACING())
		return realloc_nested(FL_CALL_REALLOCARRAY, total, real_realloc(old, total),
				      old_usable);
	fl_guard_set(FL_GUARD_HOOK);
	if (old)
		read_before_unmap(old, total);
	p = real_realloc(old, total);
	p = fl_record_realloc(FL_CALL_REALLOCARRAY, old, old_usable, p, total);
	fl_guard_set(0);
	return p;
}

/* posix_memalign returns its error instead of setting errno: the failure
 * is recorded with it, and the program's errno left alone. */
static __attribute__((noinline)) int memalign_failed(int r, size_t size)
{
	int saved = errno;
	errno = r;
	record_alloc(FL_CALL_POSIX_MEMALIGN, NULL, size, 16);
	errno = saved;
	return r;
}

FL_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int r;
	if (FL_UNLIKELY(!fl_real.posix_memalign) && (*out = boot_alloc(size, align)))
		return 0;
	if (!TRACING()) {
		r = fl_real.posix_memalign(out, align, size);
		nested(FL_CALL_POSIX_MEMALIGN, r == 0 ? *out : NULL, size);
		return r;
	}
	r = fl_real.posix_memalign(out, align, size);
	if (FL_UNLIKELY(r))
		return memalign_failed(r, size);
	*out = record_alloc(FL_CALL_POSIX_MEMALIGN, *out, size, align);
	return r;
}

#define ALIGNED_HOOK(name, call, args, size_expr, align_expr)                                      \
	FL_EXPORT void *name args                                                                  \
	{                                                                                          \
		void *p;                                                                           \
		if (FL_UNLIKELY(!fl_real.name) && (p = boot_alloc(size_expr, align_expr)))         \
			return p;                                                                  \
		if (FL_UNLIKELY(!fl_real.name))                                                    \
			return NULL;                                                               \
		if (!TRACING())                                                                    \
			return nested(FL_CALL_##name, fl_real.name call, size_expr);               \
		p = fl_real.name call;                                                             \
		return record_alloc(FL_CALL_##name, p, size_expr, align_expr);                     \
	}

#define FL_CALL_aligned_alloc FL_CALL_ALIGNED_ALLOC
#define FL_CALL_memalign FL_CALL_MEMALIGN
#define FL_CALL_valloc FL_CALL_VALLOC
#define FL_CALL_pvalloc FL_CALL_PVALLOC

ALIGNED_HOOK(aligned_alloc, (align, size), (size_t align, size_t size), size, align)
ALIGNED_HOOK(memalign, (align, size), (size_t align, size_t size), size, align)
ALIGNED_HOOK(valloc, (size), (size_t size), size, 4096)
ALIGNED_HOOK(pvalloc, (size), (size_t size), size, 4096)

FL_EXPORT size_t malloc_usable_size(void *p)
{
	if (FL_UNLIKELY(!p))
		return 0;
	if (FL_UNLIKELY(fl_bootstrap_owns(p)))
		return 0;
	fl_init_resolve();
	return fl_real.malloc_usable_size(p);
}
