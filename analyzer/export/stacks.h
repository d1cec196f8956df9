/*
 * What the stack exports (folded, pprof) share: the heap report's
 * allocation sites with every figure, and the name of a frame.
 */
#ifndef FL_STACKS_H
#define FL_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "reports/report.h"

struct fl_heap_site {
	const struct fl_proc *p;
	uint32_t stack; /* the allocation stack id in p */
	uint64_t t;	/* a time at which the stack's code was mapped (for symbols) */
	int64_t bytes, allocs, peak_live, leaked_bytes;
};

/*
 * Every site of the processes o selects that allocated anything, in the
 * heap report's order (by bytes); *n is set to their count. The figures
 * are the heap section's own (reports/report_heap.c), so an export and
 * `report --section heap` agree site by site: exact with --all, the same
 * unbiased estimates otherwise. Returns a new array (free it), or NULL
 * when there is none.
 */
struct fl_heap_site *fl_stacks_heap_sites(const struct fl_model *m, const struct fl_report_opts *o,
					  size_t *n);

/*
 * A name for the frame at addr of p at time t, into buf: the function, else
 * object+offset, else the address (is_return: addr is a return address).
 */
void fl_stacks_frame_name(const struct fl_report_opts *o, const struct fl_proc *p, uint64_t addr,
			  uint64_t t, int is_return, char *buf, size_t len);

/*
 * A name for the region holding addr in p at t, into buf: its path,
 * "[anon rw-p]" for anonymous memory, "[unknown region]".
 */
void fl_stacks_region_name(const struct fl_proc *p, uint64_t addr, uint64_t t, char *buf,
			   size_t len);

#endif
