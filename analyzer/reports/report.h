/*
 * What every report section shares: the options, findings, and frames and
 * stacks as JSON (with the text layout and unit helpers of util/). A
 * section's compute() is pure computation over the model (no output) and
 * returns a new jansson object; renderers (text in each section, HTML
 * elsewhere) work FROM that object, so `faultline report --json` is exactly
 * what the text and HTML show. The JSON shape of each section is documented
 * in doc/report-json.md.
 *
 * Every section object carries "findings": an array of
 *   {"id": "heap.leak", "severity": "info"|"warn", "text": "...", "explain": "..."}
 * where text says what was seen in plain words and explain names the kernel
 * (or allocator) mechanism behind it in one or two sentences.
 *
 * The list of sections and running them is reports/registry.h.
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
	const char *image;	 /* --pid N.G: only the image whose key is this; NULL = all */
	struct fl_symbols *syms; /* NULL with --no-symbols */
	int top;		 /* rows per table (default 10) */
};

void fl_report_opts_init(struct fl_report_opts *o);
/* Whether process p is selected by o (--pid). */
int fl_report_selected(const struct fl_report_opts *o, const struct fl_proc *p);

/* Appends a finding to obj's "findings" array (created when absent). */
void fl_finding_add(json_t *obj, const char *id, const char *severity, const char *explain,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Renders obj's "findings" as text lines. */
void fl_findings_render(json_t *obj, FILE *f);

/*
 * Folds repeated findings: when FL_FINDINGS_FOLD_MIN or more of obj's
 * findings share id, severity and mechanism (the same thing said of other
 * processes, sites or mappings), the first stays, in its place, with
 *   "count": N, "examples": [the first FL_FINDINGS_EXAMPLES texts]
 * and its text prefixed "×N: " and ending "; and N-1 more like it"; the
 * others are removed. Sections list the largest case first, so the one
 * kept is the largest (or the first).
 */
#define FL_FINDINGS_FOLD_MIN 3
#define FL_FINDINGS_EXAMPLES 3
void fl_findings_fold(json_t *obj);

/*
 * Renders findings gathered from several sections (each carrying
 * "section"), one line each: "  ! [section] text" ("!" for warn, "-" for
 * info), under heading; nothing when top is empty.
 */
void fl_findings_render_top(json_t *top, const char *heading, FILE *f);
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
/* Two rows of a table with the same site text (different stacks through
 * one code location) would read as one printed twice: the first caller
 * where row i's stack parts from another's tells them apart; NULL when no
 * other row has its text. The rows are fl_report_stack_json objects, or
 * (key) hold one under key. */
const char *fl_report_parting_caller(json_t *rows, size_t i, const char *key);

json_t *fl_report_stack_json(const struct fl_report_opts *o, const struct fl_proc *p,
			     uint32_t stack_id, uint64_t t, int depth);

/*
 * For the text renderers: the indexes of the `max` processes of the array
 * procs with the largest integer `key`, largest first, into idx; returns how
 * many (those with key 0 are left out). The rest is summed into *rest_n
 * processes and *rest_sum of key.
 */
size_t fl_report_top_procs(json_t *procs, const char *key, size_t *idx, size_t max, size_t *rest_n,
			   long long *rest_sum);

/* The integer at key k of the JSON object o (0 when absent), for the text
 * renderers. */
long long fl_jint(json_t *o, const char *k);

#endif
