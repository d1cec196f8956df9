/*
 * A counters line (every tick, at exit, before exec) into struct
 * fl_counters, from either reader path; every figure bounded so that the
 * reports' int64_t arithmetic cannot overflow on a hostile trace.
 */
#ifndef FL_LOAD_COUNTERS_H
#define FL_LOAD_COUNTERS_H

#include <jansson.h>
#include <stdint.h>

#include "model/model.h"
#include "read/reader.h"

/*
 * No real figure (bytes, pages, events of one process) comes near 2^52: one
 * beyond is clamped there, and a negative one other than -1 (unknown)
 * becomes -1.
 */
#define FL_MAX_FIGURE ((int64_t)1 << 52)

/* Fill every figure of c (not its time) from the line; -1 where absent. */
void fl_load_counters_flat(struct fl_counters *c, const struct fl_flat *f);
void fl_load_counters_json(struct fl_counters *c, const json_t *o);

#endif
