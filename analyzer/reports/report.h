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

struct fl_report_opts {
	int32_t pid;		 /* --pid N: only images of this pid; -1 = all */
	const char *image;	 /* --pid N.G: only the image whose key is this; NULL = all */
	struct fl_symbols *syms; /* NULL with --no-symbols */
	int top;		 /* rows per table (default 10) */
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
 * Prints text wrapped at word boundaries to fit width columns: the first
 * line starts with prefix, the next ones with indent (a string of spaces).
 */
void fl_text_wrap(FILE *f, const char *prefix, const char *indent, const char *text, int width);

/*
 * A code location ("func (file:line)", "func+0x1c (obj)") fitted into width
 * columns for a text table, keeping what tells sites apart: C++ template
 * arguments become "<...>", then parameter lists "(...)", then the front of the
 * name gives way to "..." so that the end of the name and the file:line stay.
 * Returns buf.
 */
const char *fl_fit_site(char *buf, size_t len, const char *text, int width);

/* printf, wrapped at 100 columns with indent on the continuation lines
 * (a trailing newline in fmt is not needed). */
void fl_text_printf(FILE *f, const char *indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A path fitted into width columns: its front gives way to "..." so that
 * the file name stays. Returns buf. */
const char *fl_fit_path(char *buf, size_t len, const char *path, int width);

/* "12.3 MiB", "512 B" (binary units). Returns buf. */
const char *fl_fmt_bytes(char *buf, size_t len, double bytes);
/* "1.23 s", "12.0 ms", "850 us". Returns buf. */
const char *fl_fmt_ns(char *buf, size_t len, double ns);
/* "1,234,567". Returns buf. */
const char *fl_fmt_count(char *buf, size_t len, uint64_t n);
/* "0x7f00..." (lowercase hex). Returns buf. */
const char *fl_fmt_addr(char *buf, size_t len, uint64_t a);

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
