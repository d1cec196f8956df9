/*
 * The section registry: every report is a section with a name, a title, a
 * compute function and a text renderer (see reports/report.h for what a
 * section returns).
 *
 * To add a section: write report_<name>.{c,h} with the compute and
 * render_text functions, and add a line to fl_report_sections[] in
 * registry.c.
 */
#ifndef FL_REGISTRY_H
#define FL_REGISTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "model/model.h"
#include "reports/report.h"

struct fl_report_section {
	const char *name;
	const char *title;
	json_t *(*compute)(const struct fl_model *m, const struct fl_report_opts *o);
	void (*render_text)(json_t *section, FILE *f);
};

/* NULL-terminated, in display order. */
extern const struct fl_report_section fl_report_sections[];
const struct fl_report_section *fl_report_find(const char *name);

/*
 * Runs the named sections (all when names is NULL) and returns
 *   {"trace": PATH, "processes": N, "events": N, "errors": N, "sections": {name: obj, ...}}
 * (a new reference).
 */
json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames);
/* Renders every section of a fl_report_run() result as text. */
void fl_report_render_text(json_t *report, FILE *f);

#endif
