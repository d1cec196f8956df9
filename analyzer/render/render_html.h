/*
 * The HTML report: one self-contained page (inline CSS and SVG, no script,
 * nothing fetched from the network) rendered from a fl_report_run() result
 * and, for the charts over time, the model it was computed from.
 *
 * The page has, in order: a summary in plain words; memory over time (RSS,
 * virtual size and working set against the TLB reach and RAM); page faults
 * over time stacked by class; region x time heatmaps of faults and resident
 * pages; copy-on-write sharing over time per child; reserved against touched
 * bytes per allocation site; the process tree; then every report section
 * with its findings, their explanations and its tables. Every chart is
 * followed by the table of its numbers.
 *
 * Every string that came from the trace (exe, argv, paths, symbols, section
 * text) is escaped (& < > " ').
 */
#ifndef FL_RENDER_HTML_H
#define FL_RENDER_HTML_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"
#include "reports/report.h"

/* Writes the page to f. report is borrowed. Returns 0, or -1 on a write error. */
int fl_render_html(FILE *f, json_t *report, const struct fl_model *m,
		   const struct fl_report_opts *o);

#endif
