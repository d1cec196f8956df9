/*
 * The overcommit report: what the program reserved against what it touched.
 * Reservations are the recorded heap blocks of at least the "large" size and
 * the private writable anonymous mmaps; touched is their peak resident size
 * (residency, shared proportionally when a VMA holds more than one block) or,
 * without residency, the distinct pages the fault samples first touched.
 * Also: per region and over time, Committed_AS against CommitLimit, what
 * strict mode (vm.overcommit_memory=2) would have refused, single requests
 * larger than RAM plus swap, and the OOM score.
 */
#ifndef FL_REPORT_OVERCOMMIT_H
#define FL_REPORT_OVERCOMMIT_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_overcommit(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_overcommit_text(json_t *section, FILE *f);

#endif
