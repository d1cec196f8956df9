#include "record/record.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "record/commit.h"
#include "record/drain.h"
#include "record/sites.h"
#include "record/stacks.h"
#include "base/sys.h"
#include "trace/clock.h"
#include "trace/writer.h"

/* The steps of a traced call, folded into their entry points: with --all
 * every malloc and free runs them, and the frames of the calls between them
 * (five callee-saved registers each) were ~70 of the ~920 instructions a
 * malloc/free pair took (callgrind). */
#define HOT static inline __attribute__((always_inline))

/* ptrset tags: the stack id, and whether an alloc line was written (then
 * the free gets a line too). */
#define TAG_LINE 0x80000000u
#define TAG_ID(tag) ((tag) & ~TAG_LINE)

int fl_record_glibc_chunks_;
void (*fl_record_untimed_tick)(void);

/*
 * Whether block sizes can be read from glibc's chunk headers: checked on
 * blocks that leave the program's heap as they found it. The check runs
 * before the program's first allocation, and glibc keeps state a free
 * changes: a block of up to 1032 usable bytes stays in the thread's cache
 * (the program's first blocks of its size would be it), and the free of a
 * chunk glibc mapped for itself raises its mmap threshold to that chunk's
 * size (an earlier check freed a 300,000-byte block: every program traced
 * then kept its blocks of 128-292 KiB on the heap instead of in mappings
 * of their own, and gave their pages back only when the heap's top
 * shrank). So: two blocks above the cache's sizes, which merge back into
 * the heap's top, small enough that their headers stay on the heap's first
 * page, which the cache's own block (made at a thread's first allocation)
 * is on; a mapped chunk's usable size is glibc's own answer (fl_usable).
 * The heap exists from then on, as the program's first small block would
 * make it (one page and glibc's 128 KiB pad): trimmed back to a page, it
 * left a program with a few KiB of heap 128 KiB short of its native size.
 */
static int glibc_chunks_agree(void)
{
	static const size_t sizes[] = {1100, 1500};
	const char *path_a, *path_b;
	uintptr_t base_a, base_b;
	if (!fl_resolve_object_of((void *)fl_real.malloc, &path_a, &base_a) ||
	    !fl_resolve_object_of((void *)fl_real.malloc_usable_size, &path_b, &base_b) ||
	    !strstr(path_a, "libc.so") || base_a != base_b)
		return 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = fl_real.malloc(sizes[i]);
		size_t usable = p ? fl_real.malloc_usable_size(p) : 0;
		/* glibc rounds every block up to its chunk size (1100 bytes:
		 * 1112 usable). An allocator that does not (valgrind's, which
		 * takes glibc's symbols over at run time) has no header to
		 * read: reading it would be a read before the block. */
		uint64_t chunk;
		int agree = usable == ((sizes[i] + 8 + 15) & ~(size_t)15) - 8 &&
			    fl_record_chunk_inline(p, &chunk) && chunk - 8 == usable;
		fl_real.free(p);
		if (!agree)
			return 0;
	}
	fl_record_glibc_chunks_ = 1;
	return 1;
}

int fl_record_init(void)
{
	glibc_chunks_agree();
	if (fl_config.all && fl_sites_init() != 0)
		return -1;
	/* free() counts inline a block whose chunk header says it is the
	 * heap's: not NULL (its gate), not the bootstrap arena's (each block
	 * there has a header that says mapped: resolve.c), not one the record
	 * keeps (moved: record.h). Every block takes the slow path when each
	 * one is recorded or block sizes cannot be read inline. */
	fl_inline_free_gate_ = fl_config.all || !fl_record_glibc_chunks_ ? 0 : ~(uintptr_t)0;
	fl_refill_line.inline_counts = fl_inline_free_gate_ != 0;
	fl_refill_line.glibc_chunks = fl_record_glibc_chunks_;
	fl_refill_line.large_bytes = fl_config.large_bytes;
	return 0;
}

static uint64_t next_random(struct fl_thread *t)
{
	/* xorshift64*: fast, per thread, no lock */
	uint64_t x = t->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Bytes until the next sample: exponential with mean sample_bytes, so that
 * sampling is a Poisson process over allocated bytes (as in tcmalloc). */
static uint64_t draw_interval(struct fl_thread *t)
{
	double u = ((double)(next_random(t) >> 11) + 0.5) / 9007199254740992.0;
	double v = -log(u) * (double)fl_config.sample_bytes;
	return v < 1.0 ? 1 : (uint64_t)v;
}

/* Sets the bytes left before the next sample: the inline fast path may
 * spend up to large_bytes of it (so that a large block reaches the slow
 * path), and nothing if it cannot read block sizes itself. */
static void arm(struct fl_thread *t, uint64_t left)
{
	uint64_t large = fl_refill_line.large_bytes;
	uint64_t b = left < large ? left : large;
	if (!fl_refill_line.glibc_chunks)
		b = 0;
	fl_tls.budget = b;
	t->sample_rest = left - b;
}

/* Default mode: whether to record an allocation of size bytes, and what it
 * stands for. */
static int sample_due(struct fl_thread *t, size_t size, uint64_t *weight)
{
	uint64_t left = t->sample_rest + fl_tls.budget;
	double p;
	if (size >= fl_config.large_bytes) {
		*weight = size;
		arm(t, left);
		return 1;
	}
	if (left == 0)
		left = draw_interval(t);
	if (left > size) {
		arm(t, left - size);
		return 0;
	}
	/* The points of the process that fall in this block are not needed,
	 * only whether there was one: draw the next interval afresh. */
	arm(t, draw_interval(t));
	/* P(sampled) = 1 - exp(-size/T): weighting by its inverse keeps the
	 * per-site byte estimates unbiased. */
	p = -expm1(-(double)size / (double)fl_config.sample_bytes);
	*weight = p > 0 ? (uint64_t)((double)size / p + 0.5) : size;
	return 1;
}

/* Every call is unwound with --all, so the whole stack cache pays for
 * itself; in the default mode a few entries catch the sites that are
 * sampled again and again (a libunwind walk costs microseconds: it blocks
 * signals around each step), and keep the pages it adds to the program's
 * few. */
#define DEFAULT_CACHE_ENTRIES 16

static struct fl_stack_cache *cache_of(struct fl_thread *t)
{
	if (!t->stacks.mask)
		fl_stacks_cache_size(&t->stacks, fl_config.all ? FL_STACK_CACHE_ENTRIES
							       : DEFAULT_CACHE_ENTRIES);
	return &t->stacks;
}

/* In the default mode a thread drains its own ring once it holds this
 * much (if the writer is free), rather than leave it to the tick: the
 * events of a tick's interval (~450 KiB of them in bench/malloc_bench)
 * would run through that many fresh pages of the ring, a page fault each.
 * The formatting is the same work wherever it is done. With --all the
 * ring fills all the time and its pages stay in use. */
#define EARLY_DRAIN_BYTES (64 * 1024)

static void drain_early(struct fl_thread *t)
{
	if (fl_writer_trylock(0) != 0)
		return;
	fl_drain_thread(t);
	fl_writer_unlock();
}

void fl_record_push(struct fl_thread *t, struct fl_event *ev, const void *str)
{
	if (fl_evbuf_push(&t->ring, ev, str) == 0) {
		if (FL_UNLIKELY(t->ring.head - __atomic_load_n(&t->ring.tail, __ATOMIC_RELAXED) >
				EARLY_DRAIN_BYTES) &&
		    !fl_config.all)
			drain_early(t);
		return;
	}
	/* Ring full: write it out ourselves. The writer never waits for a
	 * program thread, so taking its lock here cannot deadlock. */
	fl_writer_lock();
	fl_drain_thread(t);
	fl_writer_unlock();
	if (fl_evbuf_push(&t->ring, ev, str) != 0)
		t->dropped++;
}

static void fill(struct fl_thread *t, struct fl_event *ev, enum fl_ev_kind kind, enum fl_call c)
{
	ev->kind = (uint16_t)kind;
	ev->fn = (uint16_t)c;
	ev->tid = (uint32_t)t->tid;
	ev->t = fl_now();
	ev->seq = fl_seq_next();
}

static void push_free(struct fl_thread *t, uintptr_t p, uint64_t size)
{
	struct fl_event ev;
	memset(&ev, 0, sizeof(ev));
	fill(t, &ev, FL_EVK_FREE, FL_CALL_FREE);
	ev.a[0] = p;
	ev.a[1] = size;
	fl_record_push(t, &ev, NULL);
}

/* The commit charge of this moment, pushed with ev as its trailing data:
 * a large block may be a new reservation, and strict mode decides on the
 * charge when the call is made, not at the last tick. */
static void attach_charge(struct fl_event *ev, struct fl_commit *charge)
{
	fl_commit_read(charge);
	ev->flags |= FL_EVF_CHARGE;
	ev->str_len = sizeof(*charge);
}

/* Whether a large block is a reservation of its own, with a charge of its
 * own to record: with glibc, a chunk it mmapped (bit 1 of the size word);
 * a block carved from an arena charged nothing new, and reading meminfo
 * for it would cost ten times the call (some 12 us here). With another
 * allocator, every large block. */
static int own_reservation(void *p, size_t size)
{
	if (size < fl_config.large_bytes)
		return 0;
	return !fl_record_glibc_chunks_ || fl_chunk_mapped(fl_block_real(p));
}

/* An allocation that returned no memory: what was asked (the whole
 * SIZE_MAX of a calloc whose product overflowed), errno, the commit charge
 * and the stack, on a line of its own. A failed call is a slow path by
 * nature; errno is left as the real call set it. */
static void push_failed(struct fl_thread *t, enum fl_call c, uint64_t size)
{
	int err = errno;
	struct fl_commit charge;
	struct fl_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.stack = fl_stacks_capture(cache_of(t));
	fill(t, &ev, FL_EVK_ALLOC_FAILED, c);
	ev.a[0] = size;
	ev.a[1] = (uint64_t)err;
	attach_charge(&ev, &charge);
	fl_record_push(t, &ev, &charge);
	errno = err;
}

/* Keeps the block in the ptrset (and its site); 0 if it could not be kept. A block already there
 * was freed where we could not see it (a signal handler inside a hook): account that free now. */
HOT int keep_block(struct fl_thread *t, uintptr_t p, uint64_t size, uint32_t id, int line)
{
	uint32_t tag = id | (line ? TAG_LINE : 0), old_tag;
	uint64_t old_size;
	uint32_t b = fl_ptrset_bucket_of(p);
	int r, solo = fl_thread_zone_enter(t, b);
	r = fl_ptrset_insert_at(&t->nodes, b, p, size, tag, &old_size, &old_tag);
	if (solo)
		fl_thread_zone_leave(t);
	if (r >= 0 && fl_config.all) {
		solo = fl_thread_solo_enter(t);
		if (r == 1)
			fl_sites_free(&t->site_pend, TAG_ID(old_tag), old_size);
		fl_sites_alloc(&t->site_pend, id, size);
		if (solo)
			fl_thread_solo_leave(t);
	}
	if (r < 0)
		return 0;
	if (r == 1 && (old_tag & TAG_LINE))
		push_free(t, p, old_size);
	return 1;
}

/* The real allocator's block of size bytes for a moved block: zeroed for
 * a calloc, aligned to off where off is more than malloc's 16. */
static void *real_block(enum fl_call c, size_t size, uint64_t off)
{
	if (c == FL_CALL_CALLOC)
		return fl_real.calloc(1, size);
	if (off == 16)
		return fl_real.malloc(size);
	return fl_real.memalign(off, size);
}

/*
 * A block of the real allocator, *p, that the record keeps in the default
 * mode: replaces *p with the block the program gets instead, moved
 * (record.h), or leaves it if its free takes the slow path anyway (a chunk
 * glibc mapped for itself, or every free with the inline gate shut); 1 if
 * *p may be kept. c: the call (a calloc's block comes zeroed), align: the
 * alignment asked for (the offset is that, at least 16: the moved block
 * keeps it), keep: the bytes of *p that hold the program's data (a
 * realloc's). The new block has at least *p's usable bytes (pvalloc's
 * whole page).
 *
 * The move must leave the program's heap as it would have been: the new
 * block takes the old one's place wherever glibc can give it. A new block
 * allocated while the old one was still live went to fresh memory (the
 * heap's top, the pages touched only then), the old chunk to a bin, and
 * the program's heap drifted from its native layout: python's reads of
 * its modules into moved buffers took 5-10 more kernel-mode faults a run
 * (tests/real/kernel-gap-python.sh). So a block without data is given
 * back first and asked for again 16 bytes larger (from the top, or from
 * the free chunk it merged back into: the same place), and a realloc's is
 * grown in place where glibc can and shifted by the offset.
 *
 * 0: not kept, and *p the program's block: *p itself, or, when the larger
 * block could not be had after the old one was given back, the block
 * asked for again at its old size (NULL, with errno ENOMEM, if even that
 * failed: another thread took the memory in between).
 */
static int move_block(enum fl_call c, void **p, size_t align, size_t keep)
{
	uint64_t off = 16, usable, chunk;
	char *base;
	if (!fl_inline_free_gate_ || !fl_record_chunk_inline(*p, &chunk))
		return 1;
	while (off < align) /* glibc rounds an alignment up to a power of two */
		if ((off *= 2) > ((uint64_t)1 << 40))
			return 0;
	usable = chunk - 8;
	if (usable > SIZE_MAX - off)
		return 0;
	if (keep) { /* a realloc's, at malloc's alignment (off 16) */
		if (!(base = fl_real.realloc(*p, usable + off)))
			return 0; /* *p is left as it was */
		memmove(base + off, base, keep);
	} else {
		fl_real.free(*p);
		if (!(base = real_block(c, usable + off, off))) {
			if (!(*p = real_block(c, usable, off)))
				errno = ENOMEM;
			return 0;
		}
	}
	*p = fl_block_mark(base, off);
	return 1;
}

/* Records a new block if due: returns 1 if an alloc/realloc line is wanted,
 * with the stack id and weight. *p: the block, moved if it is kept in the
 * default mode (move_block; align and keep are its; NULL if the move lost
 * it). */
HOT int take_block(struct fl_thread *t, enum fl_call c, void **p, size_t size, size_t align,
		   size_t keep, uint32_t *id, uint64_t *weight)
{
	int line;
	if (fl_config.all) {
		line = size >= fl_config.large_bytes;
		*weight = size;
	} else if (!(line = sample_due(t, size, weight)) || !move_block(c, p, align, keep)) {
		return 0;
	}
	*id = fl_stacks_capture(cache_of(t));
	return keep_block(t, (uintptr_t)*p, size, *id, line) && line;
}

static int64_t hot_live(struct fl_thread *t)
{
	struct fl_hot h;
	fl_thread_hot_read(t, &h);
	return fl_hot_live(&h);
}

int64_t fl_record_live_now(void)
{
	int64_t live = __atomic_load_n(&fl_refill_line.retired_live, __ATOMIC_RELAXED);
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next)
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != FL_TS_FREE)
			live += hot_live(t);
	return live < 0 ? 0 : live;
}

void fl_record_peak_update(uint64_t live)
{
	uint64_t seen = __atomic_load_n(&fl_trace.peak_live, __ATOMIC_RELAXED);
	while (live > seen && !__atomic_compare_exchange_n(&fl_trace.peak_live, &seen, live, 1,
							   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/*
 * The peak of live bytes, kept where the live bytes grew: every thread
 * reaches the slow path at least once per FAULTLINE_LARGE bytes it
 * allocates (its fast-path budget), and every large block takes it, so the
 * peak misses at most that much per thread, without a test on the fast
 * path. A tick alone would miss all of a block that lives between two.
 *
 * Summing every thread's live bytes reads the line of live and budget
 * that each thread's inline paths write at every call: the owner's next
 * call then waits for its line to come back (with two threads the slow
 * path took ~660 cycles against ~285 alone, rdtsc). So a check first adds
 * to its own live bytes what each other thread published at its own
 * checks (live_checked, summed as it changes on one line for all of
 * them: thread.h); only if that bound passes the peak does it sum the
 * live bytes themselves. A thread publishes its live
 * bytes when they are above what it published, and lowers the figure
 * only when they are PEAK_SLACK below: published at every check, the line
 * moved between the CPUs ~43,000 times a thread in bench/malloc_bench's
 * 10M pairs (peak_check took 157 cpu-clock samples of a two-thread run,
 * 1.7 %, against 9 with one thread, perf record); now it is written some
 * 30 times, and the exact sum runs ~1,600 times instead of ~50, each a
 * read of one other line.
 *
 * The bound on the peak holds: a published figure is never below the
 * thread's live bytes at its last check. Let r be the last check at or
 * before a moment T. If r summed, the peak is at least the live bytes at
 * r, and each thread has allocated at most FAULTLINE_LARGE since (it has
 * not checked since). If it did not, the peak is at least the sum of the
 * figures each thread published, hence of the live bytes each had at its
 * own last check, and each has allocated at most FAULTLINE_LARGE since
 * that check. Either way the live bytes at T exceed the peak by at most
 * FAULTLINE_LARGE a thread; the peak itself is only ever raised to a sum
 * of live bytes.
 */
#define PEAK_SLACK 65536
static void peak_check(struct fl_thread *self)
{
	int64_t own = fl_hot_live(self->hot); /* its own thread's: read in place */
	int64_t pub = self->live_checked;
	int64_t bound;
	if (own > pub || own < pub - PEAK_SLACK) {
		__atomic_store_n(&self->live_checked, own, __ATOMIC_RELAXED);
		__atomic_fetch_add(&fl_refill_line.published_live, own - pub, __ATOMIC_RELAXED);
		pub = own;
	}
	/* Its own live bytes, and what the others published at their checks. */
	bound = own - pub + __atomic_load_n(&fl_refill_line.published_live, __ATOMIC_RELAXED) +
		__atomic_load_n(&fl_refill_line.retired_live, __ATOMIC_RELAXED);
	if (bound > 0 && (uint64_t)bound > __atomic_load_n(&fl_trace.peak_live, __ATOMIC_RELAXED))
		fl_record_peak_update((uint64_t)fl_record_live_now());
}

/* With --all every call takes the slow path, and summing the live bytes of
 * every thread at each one (their lines bounce between CPUs) cost more than
 * the rest of the peak's upkeep: there the peak is checked once per
 * FAULTLINE_LARGE bytes a thread allocates, and at every large block, the
 * same bound as the default mode's. */
static __thread uint64_t peak_due_bytes __attribute__((tls_model("initial-exec")));

static void peak_check_after(struct fl_thread *t, uint64_t size)
{
	if (fl_config.all && size < fl_config.large_bytes) {
		peak_due_bytes += size;
		if (peak_due_bytes < fl_config.large_bytes)
			return;
	}
	peak_due_bytes = 0;
	peak_check(t);
}

static void *alloc_slow(enum fl_call c, void *p, size_t size, size_t align, uintptr_t *entry_fp)
{
	struct fl_thread *t = fl_thread_get();
	uint64_t weight;
	uint32_t id;
	int line;
	struct fl_event ev;
	struct fl_commit charge;

	if (!t) {
		fl_thread_count_orphan(c, size, p ? (int64_t)fl_usable(p) : 0);
		return p;
	}
	fl_add(&t->calls[c], 1);
	/* A failed call is counted, but asked for nothing it got: its size
	 * (malloc(SIZE_MAX) too) stays out of the bytes. */
	if (!p) {
		push_failed(t, c, size);
		return p;
	}
	fl_add(&t->bytes[c], size);
	t->stacks.entry_fp = entry_fp;
	line = take_block(t, c, &p, size, align, 0, &id, &weight);
	t->stacks.entry_fp = NULL;
	if (FL_UNLIKELY(!p)) { /* lost in the move (move_block): failed after all */
		fl_sub(&t->bytes[c], size);
		push_failed(t, c, size);
		return p;
	}
	/* The usable bytes of the block the program gets (moved or not). */
	fl_add(&t->hot->live, fl_usable(p));
	peak_check_after(t, size);
	if (!line)
		return p;
	memset(&ev, 0, sizeof(ev));
	ev.stack = id;
	fill(t, &ev, FL_EVK_ALLOC, c);
	ev.a[0] = (uintptr_t)p;
	ev.a[1] = size;
	ev.a[2] = weight;
	if (own_reservation(p, size))
		attach_charge(&ev, &charge);
	fl_record_push(t, &ev, &charge);
	return p;
}

/* The block was kept: forget it, and attribute the free. Returns its tag
 * (0 if it was not kept) and size. b: p's bucket, whose fl_ptrset_maybe_at()
 * said it may be there. */
HOT uint32_t drop_block_at(struct fl_thread *t, void *p, uint32_t b, uint64_t *size)
{
	uint32_t tag;
	int found, solo;
	solo = fl_thread_zone_enter(t, b);
	found = fl_ptrset_remove_at(&t->nodes, b, (uintptr_t)p, size, &tag);
	if (solo)
		fl_thread_zone_leave(t);
	if (found && fl_config.all) {
		solo = fl_thread_solo_enter(t);
		fl_sites_free(&t->site_pend, TAG_ID(tag), *size);
		if (solo)
			fl_thread_solo_leave(t);
	}
	if (!found)
		return 0;
	return tag | 1; /* non-zero even for stack id 0 */
}

HOT uint32_t drop_block(struct fl_thread *t, void *p, uint64_t *size)
{
	uint32_t b = fl_ptrset_bucket_of((uintptr_t)p);
	if (!fl_ptrset_maybe_at(b))
		return 0;
	return drop_block_at(t, p, b, size);
}

HOT void free_found(struct fl_thread *t, void *p, uint32_t b)
{
	uint64_t size;
	uint32_t tag = drop_block_at(t, p, b, &size);
	if (tag & TAG_LINE)
		push_free(t, (uintptr_t)p, size);
}

static void free_slow(void *p)
{
	struct fl_thread *t = fl_thread_get();
	uint32_t b;
	if (!t) {
		fl_thread_count_orphan(FL_CALL_FREE, 0, -(int64_t)fl_usable(p));
		return;
	}
	fl_add(&t->calls[FL_CALL_FREE], 1);
	fl_sub(&t->hot->live, fl_usable(p));
	b = fl_ptrset_bucket_of((uintptr_t)p);
	if (fl_ptrset_maybe_at(b))
		free_found(t, p, b);
}

/* The common slow path, once per FAULTLINE_LARGE bytes a thread allocates:
 * the inline path's budget ran out on a block that is neither sampled nor
 * large. It is counted as the inline path counts, the budget armed again
 * and the peak checked, without alloc_slow's frame, stack pointer and
 * sampling steps (42,700 refills in bench/malloc_bench's 10M pairs took
 * ~237 cycles each through alloc_slow, rdtsc). 0: not such a block (the
 * budget left charged). */
static inline int refill(struct fl_thread *t, enum fl_call c, void *p, size_t size)
{
	uint64_t chunk, left = t->sample_rest + fl_tls.budget + size; /* the charge refunded */
	/* Another allocator's blocks have no glibc header to read (the
	 * budget is then 0: every block comes here). */
	if (!fl_refill_line.inline_counts || size >= fl_refill_line.large_bytes || left <= size ||
	    !p || !fl_record_chunk_inline(p, &chunk))
		return 0;
	fl_record_count_inline(t, c, size, chunk);
	arm(t, left - size);
	peak_check(t);
	return 1;
}

/* A thread without a tick timer, or whose timer's signal came while it
 * was inside the shim, ticks on its way out of a slow path (guard: the
 * guard the path found, 0 for the program's own call). */
static inline void tick_if_untimed(int guard)
{
	if (FL_UNLIKELY(fl_tls_self && (!fl_tls_self->tick_timer || fl_tls_self->tick_missed)) &&
	    !guard && fl_record_untimed_tick)
		fl_record_untimed_tick();
}

/* From here on the shim does more than count, so a signal handler's calls
 * must pass through (and are counted as nested). Out of line: its frame
 * (alloc_slow's, the stack's) is not the refills'. */
static __attribute__((noinline)) void *alloc_slow_guarded(struct fl_thread *charged, enum fl_call c,
							  void *p, size_t size, size_t align)
{
	int guard = fl_tls_guard;
	fl_guard_set(FL_GUARD_HOOK);
	if (charged)
		fl_tls.budget += size;
	p = alloc_slow(c, p, size, align, __builtin_frame_address(0));
	fl_guard_set(guard);
	tick_if_untimed(guard);
	return p;
}

/* The entries from the inline fast paths. A refill needs no guard: it
 * counts and arms only this thread's state (a signal handler's call that
 * lands in between is counted by its own one-instruction adds, and can at
 * worst lose its charge of the budget: the next sample moves by that
 * many bytes) and checks the peak with atomics. Setting and restoring the
 * guard, and alloc_slow's frame, took half of a refill's ~130 instructions
 * (callgrind), ~40,000 refills in bench/malloc_bench's 10M pairs. */
static inline void *alloc_slow_entry(struct fl_thread *charged, enum fl_call c, void *p,
				     size_t size, size_t align)
{
	if (FL_LIKELY(charged != NULL) && refill(charged, c, p, size)) {
		tick_if_untimed(0);
		return p;
	}
	return alloc_slow_guarded(charged, c, p, size, align);
}

void *fl_record_alloc_slow(struct fl_thread *charged, enum fl_call c, void *p, size_t size)
{
	return alloc_slow_entry(charged, c, p, size, 16);
}

/* fl_record_alloc() for a block of the aligned family (none of them has
 * an inline path of its own): the slow path keeps its alignment. */
void *fl_record_alloc_aligned(enum fl_call c, void *p, size_t size, size_t align)
{
	struct fl_thread *t = fl_tls_self;
	if (FL_LIKELY(t != NULL) && fl_record_alloc_inline(t, c, p, size))
		return p;
	return alloc_slow_entry(t, c, p, size, align);
}

void fl_record_free_found(struct fl_thread *t, void *p, uint32_t b)
{
	int guard = fl_tls_guard;
	fl_guard_set(FL_GUARD_HOOK);
	free_found(t, p, b);
	fl_guard_set(guard);
}

void fl_record_free_slow(void *p)
{
	int guard = fl_tls_guard;
	fl_guard_set(FL_GUARD_HOOK);
	free_slow(p);
	fl_guard_set(guard);
}

void fl_record_free_null(void)
{
	struct fl_thread *t = fl_thread_get();
	if (t)
		fl_add(&t->calls[FL_CALL_FREE], 1);
	else
		fl_thread_count_orphan(FL_CALL_FREE, 0, 0);
}

void *fl_record_realloc(enum fl_call c, void *old, uint64_t old_usable, void *p, size_t size)
{
	struct fl_thread *t = fl_thread_get();
	uint64_t usable, old_size = 0, weight;
	uint32_t old_tag = 0, id;
	int line;
	struct fl_event ev;
	struct fl_commit charge;

	if (!t) {
		fl_thread_count_orphan(c, size, (int64_t)((p ? fl_usable(p) : 0) - old_usable));
		return p;
	}
	fl_add(&t->calls[c], 1);
	/* A failed realloc leaves the old block alone, and its size out of
	 * the bytes. */
	if (!p && size) {
		push_failed(t, c, size);
		return p;
	}
	fl_add(&t->bytes[c], size);
	if (old)
		old_tag = drop_block(t, old, &old_size);
	/* The data a moved block must keep: what the old block held, as far
	 * as the new one reaches (the rest is not the program's yet, and
	 * copying it would touch pages the program may never touch). */
	line = p &&
	       take_block(t, c, &p, size, 16, size < old_usable ? size : old_usable, &id, &weight);
	/* The usable bytes of the block the program gets (moved or not). */
	usable = p ? fl_usable(p) : 0;
	fl_add(&t->hot->live, usable - old_usable);
	if (usable > old_usable)
		peak_check(t);
	memset(&ev, 0, sizeof(ev));
	if (line) {
		ev.stack = id;
		fill(t, &ev, FL_EVK_REALLOC, c);
		ev.a[0] = old_tag & TAG_LINE ? (uintptr_t)old : 0;
		ev.a[1] = (uintptr_t)p;
		ev.a[2] = size;
		ev.a[3] = weight;
		ev.a[4] = old_tag & TAG_LINE ? old_size : 0;
		if (own_reservation(p, size))
			attach_charge(&ev, &charge);
		fl_record_push(t, &ev, &charge);
	} else if (old_tag & TAG_LINE) {
		push_free(t, (uintptr_t)old, old_size);
	}
	return p;
}

void fl_record_event(enum fl_call c, struct fl_event *ev, const void *str, int want_stack)
{
	struct fl_thread *t = fl_thread_get();
	if (!t) {
		fl_thread_count_orphan(c, 0, 0);
		return;
	}
	fl_add(&t->calls[c], 1);
	if (want_stack)
		ev->stack = fl_stacks_capture(cache_of(t));
	fill(t, ev, (enum fl_ev_kind)ev->kind, c);
	fl_record_push(t, ev, str);
}
