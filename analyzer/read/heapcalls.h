/*
 * The compact heap lines ("hc", schema.h FL_EV_HEAPCALLS) expanded back
 * into the alloc, free and realloc records of the one-line-per-call form,
 * so that everything after the reader sees the same events whichever form
 * the shim wrote. The decoder keeps the shim's codec state
 * (preload/record/heapcodec.c) for one file and makes the same moves.
 */
#ifndef FL_HEAPCALLS_H
#define FL_HEAPCALLS_H

#include <jansson.h>

#include "read/reader.h"

struct fl_hc_decoder;

struct fl_hc_decoder *fl_hc_new(void);
void fl_hc_free(struct fl_hc_decoder *d);
/* The calls go to heap() as typed records (NULL: to flat() as records, the default). */
void fl_hc_deliver_typed(struct fl_hc_decoder *d, int (*heap)(void *, const struct fl_heap_call *));

/*
 * Expands one validated "hc" line, handing each call to flat() as an
 * FL_E_ALLOC, FL_E_FREE or FL_E_REALLOC record. Returns NULL, or what is
 * wrong (a constant, or written into buf): then the rest of the line and
 * the lines of its epoch are skipped, the calls before it were delivered.
 * *stop is set when flat() asked to stop.
 */
const char *fl_hc_expand(struct fl_hc_decoder *d, const json_t *obj,
			 int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
			 void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf,
			 size_t len);

/*
 * The same for a version 3 line the fast path scanned (read/flat.c) and
 * validated against the schema: its columns are plain strings, so jansson
 * never sees it. A line with "d" (version 2) goes through fl_hc_expand.
 */
const char *
fl_hc_expand_flat(struct fl_hc_decoder *d, const struct fl_flat *f,
		  int (*flat)(void *, const struct fl_flat *, const struct fl_reader_loc *),
		  void *ctx, const struct fl_reader_loc *loc, int *stop, char *buf, size_t len);

#endif
