/*
 * An address-range map: [start, end) -> 64-bit value. Ranges may overlap
 * (heap blocks reuse addresses over time); lookups visit every range that
 * contains an address. Add ranges in any order, then fl_imap_build() once;
 * lookups are O(log n + hits) for typical data (a running maximum of the
 * range ends bounds the backward scan).
 */
#ifndef FL_INTERVAL_H
#define FL_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

struct fl_interval {
	uint64_t start, end; /* [start, end) */
	uint64_t val;
};

struct fl_imap {
	struct fl_interval *v;
	uint64_t *maxend; /* maxend[i] = max(v[0..i].end), valid after build */
	size_t n, cap;
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
