/*
 * The allocation side of loading a trace that load.c hands over: failed
 * allocations, and the commit charge a large reservation's line carries.
 */
#ifndef FL_LOAD_ALLOC_H
#define FL_LOAD_ALLOC_H

#include <jansson.h>

#include "model/model.h"
#include "read/reader.h"

/* The charge keys (committed_as, commit_limit) of a line; zeros when absent. */
struct fl_charge fl_load_charge_json(const json_t *o);
struct fl_charge fl_load_charge_flat(const struct fl_flat *f);
/* An alloc_failed line into p->failed. */
void fl_load_alloc_failed(struct fl_proc *p, const json_t *o, uint64_t t, uint64_t seq);
/* A loaded mmap that failed with ENOMEM is a failed allocation too. */
void fl_load_failed_mmap(struct fl_proc *p, const struct fl_map_call *c);
/* After the file: p->failed in seq order (lines arrive in drain order). */
void fl_load_failed_finish(struct fl_proc *p);

#endif
