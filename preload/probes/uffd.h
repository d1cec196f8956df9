/*
 * The written working set (--wss): private anonymous mappings registered
 * with userfaultfd in asynchronous write-protect mode; each window a
 * PAGEMAP_SCAN with PM_SCAN_WP_MATCHING reports the pages written since the
 * last one and protects them again. Page-exact; costs one write fault per
 * page per window the first time it is written (those "tracking faults" are
 * counted so the analyzer can subtract them). New mappings are registered
 * as they appear; a fork child opens its own context (it loses the
 * parent's registrations).
 */
#ifndef FL_UFFD_H
#define FL_UFFD_H

#include <stdint.h>

#include "trace/out.h"
#include "probes/probe.h"
#include "probes/procfs.h"

extern struct fl_probe_st fl_uffd_st;

void fl_uffd_open(void);
/* Registers the mappings there are now (start-up, fork child). */
void fl_uffd_arm(const struct fl_vma *v, int n);
/* One window: scans what is tracked, then registers new mappings. */
void fl_uffd_window(const struct fl_vma *v, int n);
/* Pages written in [start, end) in the last window; -1 if not tracked. */
int64_t fl_uffd_written(uint64_t start, uint64_t end);
/* Tracking faults since start (estimate: see uffd.c). */
uint64_t fl_uffd_tracking_faults(void);
/* The "wss" line for the last window. */
void fl_uffd_emit(struct fl_out *o);
/* fork child: drop the parent's context, open our own. */
void fl_uffd_reopen(void);
void fl_uffd_close(void);

#endif
