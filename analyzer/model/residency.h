/*
 * Residency as a state over time. The shim writes residency as deltas: a
 * "fork" snapshot lists every VMA, a "tick" lists only the VMAs whose row
 * changed, and one tick may take several lines with the same time. This
 * walker replays them into the full per-VMA state at each time, leaving out
 * regions whose VMA the maps in force no longer hold.
 */
#ifndef FL_RESIDENCY_H
#define FL_RESIDENCY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/u64map.h"

struct fl_res_state {
	uint64_t t;		 /* time of the lines just applied */
	struct fl_res_region *v; /* every region known, by first appearance */
	uint8_t *alive;		 /* alive[i]: v[i]'s VMA still mapped at t */
	uint64_t *group;	 /* group[i]: the last group that listed v[i] */
	size_t n, cap;
	struct fl_u64map idx; /* start -> index + 1 */
};

/*
 * Calls fn after each group of residency lines with the same time, with the
 * state as of that time; stops early when fn returns non-zero (returned).
 */
int fl_res_walk(const struct fl_proc *p, int (*fn)(const struct fl_res_state *s, void *ctx),
		void *ctx);

/* Sum of one column over the alive regions overlapping [start, end); -1 if none known. */
enum fl_res_col {
	FL_RES_PRESENT,
	FL_RES_SWAPPED,
	FL_RES_FILE,
	FL_RES_EXCL,
	FL_RES_SHARED,
	FL_RES_REFERENCED,
	FL_RES_MOVED
};
int64_t fl_res_sum(const struct fl_res_state *s, enum fl_res_col col, uint64_t start, uint64_t end);

#endif
