/*
 * The copy-on-write report, one entry per fork: the pages shared at fork
 * (residency snapshot of the child at fork: anonymous, present, not
 * exclusively mapped), the pages copied since by the child and by the
 * parent (copy-on-write faults, see analysis/fault_class.h), the bytes copied, per
 * VMA and over time (the decay of sharing), and a fork followed by an exec
 * within FL_COW_EXEC_NS flagged with what the fork cost.
 */
#ifndef FL_REPORT_COW_H
#define FL_REPORT_COW_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

#define FL_COW_EXEC_NS 100000000ULL /* exec within 100 ms of fork */

json_t *fl_report_cow(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_cow_text(json_t *section, FILE *f);

#endif
