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
	int classifies; /* reads the fault summaries (analysis/fault_summary.h) */
};

/* NULL-terminated, in display order. */
extern const struct fl_report_section fl_report_sections[];
const struct fl_report_section *fl_report_find(const char *name);

/*
 * Runs the named sections (all when names is NULL), folds each one's
 * repeated findings (fl_findings_fold) and returns
 *   {"trace": PATH, "processes": N, "events": N, "errors": N, "sections": {name: obj, ...}}
 * (a new reference), and "runs" (reports/compare.h: fl_runs_json) when the
 * trace holds the runs of `record --repeat N`.
 *
 * Before the sections run, it folds the heap of every process
 * (fl_proc_heap_fold): the freed blocks go, and the model's block queries
 * answer for live blocks only afterwards; then it classifies the fault
 * samples of the selected processes (when a section wants them). The commands that ask about any
 * block (addr, compare, export) do not run reports.
 */
json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames);
/*
 * The most important findings of the sections of a fl_report_run() result
 * ("sections"), the summary's own left out: warnings first, then the rest,
 * each group in registry order, at most two per section per severity so
 * that none crowds out the others, no text twice. A new array of copies,
 * each with "section": NAME, at most max long.
 */
json_t *fl_report_top_findings(json_t *sections, size_t max);
/*
 * For `faultline record`'s closing summary: computes every section but the
 * summary over m and prints the max most important findings (as above) under
 * "Top findings"; prints nothing when there are none.
 */
void fl_report_top_findings_text(const struct fl_model *m, const struct fl_report_opts *o,
				 size_t max, FILE *f);

/* Renders every section of a fl_report_run() result as text. */
void fl_report_render_text(json_t *report, FILE *f);

#endif
