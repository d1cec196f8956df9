/*
 * The HTML report's parts (render_html.c holds the page frame), sharing one
 * context. Every figure on the page is read from the report JSON; a figure
 * printed with html_fig() carries data-json (its path in that JSON, as a JSON
 * array) and title (the raw value), so a test can check each against
 * `report --json` (t7103).
 */
#ifndef FL_RENDER_HTML_PARTS_H
#define FL_RENDER_HTML_PARTS_H

#include <jansson.h>
#include <stdio.h>

#include "model/model.h"
#include "render/svg.h"
#include "reports/report.h"

#define HTML_MAX_CHART_PROCS 4 /* processes that get their own charts */
#define HTML_MAX_TABLE_ROWS 50

struct html_ctx {
	FILE *f;
	json_t *report;
	const struct fl_model *m;
	const struct fl_report_opts *o;
	uint64_t t0; /* earliest start_realtime_ns: time 0 of every chart */
	const struct fl_proc *chart[HTML_MAX_CHART_PROCS];
	size_t nchart;
};

/* How html_fig() prints a number: the report's own formatters. */
enum html_fig_kind {
	HTML_FIG_BYTES, /* fl_fmt_bytes */
	HTML_FIG_COUNT, /* fl_fmt_count: 1,234 */
	HTML_FIG_INT,	/* %lld: ids and small numbers */
	HTML_FIG_PCT,	/* %.1f% */
	HTML_FIG_NS,	/* fl_fmt_ns */
	HTML_FIG_REAL,	/* %.4g */
};

void html_esc(struct html_ctx *c, const char *s);
double html_xsec(const struct html_ctx *c, const struct fl_proc *p, uint64_t t);
void html_argv_text(struct html_ctx *c, const struct fl_proc *p);
/* The named section of the report, or NULL when it was not run. */
json_t *html_section(const struct html_ctx *c, const char *name);

/*
 * Prints v, the JSON value at path (a JSON array of keys and indexes; borrowed),
 * formatted by kind and tagged with its path; "?" when v is not a number.
 */
void html_fig(struct html_ctx *c, json_t *path, json_t *v, enum html_fig_kind kind);
/* The same for a path written as a jansson pack format ("[s,s,s]"), values after. */
void html_figf(struct html_ctx *c, json_t *v, enum html_fig_kind kind, const char *fmt, ...);

void html_table_open(struct html_ctx *c, const char *caption);
void html_table_close(struct html_ctx *c);
void html_num_cell(struct html_ctx *c, double v, enum fl_unit u);
void html_chart_table(struct html_ctx *c, const struct fl_svg_chart *ch);
/* The table behind a heatmap: its cells are the JSON matrix cells (borrowed),
 * each tagged with its place under path (borrowed). */
void html_heatmap_table(struct html_ctx *c, const struct fl_svg_heatmap *h, json_t *cells,
			json_t *path);
void html_figure_open(struct html_ctx *c, const char *caption);
void html_proc_heading(struct html_ctx *c, const struct fl_proc *p);
/* A finding; path is its place in the report JSON (borrowed), for its figures. */
void html_finding_item(struct html_ctx *c, json_t *fi, json_t *path);

/* The parts of the page, in page order. */
void html_summary(struct html_ctx *c);
void html_memory_chart(struct html_ctx *c, const struct fl_proc *p, int idx);
/* By class from the fault samples; without samples, minor and major per tick. */
void html_faults_chart(struct html_ctx *c, const struct fl_proc *p, int idx);
void html_heatmaps(struct html_ctx *c, const struct fl_proc *p, int idx);
void html_cow_chart(struct html_ctx *c);
void html_overcommit_chart(struct html_ctx *c);
/* The heap and faults sections' stack trees as flame graphs (html_flame.c). */
void html_flame_graphs(struct html_ctx *c);
void html_process_tree(struct html_ctx *c);
void html_sections(struct html_ctx *c);
/* The page's one inline script: flame graph zoom and search, sortable tables. */
void html_script(struct html_ctx *c);

#endif
