/*
 * The heap blocks the shim keeps a record of (their allocation was recorded
 * in default mode; every traced block with --all), with the requested size
 * and a 32-bit tag (stack id and flags), so that free() can attribute
 * itself. A chained hash table: each bucket is a 32-byte slot that holds
 * its first block itself and a word with a lock bit, a used bit and the
 * index of the first node of the rest; nodes come from chunks of pages
 * reserved as the set fills (within the shim's address-space budget, see
 * base/sys.h) through per-thread free lists, so nothing here calls malloc.
 *
 * fl_ptrset_maybe() is the lock-free test that lets a free() of a block
 * that was never recorded skip the table (one load of its bucket word): a
 * block's insert happens before the malloc that returned it returns, hence
 * before any free of it. In the default mode free()'s inline path never
 * looks here: every block recorded there was moved behind a header that
 * sends its free to the slow path (record.h, fl_block_moved).
 */
#ifndef FL_PTRSET_H
#define FL_PTRSET_H

#include <stdint.h>

#include "faultline/compiler.h"

/* A thread's private stock of free nodes (lives in struct fl_thread). */
struct fl_ptrset_cache {
	uint32_t head;
	uint32_t n;
	uint32_t held;	  /* bucket index + 1 while this thread holds its lock */
	uint32_t growing; /* 1 while this thread maps more nodes */
	/* Zone + 1 while this thread owns the zone of the block it updates
	 * (see fl_thread_zone_enter): the bucket lock is then not taken. A
	 * thread that takes the zone over waits for it to drop. */
	uint32_t plain;
};

/* 2^log2_buckets buckets; 0 or -1. */
int fl_ptrset_init(unsigned log2_buckets);
/* Records p. If p was already there (its free was not seen: a free from a
 * signal handler that interrupted the shim), its old size and tag are
 * replaced and returned, and the result is 1. 0 when new, -1 when full
 * (2^25 blocks, or no budget left to grow the set). */
#define fl_ptrset_insert(c, p, size, tag, old_size, old_tag)                                       \
	fl_ptrset_insert_at(c, fl_ptrset_bucket_of(p), p, size, tag, old_size, old_tag)
/* Removes p; returns 1 and its size and tag if it was there. */
#define fl_ptrset_remove(c, p, size, tag)                                                          \
	fl_ptrset_remove_at(c, fl_ptrset_bucket_of(p), p, size, tag)
/* The same, with p's bucket (fl_ptrset_bucket_of) already known. */
int fl_ptrset_insert_at(struct fl_ptrset_cache *c, uint32_t bucket, uintptr_t p, uint64_t size,
			uint32_t tag, uint64_t *old_size, uint32_t *old_tag);
int fl_ptrset_remove_at(struct fl_ptrset_cache *c, uint32_t bucket, uintptr_t p, uint64_t *size,
			uint32_t *tag);
/* Fork child: the lock a vanished thread held is released. */
void fl_ptrset_after_fork(struct fl_ptrset_cache *c);

/* 32-byte slots (ptrset.c) whose first word is the bucket word. */
extern void *fl_ptrset_buckets_ FL_HIDDEN;
extern uint32_t fl_ptrset_mask_ FL_HIDDEN;

/* Blocks next to each other in the heap land in neighbouring buckets, so
 * the program's locality carries over to the table (a multiplicative hash
 * of the whole address would send every free to a random cache line of a
 * 16 MiB array). A bucket per 32 bytes of address: glibc's smallest chunk
 * on x86-64, so that its blocks never share one, while a bucket per 16
 * bytes (its alignment) left every other bucket unused and each live block
 * on a cache line of buckets of its own. The 64 MiB region of the address (a glibc thread heap's
 * size and alignment) picks where its run of buckets starts, scattered by a
 * multiplicative hash: thread heaps sit at neighbouring 64 MiB-aligned
 * addresses, and folding in their region numbers as they are (an XOR)
 * would lay the threads' runs of buckets over each other, so that threads
 * would fight over the same bucket lines. */
static inline uint32_t fl_ptrset_bucket_of(uintptr_t p)
{
	uint64_t region = (uint64_t)(p >> 26) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)((p >> 5) + (region >> 40)) & fl_ptrset_mask_;
}

/* The buckets are cut into FL_PTRSET_ZONES runs, each owned by at most
 * one thread at a time (record/thread.h): blocks of one glibc arena (one
 * thread, often) fall in one run or two. */
#define FL_PTRSET_ZONES 64
extern unsigned fl_ptrset_zone_shift_ FL_HIDDEN;

static inline uint32_t fl_ptrset_zone_of(uint32_t bucket)
{
	return bucket >> fl_ptrset_zone_shift_;
}

/* 0: no block of bucket b (fl_ptrset_bucket_of) is in the set. */
static inline int fl_ptrset_maybe_at(uint32_t b)
{
	return fl_ptrset_buckets_ &&
	       __atomic_load_n((uint32_t *)fl_ptrset_buckets_ + 8 * (uintptr_t)b,
			       __ATOMIC_ACQUIRE) != 0;
}

/* 0: p is certainly not in the set. */
static inline int fl_ptrset_maybe(uintptr_t p)
{
	return fl_ptrset_maybe_at(fl_ptrset_bucket_of(p));
}

#endif
