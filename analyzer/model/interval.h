/*
 * An address-range map: [start, end) -> 64-bit value. Ranges may overlap
 * (heap blocks reuse addresses over time); lookups visit every range that
 * contains an address. Add ranges in any order, then fl_imap_build() once.
 * Ranges are sorted by start and grouped in chunks of FL_IMAP_CHUNK; a
 * max-tree over the chunks' largest ends prunes every chunk that cannot
 * reach the address, so a lookup costs O((hits + 1) log n) even when a few
 * huge ranges overlap many small ones.
 */
#ifndef FL_INTERVAL_H
#define FL_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

struct fl_interval {
	uint64_t start, end; /* [start, end) */
	uint64_t val;
};

#define FL_IMAP_CHUNK 16

struct fl_imap {
	struct fl_interval *v;
	uint64_t *maxend; /* max-tree of chunk ends: node i has children 2i, 2i+1 */
	size_t n, cap;
	size_t leaves; /* power of two >= number of chunks */
	int built;
};

void fl_imap_init(struct fl_imap *m);
void fl_imap_release(struct fl_imap *m);
/* Adds a range; invalidates a previous build. Empty ranges are ignored. */
void fl_imap_add(struct fl_imap *m, uint64_t start, uint64_t end, uint64_t val);
/* Sorts by start (then end) and computes the running maxima. */
void fl_imap_build(struct fl_imap *m);
/*
 * Calls fn for each range containing addr, highest start first, until fn
 * returns non-zero (that value is returned); 0 when all were visited.
 */
int fl_imap_each(const struct fl_imap *m, uint64_t addr,
		 int (*fn)(const struct fl_interval *iv, void *ctx), void *ctx);
/* The containing range with the highest start, or NULL. */
const struct fl_interval *fl_imap_find(const struct fl_imap *m, uint64_t addr);

#endif
