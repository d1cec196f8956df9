/*
 * Comparisons of runs: `faultline compare A B` for any two traces, and the
 * spread of a `record --repeat N` trace for `faultline report`.
 *
 * A trace holds one run, or N runs (the header's options.run, set by
 * `record --repeat N`). Every figure is measured per run: the program's own
 * time (from its first event to its exit, so that the shim's start-up is not
 * counted), wall and CPU time, read() calls and the bytes they copied, bytes
 * read from disk (getrusage ru_inblock: /proc/PID/io read_bytes, readahead
 * included), page faults by class, file pages mapped, peak RSS (anon, and
 * file: the page cache mapped), dTLB misses and the heap (bytes, calls, peak
 * and leaked). A side's figure is the median of its runs, with min and max.
 *
 * fl_compare() returns (a new reference; doc/report-json.md):
 *   {"name_a", "name_b", "runs_a", "runs_b",
 *    "a", "b":      the I/O profile (reports/report_io.h) of each side's median
 *                   run, with "own_ns" and "disk_read_bytes",
 *    "figures":     [{"key", "label", "unit": "bytes"|"ns"|"count",
 *                     "a": {"median", "min", "max"}, "b": {...}, "change", "ratio",
 *                     "noise": "within"|"clear"|"one_run"}], largest change first,
 *    "heap_sites":  [{"site", "a": {"bytes", "calls", "peak", "leaked"}, "b": {...},
 *                     "change_bytes"}], largest change first (per run: a mean),
 *    "verdict":     {"pair": bool, "text", ...}: the read/mmap verdict when the
 *                   two sides are a read/mmap pair, else why there is none,
 *    "findings":    [...]}
 * The verdict is given only when one side copies its file data with read()
 * and the other maps it; it names the faster side by the median own time,
 * says "within noise" when a side's spread (max - min of its runs) covers the
 * difference of the medians, and names the measured
 * part that differs most: bytes read from disk, bytes copied, or faults.
 */
#ifndef FL_REPORTS_COMPARE_H
#define FL_REPORTS_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"
#include "reports/report.h"

json_t *fl_compare(const struct fl_model *a, const struct fl_report_opts *oa,
		   const struct fl_model *b, const struct fl_report_opts *ob, const char *name_a,
		   const char *name_b);
/* Text: the figures, the heap sites (top rows of them), the verdict and findings. */
void fl_compare_text(json_t *cmp, FILE *f, int top);

/* The runs of m (1 when it was not recorded with --repeat). */
size_t fl_runs_count(const struct fl_model *m);
/*
 * The runs of a --repeat trace (a new reference):
 *   {"count": N, "figures": [{"key", "label", "unit", "median", "min", "max",
 *    "values": [one per run]}]}
 */
json_t *fl_runs_json(const struct fl_model *m, const struct fl_report_opts *o);
void fl_runs_text(json_t *runs, FILE *f);

#endif
