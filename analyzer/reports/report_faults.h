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

/* The program's own minor faults in kernel mode (the counts' gap_minor):
 * getrusage's less perf's user-mode ones, less those before perf started
 * and faultline's own; -1 unknown. */
int64_t fl_report_kernel_minflt(const struct fl_proc *p);

/* What faultline itself took in process p, kept out of the program's
 * figures: {faults (shim_samples, the samples classed the shim's, times the
 * period, plus its kernel-mode faults), sampled_faults, kernel_mode_faults,
 * mapped_bytes, threads (null if unknown), libraries}. New reference. */
json_t *fl_report_shim(const struct fl_proc *p, uint64_t shim_samples);
/* The one line "faultline itself: N faults, X mapped, T threads, ...". */
void fl_report_shim_text(json_t *shim, FILE *f, const char *indent);

#endif
