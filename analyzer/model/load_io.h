/*
 * An io line (per tick: each open fd's cumulative read calls and bytes)
 * into the process's io store, from either reader path; and the two
 * helpers of flat lines that the residency lines share.
 */
#ifndef FL_LOAD_IO_H
#define FL_LOAD_IO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "read/reader.h"

/* The line being read, decoded, before fl_io_store_add encodes it. */
struct fl_load_io {
	struct fl_io line;
	size_t cap; /* room in line.fds */
};

void fl_load_io_flat(struct fl_load_io *r, struct fl_model *m, struct fl_proc *p,
		     const struct fl_flat *f, uint64_t t);
void fl_load_io_json(struct fl_load_io *r, struct fl_model *m, struct fl_proc *p, json_t *o,
		     uint64_t t);
void fl_load_io_release(struct fl_load_io *r);

/* A flat value's string interned in m (cut at 4 KiB), or NULL when not a string. */
const char *fl_load_flat_str(struct fl_model *m, const struct fl_flat_val *v);
/* The rows of a flat array of arrays (0 when v is NULL). */
size_t fl_load_flat_rows(const struct fl_flat_val *v);

#endif
