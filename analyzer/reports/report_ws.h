/*
 * The working-set report: pages used per window, by each method the trace
 * has (written: userfaultfd write-protect, page exact, `--wss`; referenced:
 * the accessed bit, only where the shim's self-test passed; first_touch:
 * first faults on a page, from the fault samples), per region and per
 * allocation site; peak and percentiles; against the TLB's reach (measured
 * dTLB misses where the trace has them, otherwise the model from the
 * header's TLB geometry) and against RAM.
 */
#ifndef FL_REPORT_WS_H
#define FL_REPORT_WS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

/* Nearest-rank percentile (0..100) of n values; sorts v in place. 0 when n is 0. */
uint64_t fl_ws_percentile(uint64_t *v, size_t n, double pct);

json_t *fl_report_ws(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_ws_text(json_t *section, FILE *f);

#endif
