/*
 * Buckets are locked one at a time with a bit in the bucket word (the lock
 * is held for a few instructions, never across a call); a thread that owns
 * the bucket's zone (record/thread.h) takes no lock (cache->plain). Node indices are 32
 * bits; index 0 means "none". Free nodes move between threads in batches
 * through a lock-free stack whose head carries an ABA tag, so a thread that
 * only frees what another allocates does not hoard nodes.
 */
#include "record/ptrset.h"

#include <stddef.h>
#include <string.h>

#include "base/sys.h"

#define NODES_LOG2 25
#define BATCH 64

struct node {
	uintptr_t key;
	uint64_t size; /* on the batch stack: index of the next batch */
	uint32_t tag;
	uint32_t next;
};

/*
 * A bucket holds its first block itself, in the bucket's own cache line: a
 * bucket per 32 bytes of address (glibc's smallest chunk) leaves most blocks
 * alone in theirs, and a free then reads one line where a bucket word and
 * the node it named were two dependent misses (--all, two threads: the
 * node's load was 45 % of the set's remove, 8 % of the run). Further blocks
 * of the bucket chain on nodes. word: first node << 2 | SLOT_USED | lock.
 */
#define SLOT_USED 2u
struct slot {
	uint32_t word;
	uint32_t tag;
	uintptr_t key;
	uint64_t size;
	uint64_t spare; /* 32 bytes: a slot never straddles a cache line */
};
_Static_assert(sizeof(struct slot) == 32 && offsetof(struct slot, word) == 0,
	       "two slots a cache line, the word first (fl_ptrset_maybe_at)");

/* 8 nodes are 3 cache lines. */
_Static_assert(BATCH % 8 == 0 && sizeof(struct node) == 24, "a batch is whole cache lines");

/*
 * The nodes are reserved as the set fills, in chunks that double: a
 * reservation counts against RLIMIT_AS even untouched, and 2^25 nodes would
 * be 805 MB of it. Chunk 1 holds nodes [0, 2^(CHUNK0_LOG2 + 1)), chunk k > 1
 * holds [2^(CHUNK0_LOG2 + k - 1), 2^(CHUNK0_LOG2 + k)): an index finds its
 * chunk from its highest bit, and chunk_base[k] is biased by the chunk's
 * first index so that a node's address is chunk_base[k] + index. A chunk
 * never moves once published (other threads walk it without a lock), so
 * growing never copies and the set keeps at most twice what it uses.
 */
#define CHUNK0_LOG2 12
#define MIN_BUCKETS_LOG2 12
#define NCHUNKS (NODES_LOG2 - CHUNK0_LOG2 + 1)

void *fl_ptrset_buckets_;
uint32_t fl_ptrset_mask_;
unsigned fl_ptrset_zone_shift_ = 26; /* until init: every bucket is 0 */
static uintptr_t chunk_base[NCHUNKS + 1];
static uint32_t nodes_mapped; /* nodes below this index are in published chunks */
static uint32_t growing;      /* one thread maps the next chunk at a time */
static int grow_failed;	      /* out of budget or memory: the set is full for good */
/* Bump allocation; 0 is "none". Batches start at a multiple of 8 nodes
 * (3 cache lines, chunks start on a page), so that no cache line holds
 * nodes of two batches: threads that each keep their own nodes never
 * write one line. */
static uint32_t nodes_used = 8;
static uint64_t batches; /* tag << 32 | first node of the top batch */

static inline unsigned chunk_of(uint32_t i)
{
	return 32u - (unsigned)__builtin_clz((i >> CHUNK0_LOG2) | 1);
}

static inline struct node *node(uint32_t i)
{
	return (struct node *)(chunk_base[chunk_of(i)] + (uintptr_t)i * sizeof(struct node));
}

static uint32_t chunk_end(unsigned k)
{
	return (uint32_t)1 << (CHUNK0_LOG2 + k);
}

/* Maps chunks until index end - 1 has one; 0 or -1. Another thread that
 * is mapping one is waited for: it holds no lock, only makes one mmap, and
 * a signal handler never enters the set on a thread that is inside it. */
static int grow(struct fl_ptrset_cache *c, uint32_t end)
{
	while (__atomic_load_n(&nodes_mapped, __ATOMIC_ACQUIRE) < end) {
		uint32_t have, expect = 0;
		if (__atomic_load_n(&grow_failed, __ATOMIC_RELAXED))
			return -1;
		if (!__atomic_compare_exchange_n(&growing, &expect, 1, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED)) {
			__builtin_ia32_pause();
			continue;
		}
		c->growing = 1;
		have = __atomic_load_n(&nodes_mapped, __ATOMIC_ACQUIRE);
		if (have < end) {
			unsigned k = have ? chunk_of(have) : 1;
			uint32_t first = k == 1 ? 0 : chunk_end(k - 1);
			void *p = k <= NCHUNKS ? fl_sys_alloc_pages((size_t)(chunk_end(k) - first) *
								    sizeof(struct node))
					       : NULL;
			if (!p) {
				__atomic_store_n(&grow_failed, 1, __ATOMIC_RELAXED);
			} else {
				chunk_base[k] =
				    (uintptr_t)p - (uintptr_t)first * sizeof(struct node);
				__atomic_store_n(&nodes_mapped, chunk_end(k), __ATOMIC_RELEASE);
			}
		}
		c->growing = 0;
		__atomic_store_n(&growing, 0, __ATOMIC_RELEASE);
	}
	return 0;
}

int fl_ptrset_init(unsigned log2_buckets)
{
	uint64_t n = (uint64_t)1 << log2_buckets;
	struct fl_ptrset_cache c = {0};
	/* Under an address-space limit the buckets take at most a sixteenth
	 * of the shim's budget (base/sys.h): longer chains, same answers. */
	while (n > (1u << MIN_BUCKETS_LOG2) &&
	       n * sizeof(struct slot) > fl_sys_budget_part(n * sizeof(struct slot), 16))
		n /= 2;
	fl_ptrset_buckets_ = fl_sys_alloc_pages(n * sizeof(struct slot));
	if (!fl_ptrset_buckets_ || grow(&c, 1) != 0) {
		fl_ptrset_buckets_ = NULL;
		return -1;
	}
	fl_ptrset_mask_ = (uint32_t)(n - 1);
	fl_ptrset_zone_shift_ = (unsigned)__builtin_ctzll(n) - 6; /* FL_PTRSET_ZONES */
	return 0;
}

static uint32_t take_batch(void)
{
	uint64_t top = __atomic_load_n(&batches, __ATOMIC_ACQUIRE), next;
	do {
		uint32_t first = (uint32_t)top;
		if (!first)
			return 0;
		next = (top & ~(uint64_t)UINT32_MAX) + ((uint64_t)1 << 32) +
		       (uint32_t)__atomic_load_n(&node(first)->size, __ATOMIC_RELAXED);
	} while (!__atomic_compare_exchange_n(&batches, &top, next, 1, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return (uint32_t)top;
}

static void give_batch(struct fl_ptrset_cache *c)
{
	/* The first BATCH nodes of the cache's list go; the rest stay. */
	uint32_t first = c->head, last = first;
	uint64_t top, next;
	for (int i = 1; i < BATCH; i++)
		last = node(last)->next;
	c->head = node(last)->next;
	c->n -= BATCH;
	node(last)->next = 0;
	top = __atomic_load_n(&batches, __ATOMIC_ACQUIRE);
	do {
		__atomic_store_n(&node(first)->size, (uint64_t)(uint32_t)top, __ATOMIC_RELAXED);
		next = (top & ~(uint64_t)UINT32_MAX) + ((uint64_t)1 << 32) + first;
	} while (!__atomic_compare_exchange_n(&batches, &top, next, 1, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
}

static uint32_t node_get(struct fl_ptrset_cache *c)
{
	uint32_t i;
	if (FL_UNLIKELY(!c->head)) {
		uint32_t first = take_batch();
		if (first) {
			c->head = first;
			c->n = BATCH;
		} else {
			/* Once full, the counter stays put (it would wrap). */
			if (__atomic_load_n(&nodes_used, __ATOMIC_RELAXED) >=
			    (__atomic_load_n(&grow_failed, __ATOMIC_RELAXED)
				 ? __atomic_load_n(&nodes_mapped, __ATOMIC_RELAXED)
				 : (uint32_t)1 << NODES_LOG2))
				return 0;
			first = __atomic_fetch_add(&nodes_used, BATCH, __ATOMIC_RELAXED);
			if ((uint64_t)first + BATCH > ((uint64_t)1 << NODES_LOG2) ||
			    grow(c, first + BATCH) != 0) {
				return 0;
			}
			for (uint32_t k = 0; k < BATCH; k++)
				node(first + k)->next = k + 1 < BATCH ? first + k + 1 : 0;
			c->head = first;
			c->n = BATCH;
		}
	}
	i = c->head;
	c->head = node(i)->next;
	c->n--;
	return i;
}

static void node_put(struct fl_ptrset_cache *c, uint32_t i)
{
	node(i)->next = c->head;
	c->head = i;
	if (++c->n >= 2 * BATCH)
		give_batch(c);
}

static inline struct slot *slot_of(uint32_t b)
{
	return (struct slot *)fl_ptrset_buckets_ + b;
}

/* Inline: under --all each malloc and free takes one, and a call's frame
 * cost more than the plain lock's few instructions. Returns the word
 * without the lock bit. */
static inline __attribute__((always_inline)) uint32_t lock(struct fl_ptrset_cache *c,
							   struct slot *s, uint32_t b)
{
	uint32_t v = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
	c->held = b + 1;
	/* No other thread takes bucket locks; a signal handler never enters
	 * the set while this thread is inside it. */
	if (c->plain)
		return v;
	for (;;) {
		if (!(v & 1) && __atomic_compare_exchange_n(&s->word, &v, v | 1, 1,
							    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return v;
		__builtin_ia32_pause();
		v = __atomic_load_n(&s->word, __ATOMIC_RELAXED);
	}
}

static inline void unlock(struct fl_ptrset_cache *c, struct slot *s, uint32_t word)
{
	__atomic_store_n(&s->word, word, __ATOMIC_RELEASE);
	c->held = 0;
}

/* Node pointers are taken once per index: a store through one may alias
 * chunk_base (both unsigned long), so node() would be recomputed after it. */
int fl_ptrset_insert_at(struct fl_ptrset_cache *c, uint32_t b, uintptr_t p, uint64_t size,
			uint32_t tag, uint64_t *old_size, uint32_t *old_tag)
{
	uint32_t word, i, n;
	struct node *e;
	struct slot *s;
	if (!fl_ptrset_buckets_)
		return -1;
	s = slot_of(b);
	/* A write first: the first touch of a page of the table by a read
	 * maps the zero page, and the write after it copies the page with a
	 * flush of the TLB of every CPU that runs the process (an interrupt
	 * each: with two threads ~25 us a page here, 1.6 ms of a two-thread
	 * bench/malloc_bench run, perf record). spare is no one's: the store
	 * cannot race with the lock. */
	__atomic_store_n(&s->spare, 0, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	word = lock(c, s, b);
	if ((word & SLOT_USED) && s->key == p) {
		*old_size = s->size;
		*old_tag = s->tag;
		s->size = size;
		s->tag = tag;
		unlock(c, s, word);
		return 1;
	}
	for (i = word >> 2; i; i = e->next) {
		e = node(i);
		if (e->key != p)
			continue;
		*old_size = e->size;
		*old_tag = e->tag;
		e->size = size;
		e->tag = tag;
		unlock(c, s, word);
		return 1;
	}
	if (!(word & SLOT_USED)) {
		s->key = p;
		s->size = size;
		s->tag = tag;
		unlock(c, s, word | SLOT_USED);
		return 0;
	}
	n = node_get(c);
	if (!n) {
		unlock(c, s, word);
		return -1;
	}
	e = node(n);
	e->key = p;
	e->size = size;
	e->tag = tag;
	e->next = word >> 2;
	unlock(c, s, n << 2 | (word & SLOT_USED));
	return 0;
}

int fl_ptrset_remove_at(struct fl_ptrset_cache *c, uint32_t b, uintptr_t p, uint64_t *size,
			uint32_t *tag)
{
	uint32_t word, i;
	struct node *e, *prev = NULL;
	struct slot *s;
	if (!fl_ptrset_buckets_)
		return 0;
	s = slot_of(b);
	word = lock(c, s, b);
	if ((word & SLOT_USED) && s->key == p) {
		*size = s->size;
		*tag = s->tag;
		s->key = 0;
		unlock(c, s, word & ~SLOT_USED);
		return 1;
	}
	for (i = word >> 2; i; prev = e, i = e->next) {
		e = node(i);
		if (e->key != p)
			continue;
		*size = e->size;
		*tag = e->tag;
		if (prev)
			prev->next = e->next;
		else
			word = e->next << 2 | (word & SLOT_USED);
		unlock(c, s, word);
		node_put(c, i);
		return 1;
	}
	unlock(c, s, word);
	return 0;
}

void fl_ptrset_after_fork(struct fl_ptrset_cache *c)
{
	/* The thread is gone: its list links are consistent (each update is a
	 * single store), only the lock bit is stale. */
	if (c->held && fl_ptrset_buckets_)
		__atomic_and_fetch(&slot_of(c->held - 1)->word, ~(uint32_t)1, __ATOMIC_RELEASE);
	c->held = 0;
	/* It was mapping a chunk: the mapping may be lost, never the set. */
	if (c->growing)
		__atomic_store_n(&growing, 0, __ATOMIC_RELEASE);
	c->growing = 0;
}
