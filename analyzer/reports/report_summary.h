/*
 * The summary section: one screen about the whole run, then one line per
 * process, and the most important findings of the other sections (filled in
 * by the registry once every section is computed).
 */
#ifndef FL_REPORT_SUMMARY_H
#define FL_REPORT_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_summary(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_summary_text(json_t *section, FILE *f);
/* What the run's getrusage figures span, from faults.rusage_source, as the
 * text and the HTML say it: "getrusage, exec to exit", ... */
const char *fl_report_rusage_span(const json_t *faults);

#endif
