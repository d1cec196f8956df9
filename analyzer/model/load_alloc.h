/*
 * The allocation side of loading a trace that load.c hands over: failed
 * allocations, the commit charge a large reservation's line carries, and
 * the fields of the heap call lines.
 */
#ifndef FL_LOAD_ALLOC_H
#define FL_LOAD_ALLOC_H

#include <jansson.h>

#include "model/model.h"
#include "read/reader.h"

/* The charge keys (committed_as, commit_limit) of a line; zeros when absent. */
struct fl_charge fl_load_charge_json(const json_t *o);
/* The same from a flat line's two values (NULL when absent). */
struct fl_charge fl_load_charge_flat(const struct fl_flat_val *committed,
				     const struct fl_flat_val *limit);
/* An alloc_failed line into p->failed. */
void fl_load_alloc_failed(struct fl_proc *p, const json_t *o, uint64_t t, uint64_t seq);
/* A loaded mmap that failed with ENOMEM is a failed allocation too. */
void fl_load_failed_mmap(struct fl_proc *p, const struct fl_map_call *c);
/* After the file: p->failed in seq order (lines arrive in drain order). */
void fl_load_failed_finish(struct fl_proc *p);

/*
 * The fields of an alloc, free or realloc line (NULL when absent), found in
 * one pass over the line: these are most of a heap trace's lines, and a
 * lookup per field scanned the line a dozen times. A repeated key keeps its
 * last value, as fl_flat_get does.
 */
struct fl_heap_line {
	const struct fl_flat_val *t, *seq, *fn, *addr, *old_addr, *size, *weight, *stack, *tid,
	    *committed, *limit;
};
void fl_load_heap_fields(const struct fl_flat *f, struct fl_heap_line *h);

#endif
