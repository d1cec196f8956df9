/*
 * The heap section: allocation sites by bytes, count, peak live bytes,
 * bytes still live at exit, and short-lived (temporary) allocations.
 */
#ifndef FL_REPORT_HEAP_H
#define FL_REPORT_HEAP_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_heap(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_heap_text(json_t *section, FILE *f);

#endif
