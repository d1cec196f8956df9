/*
 * The charts of the HTML report. Their series are the report sections'
 * (overcommit's samples, ws's windows, faults' bins, cow's sharing decay,
 * overcommit's sites); the heatmaps and the per-tick fault counts still read
 * the model (NEEDSWORK: no section carries them yet).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"
#include "reports/report.h"
#include "render/html.h"
#include "analysis/fault_class.h"
#include "util/xalloc.h"

#define MAX_BINS 48
#define MAX_SITES 12 /* overcommit bars */
#define MAX_COW 8    /* children in the COW chart */

static int64_t page_size(const struct fl_proc *p)
{
	return p->page_size > 0 ? p->page_size : 4096;
}

/* ---- fault classes (report_faults.c classifies; these are the words) ---- */

#define FC_N FL_FC_COUNT

/* One colour per class, the same in every chart. */
static const char *const fclass_color[FC_N] = {
    [FL_FC_ZERO_FILL] = "#0072b2", [FL_FC_CACHE_HIT] = "#009e73", [FL_FC_DISK] = "#d55e00",
    [FL_FC_SWAP_IN] = "#cc79a7",   [FL_FC_COW] = "#e69f00",	  [FL_FC_STACK_GROWTH] = "#56b4e9",
    [FL_FC_TRACKING] = "#999999",  [FL_FC_OTHER] = "#222222",	  [FL_FC_UNKNOWN] = "#bbbbbb",
    [FL_FC_SHIM] = "#dddddd",
};

/* Working-set bytes of the ws window ending in (t0, t1], by the section's method. */
static double ws_window(json_t *ws, const char *method, uint64_t t0, uint64_t t1, double ps)
{
	json_t *w, *v;
	size_t i;
	json_array_foreach(json_object_get(ws, "windows"), i, w)
	{
		uint64_t t = (uint64_t)json_integer_value(json_object_get(w, "t"));
		if (t <= t0 || t > t1)
			continue;
		v = json_object_get(w, method);
		return json_is_number(v) ? json_number_value(v) * ps : NAN;
	}
	return NAN;
}

static const char *ws_method_name(const char *method)
{
	if (!strcmp(method, "written"))
		return "working set: pages written per window (uffd-wp)";
	if (!strcmp(method, "referenced"))
		return "working set: pages referenced per window (accessed bit)";
	return "pages first touched per window (fault samples)";
}

/* Reference lines from the ws section: the TLB reach it used, and RAM. */
static size_t ws_ref_lines(json_t *ws, struct fl_svg_hline *h)
{
	json_t *tlb = json_object_get(ws, "tlb"), *ram = json_object_get(ws, "ram");
	double r4 = json_number_value(json_object_get(tlb, "reach_4k"));
	double r2 = json_number_value(json_object_get(tlb, "reach_2m"));
	double mem = json_number_value(json_object_get(ram, "mem_total"));
	size_t n = 0;
	if (r4 > 0)
		h[n++] = (struct fl_svg_hline){"dTLB reach, 4 KiB pages", r4, "#6a3d9a"};
	if (r2 > 0)
		h[n++] = (struct fl_svg_hline){"dTLB reach, 2 MiB pages", r2, "#b15928"};
	if (mem > 0)
		h[n++] = (struct fl_svg_hline){"RAM", mem, "#cc0000"};
	return n;
}

/* ---- memory over time: the overcommit section's samples, the ws section's windows ---- */

/* The index of this pid's entry in section's "processes", or -1. */
static long proc_index(struct html_ctx *c, const char *section, const struct fl_proc *p)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(html_section(c, section), "processes"), i, e)
	{
		const char *exe = json_string_value(json_object_get(e, "exe"));
		if (json_integer_value(json_object_get(e, "pid")) == p->pid &&
		    (!exe || !*exe || !p->exe || !strcmp(exe, p->exe)))
			return (long)i;
	}
	return -1;
}

/* The entry of this pid in section's "processes", or NULL. */
static json_t *proc_entry(struct html_ctx *c, const char *section, const struct fl_proc *p)
{
	long i = proc_index(c, section, p);
	return i < 0 ? NULL
		     : json_array_get(json_object_get(html_section(c, section), "processes"),
				      (size_t)i);
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) && json_number_value(v) >= 0 ? json_number_value(v) : NAN;
}

void html_memory_chart(struct html_ctx *c, const struct fl_proc *p, int idx)
{
	json_t *ws = proc_entry(c, "ws", p), *oc = proc_entry(c, "overcommit", p), *e;
	json_t *ot = json_object_get(oc, "over_time");
	const char *method = ws ? json_string_value(json_object_get(ws, "peak_method")) : NULL;
	size_t n = json_array_size(ot), i;
	double *x = fl_xcalloc(n + 1, sizeof(double)), *rss = fl_xcalloc(n + 1, sizeof(double));
	double *vsz = fl_xcalloc(n + 1, sizeof(double)), *wss = fl_xcalloc(n + 1, sizeof(double));
	struct fl_svg_series s[3] = {
	    {"RSS (resident)", rss, "#0072b2", 0},
	    {"virtual size (the program's)", vsz, "#e69f00", 0},
	    {method ? ws_method_name(method) : "working set", wss, "#009e73", 0},
	};
	struct fl_svg_hline h[3];
	char id[32];
	struct fl_svg_chart ch = {id,
				  "Memory over time",
				  "time since the trace started",
				  "bytes",
				  FL_UNIT_SECONDS,
				  FL_UNIT_BYTES,
				  x,
				  n,
				  s,
				  method ? 3 : 2,
				  h,
				  ws ? ws_ref_lines(ws, h) : 0,
				  FL_SCALE_AUTO};
	if (!n) {
		fputs("<p class=\"note\">No memory samples for this process (the overcommit "
		      "section is not in this report, or the process had no counter ticks).</p>\n",
		      c->f);
		goto out;
	}
	json_array_foreach(ot, i, e)
	{
		uint64_t t = (uint64_t)json_integer_value(json_object_get(e, "t"));
		uint64_t prev = i ? (uint64_t)json_integer_value(
					json_object_get(json_array_get(ot, i - 1), "t"))
				  : 0;
		x[i] = html_xsec(c, p, t);
		rss[i] = num_or_nan(json_object_get(e, "rss"));
		vsz[i] = num_or_nan(json_object_get(e, "vsz"));
		wss[i] = method ? ws_window(ws, method, prev, t, (double)page_size(p)) : NAN;
	}
	snprintf(id, sizeof(id), "mem-%d", idx);
	html_figure_open(c, "RSS, virtual size and working set over time, against the dTLB reach "
			    "and RAM (a log scale when RAM dwarfs the program)");
	fl_svg_line_chart(c->f, &ch);
	fputs("</figure>\n", c->f);
	html_chart_table(c, &ch);
out:
	free(x);
	free(rss);
	free(vsz);
	free(wss);
}

/* ---- faults over time: the faults section's bins, else its per-tick counts ---- */

static void classes_chart(struct html_ctx *c, const struct fl_proc *p, json_t *fp, int idx)
{
	json_t *bins = json_object_get(json_object_get(fp, "over_time"), "bins");
	json_t *classes = json_object_get(html_section(c, "faults"), "classes"), *cl, *b;
	size_t n = json_array_size(bins), ncls = json_array_size(classes), ns = 0, i, k;
	double bin_s = (double)json_integer_value(
			   json_object_get(json_object_get(fp, "over_time"), "bin_ns")) /
		       1e9;
	double *x = fl_xcalloc(n + 1, sizeof(double)), *y = fl_xcalloc((n + 1) * (ncls + 1), 8);
	struct fl_svg_series *s = fl_xcalloc(ncls + 1, sizeof(*s));
	char id[32];
	struct fl_svg_chart ch = {id,
				  "Page faults over time by class",
				  "time since the trace started",
				  "faults per interval",
				  FL_UNIT_SECONDS,
				  FL_UNIT_COUNT,
				  x,
				  n,
				  s,
				  0,
				  NULL,
				  0,
				  FL_SCALE_LINEAR};
	json_array_foreach(bins, i, b) x[i] =
	    html_xsec(c, p, (uint64_t)json_integer_value(json_object_get(b, "t"))) + bin_s / 2;
	json_array_foreach(classes, k, cl)
	{
		const char *name = json_string_value(json_object_get(cl, "name"));
		double *yk = y + ns * n, tot = 0;
		if (!name || !strcmp(name, "shim")) /* not the program's */
			continue;
		json_array_foreach(bins, i, b)
		{
			json_t *v = json_object_get(json_object_get(b, "by_class"), name);
			yk[i] = json_is_number(v) ? json_number_value(v) : 0;
			tot += yk[i];
		}
		if (tot > 0)
			s[ns++] =
			    (struct fl_svg_series){json_string_value(json_object_get(cl, "title")),
						   yk, k < FC_N ? fclass_color[k] : NULL, 0};
	}
	ch.nseries = ns;
	snprintf(id, sizeof(id), "faults-%d", idx);
	html_figure_open(c, "Page faults over time, stacked by class (from the fault samples)");
	fl_svg_stacked_area(c->f, &ch);
	fputs("</figure>\n", c->f);
	html_chart_table(c, &ch);
	free(x);
	free(y);
	free(s);
}

/* Whether a row of the series holds several ticks (a long run's, merged). */
static int rows_merged(json_t *rows)
{
	json_t *e;
	size_t i;
	json_array_foreach(rows, i, e) if (json_object_get(e, "ticks")) return 1;
	return 0;
}

/* Without fault samples: the counters' minor and major faults per tick (per
 * row of merged ticks in a long run). */
static void ticks_chart(struct html_ctx *c, const struct fl_proc *p, json_t *fp, int idx)
{
	json_t *ticks = json_object_get(fp, "per_tick"), *e;
	size_t n = json_array_size(ticks), i;
	int merged = rows_merged(ticks);
	double *x = fl_xcalloc(n + 1, sizeof(double)), *mi = fl_xcalloc(n + 1, sizeof(double));
	double *ma = fl_xcalloc(n + 1, sizeof(double));
	struct fl_svg_series s[2] = {{"minor faults", mi, NULL, 0}, {"major faults", ma, NULL, 0}};
	char id[32];
	struct fl_svg_chart ch = {id,
				  merged ? "Page faults over time" : "Page faults per tick",
				  "time since the trace started",
				  merged ? "faults per interval (ticks merged)" : "faults per tick",
				  FL_UNIT_SECONDS,
				  FL_UNIT_COUNT,
				  x,
				  n,
				  s,
				  2,
				  NULL,
				  0,
				  FL_SCALE_LINEAR};
	json_array_foreach(ticks, i, e)
	{
		json_t *vmin = json_object_get(e, "minor"), *vmaj = json_object_get(e, "major");
		x[i] = html_xsec(c, p, (uint64_t)json_integer_value(json_object_get(e, "t")));
		mi[i] = json_is_integer(vmin) ? (double)json_integer_value(vmin) : NAN;
		ma[i] = json_is_integer(vmaj) ? (double)json_integer_value(vmaj) : NAN;
	}
	snprintf(id, sizeof(id), "faults-%d", idx);
	html_figure_open(c, merged ? "Page faults over time, minor and major, adjacent ticks "
				     "merged (counters; no fault samples were recorded, so there "
				     "are no classes)"
				   : "Page faults per tick, minor and major (counters; no fault "
				     "samples were recorded, so there are no classes)");
	fl_svg_stacked_area(c->f, &ch);
	fputs("</figure>\n", c->f);
	html_chart_table(c, &ch);
	free(x);
	free(mi);
	free(ma);
}

void html_faults_chart(struct html_ctx *c, const struct fl_proc *p, int idx)
{
	json_t *fp = proc_entry(c, "faults", p);
	if (!fp)
		fputs("<p class=\"note\">No fault figures for this process (the faults section "
		      "is not in this report).</p>\n",
		      c->f);
	else if (json_integer_value(json_object_get(fp, "samples")) > 0)
		classes_chart(c, p, fp, idx);
	else
		ticks_chart(c, p, fp, idx);
}

/* ---- region x time heatmaps: the regions section ---- */

/* The heatmap of one cell matrix of the regions entry at index pos, with its table. */
static void heatmap(struct html_ctx *c, struct fl_svg_heatmap *h, long pos, const char *key,
		    const char *caption)
{
	json_t *cells = json_object_get(
		   json_array_get(json_object_get(html_section(c, "regions"), "processes"),
				  (size_t)pos),
		   key),
	       *row, *v;
	json_t *path =
	    json_pack("[s,s,s,I,s]", "sections", "regions", "processes", (json_int_t)pos, key);
	double *d = fl_xcalloc(h->nrows * h->ncols + 1, sizeof(double));
	size_t r, j;
	json_array_foreach(cells, r, row)
	{
		json_array_foreach(row, j, v)
		{
			if (r < h->nrows && j < h->ncols)
				d[r * h->ncols + j] =
				    json_is_number(v) ? json_number_value(v) : NAN;
		}
	}
	h->cells = d;
	html_figure_open(c, caption);
	fl_svg_heatmap(c->f, h);
	fputs("</figure>\n", c->f);
	html_heatmap_table(c, h, cells, path);
	json_decref(path);
	free(d);
}

void html_heatmaps(struct html_ctx *c, const struct fl_proc *p, int idx)
{
	long pos = proc_index(c, "regions", p);
	json_t *e = proc_entry(c, "regions", p), *v;
	json_t *rows = json_object_get(e, "rows"), *edges = json_object_get(e, "bin_edges");
	size_t nrows = json_array_size(rows), ncols = json_array_size(edges), i;
	const char **labels = fl_xcalloc(nrows + 1, sizeof(*labels));
	double *x = fl_xcalloc(ncols + 1, sizeof(double));
	char id[32];
	struct fl_svg_heatmap h = {id,
				   "Faults by region over time",
				   labels,
				   nrows,
				   x,
				   ncols ? ncols - 1 : 0,
				   NULL,
				   FL_UNIT_SECONDS,
				   FL_UNIT_COUNT,
				   "time since the trace started",
				   "faults",
				   "#d55e00"};
	json_array_foreach(rows, i, v) labels[i] = json_string_value(json_object_get(v, "label"));
	json_array_foreach(edges, i, v) x[i] = html_xsec(c, p, (uint64_t)json_integer_value(v));
	if (nrows == 0 || ncols < 2) {
		fputs("<p class=\"note\">No faults or resident pages were recorded for this "
		      "process.</p>\n",
		      c->f);
		goto out;
	}
	if (json_is_array(json_object_get(e, "faults"))) {
		snprintf(id, sizeof(id), "heat-faults-%d", idx);
		heatmap(c, &h, pos, "faults",
			"Page faults by region (rows: the VMAs, in address order) and time");
	}
	if (json_is_array(json_object_get(e, "resident"))) {
		snprintf(id, sizeof(id), "heat-res-%d", idx);
		h.title = "Resident pages by region over time";
		h.v_unit = FL_UNIT_PAGES;
		h.v_label = "resident pages";
		h.color = "#0072b2";
		heatmap(c, &h, pos, "resident", "Resident pages by region and time (pagemap)");
	} else {
		fputs("<p class=\"note\">No residency snapshots in this trace (pagemap probe "
		      "off).</p>\n",
		      c->f);
	}
out:
	free(labels);
	free(x);
}
/* ---- copy-on-write sharing over time ---- */

static int is_forked(const struct fl_proc *p)
{
	return p->link == FL_LINK_FORK || p->link == FL_LINK_VFORK || p->link == FL_LINK_CLONE;
}

/* The cow section's sharing decay for this child (report_cow.c), or NULL. */
static json_t *cow_over_time(const struct html_ctx *c, const struct fl_proc *kid)
{
	json_t *forks = json_object_get(
		   json_object_get(json_object_get(c->report, "sections"), "cow"), "forks"),
	       *f;
	size_t i;
	json_array_foreach(forks, i, f)
	{
		json_t *ot = json_object_get(f, "over_time");
		if (json_integer_value(json_object_get(f, "child_pid")) == kid->pid &&
		    json_is_array(ot) && json_array_size(ot))
			return ot;
	}
	return NULL;
}

static double json_shared_at(const struct html_ctx *c, const struct fl_proc *kid, json_t *ot,
			     double when)
{
	json_t *e, *best = NULL;
	size_t i;
	if (when > html_xsec(c, kid, kid->end_t) + 1e-9)
		return NAN;
	json_array_foreach(
	    ot, i,
	    e) if (html_xsec(c, kid, (uint64_t)json_integer_value(json_object_get(e, "t"))) <=
		   when + 1e-9) best = e;
	e = best ? json_object_get(best, "child_shared") : NULL;
	return json_is_integer(e) ? (double)json_integer_value(e) * (double)page_size(kid) : NAN;
}

/* The children the cow section found: real forks, with their decay. */
static size_t cow_children(struct html_ctx *c, const struct fl_proc *kids[MAX_COW])
{
	size_t nk = 0;
	for (size_t i = 0; i < c->m->nprocs && nk < MAX_COW; i++) {
		const struct fl_proc *p = c->m->procs[i];
		if (is_forked(p) && fl_report_selected(c->o, p) && cow_over_time(c, p))
			kids[nk++] = p;
	}
	return nk;
}

void html_cow_chart(struct html_ctx *c)
{
	const struct fl_proc *kids[MAX_COW];
	size_t nk = 0, n = MAX_BINS;
	double lo = INFINITY, hi = -INFINITY, x[MAX_BINS], y[MAX_COW][MAX_BINS];
	struct fl_svg_series s[MAX_COW];
	char names[MAX_COW][48];
	struct fl_svg_chart ch = {"cow",
				  "Pages still shared after fork, per child",
				  "time since the trace started",
				  "bytes shared",
				  FL_UNIT_SECONDS,
				  FL_UNIT_BYTES,
				  x,
				  n,
				  s,
				  0,
				  NULL,
				  0,
				  FL_SCALE_LINEAR};

	nk = cow_children(c, kids);
	fputs("<section id=\"cow\"><h2>Copy-on-write after fork</h2>\n", c->f);
	if (nk == 0) {
		fputs(
		    "<p class=\"note\">No forked child shared pages with its parent in this trace "
		    "(no fork, fork followed at once by exec, or the cow section is not in this "
		    "report).</p></section>\n",
		    c->f);
		return;
	}
	for (size_t k = 0; k < nk; k++) {
		lo = fmin(lo, html_xsec(c, kids[k], 0));
		hi = fmax(hi, html_xsec(c, kids[k], kids[k]->end_t));
	}
	if (!(hi > lo))
		hi = lo + 1e-3;
	for (size_t j = 0; j < n; j++)
		x[j] = lo + (hi - lo) * (double)j / (double)(n - 1);
	for (size_t k = 0; k < nk; k++) {
		json_t *ot = cow_over_time(c, kids[k]);
		for (size_t j = 0; j < n; j++)
			y[k][j] = json_shared_at(c, kids[k], ot, x[j]);
		snprintf(names[k], sizeof(names[k]), "child %d (parent %d)", kids[k]->pid,
			 kids[k]->ppid);
		s[k] = (struct fl_svg_series){names[k], y[k], NULL, 0};
	}
	ch.nseries = nk;
	fputs("<p>After fork() parent and child share every private page read-only; the first "
	      "write to a page on either side copies it. The lines fall as pages are copied.</p>\n",
	      c->f);
	html_figure_open(c,
			 "Private pages each child still shares with its parent (pagemap: present "
			 "and not exclusively mapped)");
	fl_svg_line_chart(c->f, &ch);
	fputs("</figure>\n", c->f);
	html_chart_table(c, &ch);
	fputs("</section>\n", c->f);
}

/* ---- overcommit: reserved against touched per allocation site ---- */

struct site {
	char *label;
	double reserved, touched, touched_pct;
};

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	return x->reserved < y->reserved ? 1 : x->reserved > y->reserved ? -1 : 0;
}

/* The rows of the overcommit section (report_overcommit.c), every process. */
static size_t overcommit_sites(struct html_ctx *c, struct site **out, const char **from)
{
	json_t *procs = json_object_get(
		   json_object_get(json_object_get(c->report, "sections"), "overcommit"),
		   "processes"),
	       *pr, *row;
	size_t i, j, n = 0, cap = 0;
	*out = NULL;
	json_array_foreach(procs, i, pr)
	{
		json_t *rows = json_object_get(pr, "by_site");
		if (json_is_string(json_object_get(pr, "touched_from")))
			*from = json_string_value(json_object_get(pr, "touched_from"));
		json_array_foreach(rows, j, row)
		{
			const char *text = json_string_value(json_object_get(
			    json_object_get(json_object_get(row, "site"), "site"), "text"));
			/* the text's "via": two rows of one code location */
			const char *via = fl_report_parting_caller(rows, j, "site");
			json_t *t = json_object_get(row, "touched");
			struct site *st;
			FL_GROW(*out, cap, n + 1);
			st = &(*out)[n++];
			if (asprintf(&st->label, "%lld: %s%s%s",
				     (long long)json_integer_value(json_object_get(pr, "pid")),
				     text ? text : "unknown site", via ? " via " : "",
				     via ? via : "") < 0)
				st->label = fl_xstrdup("?");
			st->reserved = json_number_value(json_object_get(row, "reserved"));
			st->touched = json_is_number(t) ? json_number_value(t) : NAN;
			t = json_object_get(row, "touched_pct");
			st->touched_pct = json_is_number(t) ? json_number_value(t) : NAN;
		}
	}
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_site);
	return n;
}

/* The table behind the bars: the section's figures per site. */
static void sites_table(struct html_ctx *c, const struct site *sites, size_t shown)
{
	html_table_open(c, "Table: the numbers behind this chart");
	fputs("<tr><th>site</th><th>reserved</th><th>touched</th><th>touched %</th></tr>\n", c->f);
	for (size_t i = 0; i < shown; i++) {
		fputs("<tr><td>", c->f);
		html_esc(c, sites[i].label);
		fputs("</td>", c->f);
		html_num_cell(c, sites[i].reserved, FL_UNIT_BYTES);
		html_num_cell(c, sites[i].touched, FL_UNIT_BYTES);
		if (!isnan(sites[i].touched_pct))
			fprintf(c->f, "<td>%.1f%%</td></tr>\n", sites[i].touched_pct);
		else
			fputs("<td>?</td></tr>\n", c->f);
	}
	html_table_close(c);
}

void html_overcommit_chart(struct html_ctx *c)
{
	struct site *sites;
	const char *from = NULL;
	size_t n = overcommit_sites(c, &sites, &from), shown = n < MAX_SITES ? n : MAX_SITES;
	fputs("<section id=\"overcommit\"><h2>Reserved against touched, per allocation site</h2>\n",
	      c->f);
	if (shown == 0) {
		fputs("<p class=\"note\">No large allocation or anonymous mapping was recorded (or "
		      "the "
		      "overcommit section is not in this report).</p></section>\n",
		      c->f);
		free(sites);
		return;
	}
	const char **labels = fl_xcalloc(shown, sizeof(*labels));
	double *res = fl_xcalloc(shown, sizeof(double)), *tou = fl_xcalloc(shown, sizeof(double));
	for (size_t i = 0; i < shown; i++) {
		labels[i] = sites[i].label;
		res[i] = sites[i].reserved;
		tou[i] = sites[i].touched;
	}
	struct fl_svg_series s[2] = {{"reserved (asked for)", res, "#e69f00", 0},
				     {"touched (peak resident)", tou, "#0072b2", 0}};
	struct fl_svg_bars b = {"overcommit-bars",
				"Reserved against touched bytes per allocation site",
				labels,
				shown,
				s,
				2,
				FL_UNIT_BYTES,
				"bytes"};
	if (from && !strcmp(from, "fault_samples"))
		s[1].name = "touched (pages faulted in)";
	fputs("<p>malloc() and mmap() hand out address space; memory is only given page by page "
	      "when it is first touched. A long orange bar over a short blue one is a promise the "
	      "program never used. Each row is a process id and its allocating function.</p>\n",
	      c->f);
	html_figure_open(c, "Bytes reserved and bytes touched per allocation site (largest first)");
	fl_svg_bars(c->f, &b);
	fputs("</figure>\n", c->f);
	sites_table(c, sites, shown);
	fputs("</section>\n", c->f);
	for (size_t i = 0; i < n; i++)
		free(sites[i].label);
	free(labels);
	free(res);
	free(tou);
	free(sites);
}
