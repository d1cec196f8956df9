/*
 * The process tree section: every traced image, how it was created (fork,
 * vfork, posix_spawn, exec), when it ran and how it ended.
 */
#ifndef FL_REPORT_TREE_H
#define FL_REPORT_TREE_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"

struct fl_report_opts;

json_t *fl_report_tree(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_tree_text(json_t *section, FILE *f);

#endif
