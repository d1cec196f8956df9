/*
 * The faults report: every fault sample classified (analysis/fault_class.h),
 * then counted by class, by VMA, by allocation site, by code location and
 * over time.
 */
#ifndef FL_REPORT_FAULTS_H
#define FL_REPORT_FAULTS_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_faults(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_faults_text(json_t *section, FILE *f);

#endif
