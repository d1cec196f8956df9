/*
 * The resident and virtual size of one counters sample, defined once so that
 * every section (and so every renderer) gives the same figure.
 */
#ifndef FL_REPORTS_RSS_H
#define FL_REPORTS_RSS_H

#include <stdint.h>

#include "model/model.h"

/* Resident bytes: anon + file + shmem, or -1 when the sample carries no RSS. */
int64_t fl_rss_of_sample(const struct fl_counters *c);

/*
 * The program's virtual size: VmSize less the shim's own buffers and code
 * (mapped by the trace, not by the program), or -1 when not sampled.
 */
int64_t fl_vsz_of_sample(const struct fl_proc *p, const struct fl_counters *c);
/* The shim's own virtual bytes at counters line c (its regions and image). */
int64_t fl_shim_bytes_of_sample(const struct fl_proc *p, const struct fl_counters *c);
/* The program's VmPeak so far at counters line c: the shim's reading of
 * VmPeak less its regions where it rose, less the shim's image; -1 when
 * the trace has no such reading (older traces). */
int64_t fl_vm_peak_of_sample(const struct fl_proc *p, const struct fl_counters *c);

#endif
