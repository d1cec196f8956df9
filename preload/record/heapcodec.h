/*
 * The compact form of the per-call heap events: consecutive alloc, free
 * and realloc events of one thread become one "hc" line of small integers
 * (include/faultline/schema.h, FL_EV_HEAPCALLS). A freed block is named by
 * the slot its allocation took, an allocated address by its place in a
 * short list of recently freed addresses of the same size bucket, and
 * times and sequence numbers by their difference from the previous call:
 * the numbers that remain are small and repeat, which zstd makes little
 * of. All of it runs with the writer lock held.
 */
#ifndef FL_HEAPCODEC_H
#define FL_HEAPCODEC_H

#include "record/evbuf.h"
#include "trace/out.h"

/*
 * Adds ev to the pending line when it is a heap event (writing its stack
 * line first if the trace lacks it); returns 0 when it is not one. A full
 * line, or one of another thread, is written to o first.
 */
int fl_heapcodec_add(struct fl_out *o, const struct fl_event *ev);
/* Writes the pending calls, if any, as one line. */
void fl_heapcodec_flush(struct fl_out *o);
/* At a tick: starts a new epoch (the next line is numbered 0 and refers to
 * nothing before it) if the current one began a second ago or more. */
void fl_heapcodec_reset(void);
/* Starts a new epoch now. */
void fl_heapcodec_new_epoch(void);

#endif
