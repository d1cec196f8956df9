/*
 * Tables of the HTML report: the tables behind the charts, and every report
 * section's findings and figures, laid out from the section's JSON. Each
 * number carries its JSON path (data-json), so the page can be checked
 * against `report --json` figure for figure.
 */
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "render/html.h"
#include "reports/registry.h"

void html_esc(struct html_ctx *c, const char *s)
{
	fl_svg_escape(c->f, s);
}

double html_xsec(const struct html_ctx *c, const struct fl_proc *p, uint64_t t)
{
	return ((double)p->start_realtime_ns - (double)c->t0 + (double)t) / 1e9;
}

json_t *html_section(const struct html_ctx *c, const char *name)
{
	return json_object_get(json_object_get(c->report, "sections"), name);
}

void html_argv_text(struct html_ctx *c, const struct fl_proc *p)
{
	size_t i;
	json_t *a;
	if (!p->argv || !json_is_array(p->argv) || json_array_size(p->argv) == 0) {
		html_esc(c, p->exe ? p->exe : "?");
		return;
	}
	json_array_foreach(p->argv, i, a)
	{
		if (i)
			fputc(' ', c->f);
		if (i >= 12) {
			fputs("\xe2\x80\xa6", c->f);
			break;
		}
		html_esc(c, json_is_string(a) ? json_string_value(a) : "?");
	}
}

/* A figure already formatted as text, tagged with its JSON path and raw value. */
static void html_fig_text(struct html_ctx *c, json_t *path, json_t *v, const char *text)
{
	char *p = json_dumps(path, JSON_COMPACT);
	fputs("<span data-json=\"", c->f);
	html_esc(c, p ? p : "[]");
	if (json_is_integer(v))
		fprintf(c->f, "\" title=\"%lld\">", (long long)json_integer_value(v));
	else
		fprintf(c->f, "\" title=\"%.17g\">", json_number_value(v));
	html_esc(c, text);
	fputs("</span>", c->f);
	free(p);
}

void html_fig(struct html_ctx *c, json_t *path, json_t *v, enum html_fig_kind kind)
{
	char buf[64];
	double d = json_number_value(v);
	if (!json_is_number(v)) {
		fputs("?", c->f);
		return;
	}
	switch (kind) {
	case HTML_FIG_BYTES:
		fl_fmt_bytes(buf, sizeof(buf), d);
		break;
	case HTML_FIG_COUNT:
		fl_fmt_count(buf, sizeof(buf), (uint64_t)json_integer_value(v));
		break;
	case HTML_FIG_PCT:
		snprintf(buf, sizeof(buf), "%.1f%%", d);
		break;
	case HTML_FIG_NS:
		fl_fmt_ns(buf, sizeof(buf), d);
		break;
	case HTML_FIG_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		break;
	default:
		snprintf(buf, sizeof(buf), "%.4g", d);
		break;
	}
	html_fig_text(c, path, v, buf);
}

void html_figf(struct html_ctx *c, json_t *v, enum html_fig_kind kind, const char *fmt, ...)
{
	va_list ap;
	json_t *path;
	va_start(ap, fmt);
	path = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	html_fig(c, path, v, kind);
	json_decref(path);
}

/* ---- tables behind the charts ---- */

void html_table_open(struct html_ctx *c, const char *caption)
{
	fputs("<details class=\"data\"><summary>", c->f);
	html_esc(c, caption);
	fputs("</summary><div class=\"scroll\"><table>\n", c->f);
}

void html_table_close(struct html_ctx *c)
{
	fputs("</table></div></details>\n", c->f);
}

/* A number in human units, with the exact value in the title. */
void html_num_cell(struct html_ctx *c, double v, enum fl_unit u)
{
	char buf[64];
	if (isnan(v))
		fputs("<td>?</td>", c->f);
	else
		fprintf(c->f, "<td title=\"%.0f\">%s</td>", v,
			fl_svg_format(buf, sizeof(buf), v, u));
}

void html_chart_table(struct html_ctx *c, const struct fl_svg_chart *ch)
{
	char buf[64];
	size_t step = ch->n > HTML_MAX_TABLE_ROWS
			  ? (ch->n + HTML_MAX_TABLE_ROWS - 1) / HTML_MAX_TABLE_ROWS
			  : 1;
	html_table_open(c, "Table: the numbers behind this chart");
	fputs("<tr><th>", c->f);
	html_esc(c, ch->x_label);
	fputs("</th>", c->f);
	for (size_t s = 0; s < ch->nseries; s++) {
		fputs("<th>", c->f);
		html_esc(c, ch->series[s].name);
		fputs("</th>", c->f);
	}
	fputs("</tr>\n", c->f);
	for (size_t i = 0; i < ch->n; i += step) {
		fprintf(c->f, "<tr><td>%s</td>",
			fl_svg_format(buf, sizeof(buf), ch->x[i], ch->x_unit));
		for (size_t s = 0; s < ch->nseries; s++)
			html_num_cell(c, ch->series[s].y[i], ch->y_unit);
		fputs("</tr>\n", c->f);
	}
	for (size_t h = 0; h < ch->nhlines; h++) {
		fputs("<tr class=\"ref\"><td>", c->f);
		html_esc(c, ch->hlines[h].name);
		fprintf(c->f, "</td><td colspan=\"%zu\" title=\"%.0f\">%s</td></tr>\n",
			ch->nseries ? ch->nseries : 1, ch->hlines[h].y,
			fl_svg_format(buf, sizeof(buf), ch->hlines[h].y, ch->y_unit));
	}
	html_table_close(c);
}

void html_heatmap_table(struct html_ctx *c, const struct fl_svg_heatmap *h, json_t *cells,
			json_t *path)
{
	char buf[64];
	html_table_open(c, "Table: the numbers behind this heatmap");
	fputs("<tr><th>region</th>", c->f);
	for (size_t j = 0; j < h->ncols; j++)
		fprintf(c->f, "<th>%s</th>",
			fl_svg_format(buf, sizeof(buf), h->x_edges[j], h->x_unit));
	fputs("</tr>\n", c->f);
	for (size_t r = 0; r < h->nrows; r++) {
		fputs("<tr><th class=\"row\">", c->f);
		html_esc(c, h->rows[r]);
		fputs("</th>", c->f);
		for (size_t j = 0; j < h->ncols; j++) {
			json_t *at = json_deep_copy(path);
			json_array_append_new(at, json_integer((json_int_t)r));
			json_array_append_new(at, json_integer((json_int_t)j));
			fputs("<td>", c->f);
			html_fig(c, at, json_array_get(json_array_get(cells, r), j),
				 HTML_FIG_COUNT);
			fputs("</td>", c->f);
			json_decref(at);
		}
		fputs("</tr>\n", c->f);
	}
	html_table_close(c);
}

void html_figure_open(struct html_ctx *c, const char *caption)
{
	fputs("<figure>\n<figcaption>", c->f);
	html_esc(c, caption);
	fputs("</figcaption>\n", c->f);
}

void html_proc_heading(struct html_ctx *c, const struct fl_proc *p)
{
	fprintf(c->f, "<h3>process %d: <code>", p->pid);
	html_argv_text(c, p);
	fputs("</code></h3>\n", c->f);
}

/* ---- report sections: findings and tables from the JSON ---- */

static int ends_with(const char *k, const char *suffix)
{
	size_t n = strlen(k), m = strlen(suffix);
	return n >= m && !strcmp(k + n - m, suffix);
}

/* Report keys whose numbers are bytes: any "...bytes...", and these names
 * alone or as a prefix/suffix word ("peak_rss", "rss_anon_peak"). Counts
 * of pages, blocks, samples or faults ("shared_at_fork", "leaked_blocks",
 * "swap_in") and percentages are not bytes, whatever word they contain. */
static int is_bytes_key(const char *k)
{
	static const char *const names[] = {
	    "rss",	    "vsz",	  "size",	  "reserved",
	    "touched",	    "swap_total", "committed_as", "committed_before",
	    "commit_limit", "mem_total",  "live",	  "tlb_reach"};
	size_t len = strlen(k);
	if (ends_with(k, "_pct") || ends_with(k, "_blocks") || ends_with(k, "_process") ||
	    ends_with(k, "_samples") || ends_with(k, "_pages"))
		return 0;
	if (strstr(k, "bytes") || (len > 2 && !strcmp(k + len - 2, "_b")))
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(k, names[i], n) && (k[n] == 0 || k[n] == '_'))
			return 1;
		if (len > n && k[len - n - 1] == '_' && !strcmp(k + len - n, names[i]))
			return 1;
	}
	return 0;
}

/* A CLOCK_REALTIME time in ns ("start_ns" of the tree) as UTC date and time
 * to the millisecond; durations stay durations. */
static const char *wall_clock(char *buf, size_t len, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char day[32];
	if (!gmtime_r(&sec, &tm) || !strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)ns);
	else
		snprintf(buf, len, "%s.%03u UTC", day, (unsigned)(ns / 1000000u % 1000u));
	return buf;
}

static int is_ns_key(const char *k)
{
	return ends_with(k, "_ns") || !strcmp(k, "t");
}

/* path with one more step (a key, or an index when key is NULL); a new reference. */
static json_t *path_add(json_t *path, const char *key, size_t index)
{
	json_t *p = json_copy(path);
	json_array_append_new(p, key ? json_string(key) : json_integer((json_int_t)index));
	return p;
}

static void json_cell(struct html_ctx *c, json_t *path, const char *key, json_t *v, int depth)
{
	char buf[64];
	size_t i;
	const char *k;
	json_t *e;
	switch (json_typeof(v)) {
	case JSON_STRING: /* words from the JSON, marked so a test can tell them from figures */
		fputs("<span class=\"jt\">", c->f);
		html_esc(c, json_string_value(v));
		fputs("</span>", c->f);
		break;
	case JSON_INTEGER:
	case JSON_REAL: {
		double d = json_number_value(v);
		if (key && ends_with(key, "_pct"))
			html_fig(c, path, v, HTML_FIG_PCT);
		else if (key && is_bytes_key(key) && d >= 0)
			html_fig(c, path, v, HTML_FIG_BYTES);
		else if (key && is_ns_key(key) && d >= 1e17)
			html_fig_text(
			    c, path, v,
			    wall_clock(buf, sizeof(buf), (uint64_t)json_integer_value(v)));
		else if (key && is_ns_key(key))
			html_fig_text(c, path, v,
				      fl_svg_format(buf, sizeof(buf), d / 1e9, FL_UNIT_SECONDS));
		else
			html_fig(c, path, v, json_is_integer(v) ? HTML_FIG_INT : HTML_FIG_REAL);
		break;
	}
	case JSON_TRUE:
		fputs("yes", c->f);
		break;
	case JSON_FALSE:
		fputs("no", c->f);
		break;
	case JSON_NULL:
		fputs("\xe2\x80\x94", c->f);
		break;
	case JSON_ARRAY:
		if (json_array_size(v) && json_is_object(json_array_get(v, 0)) &&
		    !json_object_get(json_array_get(v, 0), "text")) {
			fprintf(c->f, "%zu entries", json_array_size(v));
			break;
		}
		json_array_foreach(v, i, e)
		{
			if (i >= 8) {
				fputs(", \xe2\x80\xa6", c->f);
				break;
			}
			if (i)
				fputs(json_is_object(e) ? "<br>" : ", ", c->f);
			json_t *sub = path_add(path, NULL, i);
			json_cell(c, sub, key, e, depth + 1);
			json_decref(sub);
		}
		break;
	case JSON_OBJECT:
		if (json_is_string(json_object_get(v, "text"))) {
			fputs("<span class=\"jt\">", c->f);
			html_esc(c, json_string_value(json_object_get(v, "text")));
			fputs("</span>", c->f);
			break;
		}
		if (depth > 2) {
			fputs("\xe2\x80\xa6", c->f);
			break;
		}
		i = 0;
		json_object_foreach(v, k, e)
		{
			if (i++)
				fputs(", ", c->f);
			html_esc(c, k);
			fputs(": ", c->f);
			json_t *sub = path_add(path, k, 0);
			json_cell(c, sub, k, e, depth + 1);
			json_decref(sub);
		}
		break;
	}
}

/*
 * What a sampled row carries about its own estimates (the heap's sites):
 * "estimate", "sample_period_bytes", the relative standard errors "rse" and
 * the figures the sample "supported". The table shows them as "≈" on the
 * columns, the period in the heading and "—" for an unsupported figure, so
 * they are not columns of their own.
 */
static int is_estimate_meta(const char *k)
{
	return !strcmp(k, "estimate") || !strcmp(k, "sample_period_bytes") || !strcmp(k, "rse") ||
	       !strcmp(k, "supported");
}

/* The first row of arr whose figures are estimates, or -1. */
static long first_estimate_row(json_t *arr)
{
	json_t *row;
	size_t i;
	json_array_foreach(arr, i, row)
	{
		if (json_is_true(json_object_get(row, "estimate")))
			return (long)i;
	}
	return -1;
}

/* "(≈, one sample per 2.00 KiB)" after a table's name, the period tagged. */
static void estimate_caption(struct html_ctx *c, json_t *path, json_t *arr, long row)
{
	json_t *period = json_object_get(json_array_get(arr, (size_t)row), "sample_period_bytes");
	fputs(" <span class=\"dim\">(\xe2\x89\x88, ", c->f);
	if (json_is_integer(period)) {
		json_t *rp = path_add(path, NULL, (size_t)row),
		       *pp = path_add(rp, "sample_period_bytes", 0);
		fputs("one sample per ", c->f);
		html_fig(c, pp, period, HTML_FIG_BYTES);
		json_decref(pp);
		json_decref(rp);
	} else {
		fputs("sampled", c->f);
	}
	fputs(")</span>", c->f);
}

/* The records behind a sampled figure: a leak or a peak has its own count. */
static json_t *samples_of(json_t *row, const char *key)
{
	if (!strcmp(key, "peak_live"))
		return json_object_get(row, "peak_samples");
	if (!strcmp(key, "leaked_bytes") || !strcmp(key, "leaked_blocks"))
		return json_object_get(row, "leaked_samples");
	return json_object_get(row, "samples");
}

/*
 * An estimate the sample cannot support: "—", with its relative standard
 * error and sample count in the tooltip, as the text report leaves it out.
 */
static int unsupported_cell(struct html_ctx *c, json_t *row, const char *key)
{
	json_t *supported = json_object_get(json_object_get(row, "supported"), key);
	json_t *rse = json_object_get(json_object_get(row, "rse"), key);
	json_t *samples = samples_of(row, key);
	if (!json_is_true(json_object_get(row, "estimate")) || !json_is_false(supported))
		return 0;
	fputs("<span class=\"unsupported\" title=\"too few samples to estimate", c->f);
	if (json_is_number(rse))
		fprintf(c->f, ": relative standard error \xc2\xb1%.0f%%",
			json_number_value(rse) * 100);
	if (json_is_integer(samples))
		fprintf(c->f, ", from %lld sampled blocks", (long long)json_integer_value(samples));
	fputs("\">\xe2\x80\x94</span>", c->f);
	return 1;
}

/* Does any estimate row of arr give column key a relative standard error? */
static int is_estimated_column(json_t *arr, const char *key)
{
	json_t *row;
	size_t i;
	json_array_foreach(arr, i, row)
	{
		if (json_is_true(json_object_get(row, "estimate")) &&
		    json_object_get(json_object_get(row, "rse"), key))
			return 1;
	}
	return 0;
}

/* An array of objects as a table: columns in order of first appearance (the
 * table scrolls sideways, so a wide section loses no column). */
#define JSON_TABLE_MAX_COLS 48
static void json_table(struct html_ctx *c, json_t *path, const char *name, json_t *arr)
{
	const char *cols[JSON_TABLE_MAX_COLS];
	size_t ncols = 0, i;
	long est_row = first_estimate_row(arr);
	json_t *row, *v;
	const char *k;
	json_array_foreach(arr, i, row)
	{
		if (i >= 20)
			break;
		json_object_foreach(row, k, v)
		{
			size_t j;
			if (is_estimate_meta(k))
				continue;
			for (j = 0; j < ncols && strcmp(cols[j], k); j++)
				;
			if (j == ncols && ncols < JSON_TABLE_MAX_COLS)
				cols[ncols++] = k;
		}
	}
	fputs("<h4>", c->f);
	html_esc(c, name);
	fprintf(c->f, " <span class=\"dim\">(%zu)</span>", json_array_size(arr));
	if (est_row >= 0)
		estimate_caption(c, path, arr, est_row);
	fputs("</h4>\n<div class=\"scroll\"><table class=\"sort\">\n<tr>", c->f);
	for (size_t j = 0; j < ncols; j++) {
		fputs("<th>", c->f);
		if (est_row >= 0 && is_estimated_column(arr, cols[j]))
			fputs("\xe2\x89\x88", c->f);
		html_esc(c, cols[j]);
		fputs("</th>", c->f);
	}
	fputs("</tr>\n", c->f);
	json_array_foreach(arr, i, row)
	{
		if (i >= HTML_MAX_TABLE_ROWS) {
			fprintf(c->f, "<tr><td colspan=\"%zu\">\xe2\x80\xa6 %zu more</td></tr>\n",
				ncols, json_array_size(arr) - i);
			break;
		}
		fputs("<tr>", c->f);
		for (size_t j = 0; j < ncols; j++) {
			fputs("<td>", c->f);
			v = json_object_get(row, cols[j]);
			if (v && !unsupported_cell(c, row, cols[j])) {
				json_t *rp = path_add(path, NULL, i),
				       *cp = path_add(rp, cols[j], 0);
				json_cell(c, cp, cols[j], v, 1);
				json_decref(cp);
				json_decref(rp);
			}
			fputs("</td>", c->f);
		}
		fputs("</tr>\n", c->f);
	}
	fputs("</table></div>\n", c->f);
}

/* An object of at most 12 scalars reads best inline, on one row. */
static int is_small(json_t *v)
{
	const char *k;
	json_t *e;
	if (!json_is_object(v) || json_object_size(v) > 12)
		return 0;
	json_object_foreach(v, k, e) if (json_is_object(e) || json_is_array(e)) return 0;
	return 1;
}

static int is_table(json_t *v)
{
	return json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0)) &&
	       !json_object_get(json_array_get(v, 0), "text");
}

/*
 * A section-level figure that is an estimate: the object says "estimate"
 * and carries the figure's relative standard error as "<stem>_rse" (the
 * heap's "leaked_rse" for "leaked_bytes" and "leaked_blocks").
 */
static int is_estimated_fact(json_t *obj, const char *k)
{
	char rse_key[64];
	size_t stem = strcspn(k, "_");
	if (!json_is_true(json_object_get(obj, "estimate")) || ends_with(k, "_rse") ||
	    stem >= sizeof(rse_key) - 5)
		return 0;
	snprintf(rse_key, sizeof(rse_key), "%.*s_rse", (int)stem, k);
	return json_object_get(obj, rse_key) != NULL;
}

/* Scalars first as a two-column table, then nested tables and objects. */
static void json_facts(struct html_ctx *c, json_t *path, json_t *obj, int depth)
{
	const char *k;
	json_t *v, *sub;
	int open = 0;
	json_object_foreach(obj, k, v)
	{
		if (!strcmp(k, "findings") || !strcmp(k, "flame") || is_table(v) ||
		    (json_is_object(v) && !json_object_get(v, "text") && !is_small(v)))
			continue;
		if (!open++)
			fputs("<div class=\"scroll\"><table class=\"facts\">\n", c->f);
		fputs("<tr><th>", c->f);
		html_esc(c, k);
		fputs("</th><td>", c->f);
		if (is_estimated_fact(obj, k))
			fputs("\xe2\x89\x88", c->f);
		sub = path_add(path, k, 0);
		json_cell(c, sub, k, v, 1);
		json_decref(sub);
		fputs("</td></tr>\n", c->f);
	}
	if (open)
		fputs("</table></div>\n", c->f);
	json_object_foreach(obj, k, v)
	{
		if (!strcmp(k, "findings") || !strcmp(k, "flame")) /* html_flame.c draws it */
			continue;
		if (is_table(v)) {
			sub = path_add(path, k, 0);
			json_table(c, sub, k, v);
			json_decref(sub);
		} else if (json_is_object(v) && !json_object_get(v, "text") && !is_small(v) &&
			   depth < 3) {
			fputs("<h4>", c->f);
			html_esc(c, k);
			fputs("</h4>\n", c->f);
			sub = path_add(path, k, 0);
			json_facts(c, sub, v, depth + 1);
			json_decref(sub);
		}
	}
}

/*
 * A folded finding (report.c's fl_findings_fold) shows its count as "×N",
 * the first finding's own words, and the examples it kept.
 */
static void folded_text(struct html_ctx *c, json_t *fi, json_t *path)
{
	json_t *examples = json_object_get(fi, "examples"), *e;
	json_t *cp = path_add(path, "count", 0);
	size_t i;
	fputs("<b class=\"fold\">\xc3\x97", c->f);
	html_fig(c, cp, json_object_get(fi, "count"), HTML_FIG_COUNT);
	fputs("</b> ", c->f);
	json_decref(cp);
	html_esc(c, json_string_value(json_array_get(examples, 0)));
	fputs("<details class=\"examples\"><summary>examples</summary><ul>", c->f);
	json_array_foreach(examples, i, e)
	{
		fputs("<li>", c->f);
		html_esc(c, json_is_string(e) ? json_string_value(e) : "?");
		fputs("</li>", c->f);
	}
	fputs("</ul></details>", c->f);
}

void html_finding_item(struct html_ctx *c, json_t *fi, json_t *path)
{
	const char *sev = json_string_value(json_object_get(fi, "severity"));
	const char *text = json_string_value(json_object_get(fi, "text"));
	const char *expl = json_string_value(json_object_get(fi, "explain"));
	const char *id = json_string_value(json_object_get(fi, "id"));
	int warn = sev && strcmp(sev, "info") != 0;
	fprintf(c->f, "<li class=\"finding %s\"><span class=\"sev\">%s</span> ",
		warn ? "warn" : "info", warn ? "warn" : "info");
	if (json_is_integer(json_object_get(fi, "count")) &&
	    json_is_string(json_array_get(json_object_get(fi, "examples"), 0)))
		folded_text(c, fi, path);
	else
		html_esc(c, text ? text : "");
	if (id) {
		fputs(" <span class=\"dim\">[", c->f);
		html_esc(c, id);
		fputs("]</span>", c->f);
	}
	if (expl && *expl) {
		fputs("<p class=\"explain\"><b>Why:</b> ", c->f);
		html_esc(c, expl);
		fputs("</p>", c->f);
	}
	fputs("</li>\n", c->f);
}

static void findings(struct html_ctx *c, json_t *path, json_t *sec)
{
	json_t *arr = json_object_get(sec, "findings"), *fi;
	size_t i;
	if (!json_is_array(arr) || !json_array_size(arr))
		return;
	fputs("<ul class=\"findings\">\n", c->f);
	json_array_foreach(arr, i, fi)
	{
		json_t *ap = path_add(path, "findings", 0), *fp = path_add(ap, NULL, i);
		html_finding_item(c, fi, fp);
		json_decref(fp);
		json_decref(ap);
	}
	fputs("</ul>\n", c->f);
}

static const char *section_title(const char *name)
{
	const struct fl_report_section *s = fl_report_find(name);
	return s && s->title ? s->title : name;
}

void html_sections(struct html_ctx *c)
{
	json_t *secs = json_object_get(c->report, "sections"), *sec;
	const char *name;
	if (!json_is_object(secs))
		return;
	json_object_foreach(secs, name, sec)
	{
		if (!json_is_object(sec))
			continue;
		fputs("<section class=\"report\" id=\"sec-", c->f);
		html_esc(c, name);
		fputs("\"><h2>", c->f);
		html_esc(c, section_title(name));
		fputs("</h2>\n", c->f);
		/* As the text says it (report_heap.c): heaptrack and memray count
		 * the sizes asked for. */
		if (!strcmp(name, "heap"))
			fputs("<p class=\"note\">Live bytes are usable sizes (malloc_usable_size: "
			      "what the allocator set aside, at least the size asked for).</p>\n",
			      c->f);
		json_t *path = json_pack("[s,s]", "sections", name);
		findings(c, path, sec);
		json_facts(c, path, sec, 0);
		json_decref(path);
		fputs("</section>\n", c->f);
	}
}
