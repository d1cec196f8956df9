/*
 * `faultline compare --html FILE`: the comparison (reports/compare.h) as one
 * self-contained HTML page: the verdict, the figures largest change first
 * with their spread and noise, the heap sites, the findings. It formats the
 * comparison's JSON and computes no figure.
 */
#ifndef FL_RENDER_HTML_COMPARE_H
#define FL_RENDER_HTML_COMPARE_H

#include <jansson.h>
#include <stdio.h>

/* Returns 0, or -1 on a write error. */
int fl_render_compare_html(FILE *f, json_t *cmp);

#endif
