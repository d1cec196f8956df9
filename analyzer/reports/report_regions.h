/*
 * The regions report: the address space over time, region by region. Per
 * process with counter ticks, the trace is cut into time bins and the
 * busiest VMAs (by faults sampled plus peak resident pages) get a row each,
 * in address order, with the faults sampled in each bin and the pages
 * resident at each bin's end. Residency comes from model/residency.h's
 * replay, so a VMA that is no longer mapped holds nothing and each page
 * counts once. The HTML report draws these as its heatmaps.
 */
#ifndef FL_REPORT_REGIONS_H
#define FL_REPORT_REGIONS_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_regions(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_regions_text(json_t *section, FILE *f);

#endif
