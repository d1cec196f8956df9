/*
 * Reports: the module registry. Every report is a section with a name; its
 * compute() is pure computation over the model (no output) and returns a new
 * jansson object; renderers (text here, HTML elsewhere) work FROM that
 * object, so `faultline report --json` is exactly what the text and HTML
 * show. The JSON shape of each section is documented in doc/report-json.md.
 *
 * Every section object carries "findings": an array of
 *   {"id": "heap.leak", "severity": "info"|"warn", "text": "...", "explain": "..."}
 * where text says what was seen in plain words and explain names the kernel
 * (or allocator) mechanism behind it in one or two sentences.
 *
 * To add a section: write report_<name>.c with the compute and render_text
 * functions, declare them below, and add a line to fl_report_sections[] in
 * report.c.
 */
#ifndef FL_REPORT_H
#define FL_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"
#include "model/symbols.h"
#include "util/fmt.h"
#include "util/text.h"

struct fl_report_opts {
	int32_t pid;		 /* --pid N: only images of this pid; -1 = all */
	struct fl_symbols *syms; /* NULL with --no-symbols */
	int top;		 /* rows per table (default 10) */
	int color;		 /* text renderers may use ANSI colour */
};

struct fl_report_section {
	const char *name;
	const char *title;
	json_t *(*compute)(const struct fl_model *m, const struct fl_report_opts *o);
	void (*render_text)(json_t *section, FILE *f);
};

/* NULL-terminated, in display order. */
extern const struct fl_report_section fl_report_sections[];
const struct fl_report_section *fl_report_find(const char *name);

void fl_report_opts_init(struct fl_report_opts *o);
/* Whether process p is selected by o (--pid). */
int fl_report_selected(const struct fl_report_opts *o, const struct fl_proc *p);

/*
 * Runs the named sections (all when names is NULL) and returns
 *   {"trace": PATH, "processes": N, "events": N, "errors": N, "sections": {name: obj, ...}}
 * (a new reference).
 */
json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames);
/* Renders every section of a fl_report_run() result as text. */
void fl_report_render_text(json_t *report, FILE *f);

/* ---- helpers for sections ---- */

/* Appends a finding to obj's "findings" array (created when absent). */
void fl_finding_add(json_t *obj, const char *id, const char *severity, const char *explain,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Renders obj's "findings" as text lines. */
void fl_findings_render(json_t *obj, FILE *f);
/*
 * A frame as JSON: {"addr": "0x...", "func": "name"|null, "object": ...,
 * "file": ...|null, "line": N|null, "text": "func+0x1 (file.c:3)"}.
 */
json_t *fl_report_frame_json(const struct fl_report_opts *o, const struct fl_proc *p, uint64_t addr,
			     uint64_t t, int is_return);
/*
 * An allocation site as JSON: the stack id, the site frame ("site": frame
 * object as above, the first frame outside the allocator) and "frames": the
 * first `depth` frames.
 */
json_t *fl_report_stack_json(const struct fl_report_opts *o, const struct fl_proc *p,
			     uint32_t stack_id, uint64_t t, int depth);

/* ---- the sections ---- */
json_t *fl_report_summary(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_summary_text(json_t *section, FILE *f);
json_t *fl_report_tree(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_tree_text(json_t *section, FILE *f);
json_t *fl_report_heap(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_heap_text(json_t *section, FILE *f);

#endif
