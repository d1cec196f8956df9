/*
 * A hash map from 64-bit keys to 64-bit values (open addressing, linear
 * probing), for the reports' page sets and per-key counters. Key
 * UINT64_MAX is reserved. Dies on allocation failure (analyzer only).
 */
#ifndef FL_U64MAP_H
#define FL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

/* The slot of key in a table of cap (a power of two) slots: murmur3's
 * finalizer, so that page numbers, which differ in their low bits, spread. */
static inline size_t fl_u64map_hash(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

struct fl_u64map {
	uint64_t *keys, *vals;
	size_t n, cap; /* cap is 0 or a power of two */
};

void fl_u64map_init(struct fl_u64map *m);
void fl_u64map_release(struct fl_u64map *m);
/* The value slot of key, inserted with value 0 when absent. */
uint64_t *fl_u64map_slot(struct fl_u64map *m, uint64_t key);
/* The value slot of key, or NULL when absent. */
uint64_t *fl_u64map_get(const struct fl_u64map *m, uint64_t key);
/* Inserts key (value 0) and returns 1 if it was absent, 0 if present. */
int fl_u64map_add(struct fl_u64map *m, uint64_t key);
/* Iteration: for (size_t i = 0; i < m->cap; i++) if (fl_u64map_used(m, i)) ... */
static inline int fl_u64map_used(const struct fl_u64map *m, size_t i)
{
	return m->keys[i] != UINT64_MAX;
}

#endif
