/*
 * The set of heap blocks whose allocation was recorded, with their size, so
 * that free() can tell in O(1), without a lock, whether to record itself.
 * Lock-free open addressing; deleted slots become tombstones that inserts
 * reuse (live pointers are unique, so reuse never duplicates a key).
 */
#ifndef FL_PTRSET_H
#define FL_PTRSET_H

#include <stdint.h>

/* log2 of the slot count: 20 by default, larger for --all. 0 or -1. */
int fl_ptrset_init(unsigned log2_slots);
/* 0, or -1 when the set is too full (the caller stops recording). */
int fl_ptrset_insert(uintptr_t p, uint64_t size, uint32_t stack);
/* Removes p; returns 1 and its size/stack if it was there. */
int fl_ptrset_remove(uintptr_t p, uint64_t *size, uint32_t *stack);
/* Blocks in the set now. */
uint64_t fl_ptrset_count(void);

#endif
