/*
 * The HTML report. The report sections (their findings and tables) come
 * from the report JSON, so the page says what `report --json` says; the
 * charts need series over time that the sections summarise away, and those
 * are taken from the model.
 *
 * Layout is plain HTML5 with one inline style sheet. Charts are SVG with a
 * viewBox, so they shrink with the page; tables sit in scrolling wrappers so
 * a phone never gets a page wider than its screen. No script: the page must
 * open offline, in a mail client, or from a CI artifact store that blocks
 * scripts.
 */
#include "render/render_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faultline/schema.h"
#include "reports/registry.h"
#include "analysis/fault_class.h"
#include "render/svg.h"
#include "util/xalloc.h"

#define MAX_CHART_PROCS 4 /* processes that get their own charts */
#define MAX_BINS 48
#define MAX_ROWS 24  /* heatmap rows */
#define MAX_SITES 12 /* overcommit bars */
#define MAX_COW 8    /* children in the COW chart */
#define MAX_TABLE_ROWS 50

struct ctx {
	FILE *f;
	json_t *report;
	const struct fl_model *m;
	const struct fl_report_opts *o;
	uint64_t t0; /* earliest start_realtime_ns: time 0 of every chart */
	const struct fl_proc *chart[MAX_CHART_PROCS];
	size_t nchart;
};

static void esc(struct ctx *c, const char *s)
{
	fl_svg_escape(c->f, s);
}

static double xsec(const struct ctx *c, const struct fl_proc *p, uint64_t t)
{
	return ((double)p->start_realtime_ns - (double)c->t0 + (double)t) / 1e9;
}

static const char *fmtb(char *buf, size_t n, double v)
{
	return fl_svg_format(buf, n, v, FL_UNIT_BYTES);
}

static int64_t page_size(const struct fl_proc *p)
{
	return p->page_size > 0 ? p->page_size : 4096;
}

static double rss_of(const struct fl_counters *k)
{
	double r = 0;
	if (k->rss_anon < 0 && k->rss_file < 0 && k->rss_shmem < 0)
		return NAN;
	r += k->rss_anon > 0 ? (double)k->rss_anon : 0;
	r += k->rss_file > 0 ? (double)k->rss_file : 0;
	r += k->rss_shmem > 0 ? (double)k->rss_shmem : 0;
	return r;
}

static double peak_rss(const struct fl_proc *p)
{
	double best = 0;
	for (size_t i = 0; i < p->ncounters; i++) {
		double r = rss_of(&p->counters[i]);
		if (r > best)
			best = r;
	}
	if (best == 0 && p->exit.present && p->exit.ru_maxrss_kb > 0)
		best = (double)p->exit.ru_maxrss_kb * 1024;
	return best;
}

static double peak_vsz(const struct fl_proc *p)
{
	double best = 0;
	for (size_t i = 0; i < p->ncounters; i++)
		if ((double)p->counters[i].vsz > best)
			best = (double)p->counters[i].vsz;
	return best;
}

/* Faults of a process as counted (perf, else getrusage), or -1. */
static int64_t total_faults(const struct fl_proc *p)
{
	const struct fl_counters *k = fl_proc_last_counters(p);
	if (k && k->minflt >= 0)
		return k->minflt + (k->majflt > 0 ? k->majflt : 0);
	if (k && k->ru_minflt >= 0)
		return k->ru_minflt + (k->ru_majflt > 0 ? k->ru_majflt : 0);
	if (p->exit.present && p->exit.ru_minflt >= 0)
		return p->exit.ru_minflt + (p->exit.ru_majflt > 0 ? p->exit.ru_majflt : 0);
	return -1;
}

static void argv_text(struct ctx *c, const struct fl_proc *p)
{
	size_t i;
	json_t *a;
	if (!p->argv || !json_is_array(p->argv) || json_array_size(p->argv) == 0) {
		esc(c, p->exe ? p->exe : "?");
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
		esc(c, json_is_string(a) ? json_string_value(a) : "?");
	}
}

/* ---- fault classes (report_faults.c classifies; these are the words) ---- */

#define FC_N FL_FC_COUNT

static const char *const fclass_name[FC_N] = {
    [FL_FC_ZERO_FILL] = "demand-zero first touch",
    [FL_FC_CACHE_HIT] = "page-cache hit (minor, file)",
    [FL_FC_DISK] = "read from disk (major, file)",
    [FL_FC_SWAP_IN] = "swap-in (major, anonymous)",
    [FL_FC_COW] = "copy-on-write",
    [FL_FC_STACK_GROWTH] = "stack growth",
    [FL_FC_TRACKING] = "write tracking (--wss)",
    [FL_FC_OTHER] = "other (vdso, special mappings)",
    [FL_FC_UNKNOWN] = "unknown VMA",
    [FL_FC_SHIM] = "the shim's own buffers",
};

/* One colour per class, the same in every chart. */
static const char *const fclass_color[FC_N] = {
    [FL_FC_ZERO_FILL] = "#0072b2", [FL_FC_CACHE_HIT] = "#009e73", [FL_FC_DISK] = "#d55e00",
    [FL_FC_SWAP_IN] = "#cc79a7",   [FL_FC_COW] = "#e69f00",	  [FL_FC_STACK_GROWTH] = "#56b4e9",
    [FL_FC_TRACKING] = "#999999",  [FL_FC_OTHER] = "#222222",	  [FL_FC_UNKNOWN] = "#bbbbbb",
    [FL_FC_SHIM] = "#dddddd",
};

/* The class of every fault sample of p (NULL when it has none); free() it. */
static struct fl_fault_info *classes(const struct ctx *c, const struct fl_proc *p)
{
	return p->nfaults ? fl_faults_classify(c->m, p) : NULL;
}

/* ---- residency replay: events list only the regions that changed ---- */

struct resstate {
	struct fl_res_region *r;
	size_t n, cap;
};

static void res_apply(struct resstate *st, const struct fl_residency *ev)
{
	for (size_t j = 0; j < ev->nregions; j++) {
		size_t k;
		for (k = 0; k < st->n && st->r[k].start != ev->regions[j].start; k++)
			;
		if (k == st->n) {
			FL_GROW(st->r, st->cap, st->n + 1);
			st->n++;
		}
		st->r[k] = ev->regions[j];
	}
}

static const struct fl_res_region *res_find(const struct resstate *st, uint64_t start)
{
	for (size_t k = 0; k < st->n; k++)
		if (st->r[k].start == start)
			return &st->r[k];
	return NULL;
}

/* ---- time bins ---- */

struct bins {
	size_t n;
	uint64_t t0, t1; /* trace time of p */
	double edges[MAX_BINS + 1];
};

static void bins_init(struct ctx *c, const struct fl_proc *p, struct bins *b)
{
	uint64_t step;
	b->t0 = 0;
	b->t1 = p->end_t > 0 ? p->end_t : 1;
	b->n = p->ncounters > 1 ? p->ncounters : 1;
	if (b->n > MAX_BINS)
		b->n = MAX_BINS;
	step = (b->t1 - b->t0 + b->n - 1) / b->n;
	if (step == 0)
		step = 1;
	for (size_t i = 0; i <= b->n; i++)
		b->edges[i] = xsec(c, p, b->t0 + step * i);
	b->t1 = b->t0 + step * b->n;
}

static size_t bin_of(const struct bins *b, uint64_t t)
{
	size_t i;
	if (t <= b->t0)
		return 0;
	i = (size_t)((t - b->t0) * b->n / (b->t1 - b->t0));
	return i < b->n ? i : b->n - 1;
}

/* ---- tables behind the charts ---- */

static void table_open(struct ctx *c, const char *caption)
{
	fputs("<details class=\"data\"><summary>", c->f);
	esc(c, caption);
	fputs("</summary><div class=\"scroll\"><table>\n", c->f);
}

static void table_close(struct ctx *c)
{
	fputs("</table></div></details>\n", c->f);
}

/* A number in human units, with the exact value in the title. */
static void num_cell(struct ctx *c, double v, enum fl_unit u)
{
	char buf[64];
	if (isnan(v))
		fputs("<td>?</td>", c->f);
	else
		fprintf(c->f, "<td title=\"%.0f\">%s</td>", v,
			fl_svg_format(buf, sizeof(buf), v, u));
}

static void chart_table(struct ctx *c, const struct fl_svg_chart *ch)
{
	char buf[64];
	size_t step = ch->n > MAX_TABLE_ROWS ? (ch->n + MAX_TABLE_ROWS - 1) / MAX_TABLE_ROWS : 1;
	table_open(c, "Table: the numbers behind this chart");
	fputs("<tr><th>", c->f);
	esc(c, ch->x_label);
	fputs("</th>", c->f);
	for (size_t s = 0; s < ch->nseries; s++) {
		fputs("<th>", c->f);
		esc(c, ch->series[s].name);
		fputs("</th>", c->f);
	}
	fputs("</tr>\n", c->f);
	for (size_t i = 0; i < ch->n; i += step) {
		fprintf(c->f, "<tr><td>%s</td>",
			fl_svg_format(buf, sizeof(buf), ch->x[i], ch->x_unit));
		for (size_t s = 0; s < ch->nseries; s++)
			num_cell(c, ch->series[s].y[i], ch->y_unit);
		fputs("</tr>\n", c->f);
	}
	for (size_t h = 0; h < ch->nhlines; h++) {
		fputs("<tr class=\"ref\"><td>", c->f);
		esc(c, ch->hlines[h].name);
		fprintf(c->f, "</td><td colspan=\"%zu\" title=\"%.0f\">%s</td></tr>\n",
			ch->nseries ? ch->nseries : 1, ch->hlines[h].y,
			fl_svg_format(buf, sizeof(buf), ch->hlines[h].y, ch->y_unit));
	}
	table_close(c);
}

static void heatmap_table(struct ctx *c, const struct fl_svg_heatmap *h)
{
	char buf[64];
	table_open(c, "Table: the numbers behind this heatmap");
	fputs("<tr><th>region</th>", c->f);
	for (size_t j = 0; j < h->ncols; j++)
		fprintf(c->f, "<th>%s</th>",
			fl_svg_format(buf, sizeof(buf), h->x_edges[j], h->x_unit));
	fputs("</tr>\n", c->f);
	for (size_t r = 0; r < h->nrows; r++) {
		fputs("<tr><th class=\"row\">", c->f);
		esc(c, h->rows[r]);
		fputs("</th>", c->f);
		for (size_t j = 0; j < h->ncols; j++)
			num_cell(c, h->cells[r * h->ncols + j], h->v_unit);
		fputs("</tr>\n", c->f);
	}
	table_close(c);
}

static void figure_open(struct ctx *c, const char *caption)
{
	fputs("<figure>\n<figcaption>", c->f);
	esc(c, caption);
	fputs("</figcaption>\n", c->f);
}

static void proc_heading(struct ctx *c, const struct fl_proc *p)
{
	fprintf(c->f, "<h3>process %d: <code>", p->pid);
	argv_text(c, p);
	fputs("</code></h3>\n", c->f);
}

/* ---- memory over time ---- */

enum wss_method { WSS_NONE, WSS_UFFD, WSS_REFERENCED, WSS_FAULTS };

static enum wss_method wss_method(const struct fl_proc *p)
{
	if (p->nwss)
		return WSS_UFFD;
	for (size_t i = 0; i < p->nresidency; i++)
		for (size_t j = 0; j < p->residency[i].nregions; j++)
			if (p->residency[i].regions[j].referenced >= 0)
				return WSS_REFERENCED;
	return p->nfaults ? WSS_FAULTS : WSS_NONE;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Distinct pages faulted in (t0, t1], scaled by the sampling period. */
static double faulted_pages(const struct fl_proc *p, uint64_t t0, uint64_t t1, uint64_t **tmp,
			    size_t *cap)
{
	size_t n = 0, distinct = 0;
	uint64_t ps = (uint64_t)page_size(p);
	for (size_t i = 0; i < p->nfaults; i++) {
		if (p->faults[i].t <= t0 || p->faults[i].t > t1)
			continue;
		FL_GROW(*tmp, *cap, n + 1);
		(*tmp)[n++] = p->faults[i].addr / ps;
	}
	if (n > 1) /* *tmp is NULL while nothing was collected */
		qsort(*tmp, n, sizeof(**tmp), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || (*tmp)[i] != (*tmp)[i - 1])
			distinct++;
	return (double)distinct * (double)(p->faults_period ? p->faults_period : 1);
}

/* Working-set bytes in the tick ending at counters[i], by method m. */
static double wss_at(const struct fl_proc *p, size_t i, enum wss_method m, uint64_t **tmp,
		     size_t *cap)
{
	uint64_t t1 = p->counters[i].t, t0 = i ? p->counters[i - 1].t : 0;
	double ps = (double)page_size(p), sum = NAN;
	switch (m) {
	case WSS_UFFD:
		for (size_t k = 0; k < p->nwss; k++)
			if (p->wss[k].t > t0 && p->wss[k].t <= t1 && p->wss[k].written >= 0)
				sum = (isnan(sum) ? 0 : sum) + (double)p->wss[k].written * ps;
		return sum;
	case WSS_REFERENCED:
		for (size_t k = 0; k < p->nresidency; k++) {
			const struct fl_residency *r = &p->residency[k];
			if (r->t <= t0 || r->t > t1)
				continue;
			sum = 0;
			for (size_t j = 0; j < r->nregions; j++)
				if (r->regions[j].referenced > 0)
					sum += (double)r->regions[j].referenced * ps;
		}
		return sum;
	case WSS_FAULTS:
		return faulted_pages(p, t0, t1, tmp, cap) * ps;
	default:
		return NAN;
	}
}

static const char *wss_name(enum wss_method m)
{
	switch (m) {
	case WSS_UFFD:
		return "working set: pages written per tick (uffd-wp)";
	case WSS_REFERENCED:
		return "working set: pages referenced per tick (accessed bit)";
	case WSS_FAULTS:
		return "pages first touched per tick (fault samples)";
	default:
		return "working set";
	}
}

static const char *wss_how(enum wss_method m)
{
	switch (m) {
	case WSS_UFFD:
		return "pages written, from uffd write-protect";
	case WSS_REFERENCED:
		return "pages referenced, from the accessed bit";
	default:
		return "pages first touched, from the fault samples";
	}
}

static size_t ref_lines(const struct fl_proc *p, struct fl_svg_hline *h)
{
	size_t n = 0;
	int64_t e4 = p->tlb.l2_4k > p->tlb.l1d_4k ? p->tlb.l2_4k : p->tlb.l1d_4k;
	int64_t e2 = p->tlb.l2_2m > p->tlb.l1d_2m ? p->tlb.l2_2m : p->tlb.l1d_2m;
	if (e4 > 0)
		h[n++] =
		    (struct fl_svg_hline){"dTLB reach, 4 KiB pages", (double)e4 * 4096, "#6a3d9a"};
	if (e2 > 0)
		h[n++] = (struct fl_svg_hline){"dTLB reach, 2 MiB pages", (double)e2 * 2097152,
					       "#b15928"};
	if (p->mem_total > 0)
		h[n++] = (struct fl_svg_hline){"RAM", (double)p->mem_total, "#cc0000"};
	return n;
}

/* This process's entry of the ws section (report_ws.c), or NULL. */
static json_t *ws_json(const struct ctx *c, const struct fl_proc *p)
{
	json_t *procs = json_object_get(
		   json_object_get(json_object_get(c->report, "sections"), "ws"), "processes"),
	       *e;
	size_t i;
	json_array_foreach(procs, i, e)
	{
		const char *exe = json_string_value(json_object_get(e, "exe"));
		if (json_integer_value(json_object_get(e, "pid")) == p->pid &&
		    (!exe || !p->exe || !strcmp(exe, p->exe)))
			return e;
	}
	return NULL;
}

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

static void memory_chart(struct ctx *c, const struct fl_proc *p, int idx)
{
	json_t *ws = ws_json(c, p);
	const char *method = ws ? json_string_value(json_object_get(ws, "peak_method")) : NULL;
	size_t n = p->ncounters, cap = 0;
	double *x = fl_xcalloc(n, sizeof(double)), *rss = fl_xcalloc(n, sizeof(double));
	double *vsz = fl_xcalloc(n, sizeof(double)), *wss = fl_xcalloc(n, sizeof(double));
	uint64_t *tmp = NULL;
	enum wss_method m = wss_method(p);
	struct fl_svg_series s[3] = {
	    {"RSS (resident)", rss, "#0072b2", 0},
	    {"virtual size", vsz, "#e69f00", 0},
	    {wss_name(m), wss, "#009e73", 0},
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
				  m == WSS_NONE ? 2 : 3,
				  h,
				  ws ? ws_ref_lines(ws, h) : ref_lines(p, h),
				  FL_SCALE_AUTO};
	if (method) {
		s[2].name = ws_method_name(method);
		ch.nseries = 3;
	}
	for (size_t i = 0; i < n; i++) {
		x[i] = xsec(c, p, p->counters[i].t);
		rss[i] = rss_of(&p->counters[i]);
		vsz[i] = p->counters[i].vsz >= 0 ? (double)p->counters[i].vsz : NAN;
		wss[i] = method ? ws_window(ws, method, i ? p->counters[i - 1].t : 0,
					    p->counters[i].t, (double)page_size(p))
				: wss_at(p, i, m, &tmp, &cap);
	}
	snprintf(id, sizeof(id), "mem-%d", idx);
	figure_open(c, "RSS, virtual size and working set over time, against the dTLB reach "
		       "and RAM (a log scale when RAM dwarfs the program)");
	fl_svg_line_chart(c->f, &ch);
	fputs("</figure>\n", c->f);
	chart_table(c, &ch);
	free(x);
	free(rss);
	free(vsz);
	free(wss);
	free(tmp);
}

/* ---- faults over time ---- */

static void faults_chart(struct ctx *c, const struct fl_proc *p, int idx)
{
	struct bins b;
	double x[MAX_BINS], y[FC_N][MAX_BINS];
	struct fl_svg_series s[FC_N];
	size_t ns = 0;
	double w = (double)(p->faults_period ? p->faults_period : 1);
	char id[32];
	struct fl_svg_chart ch = {id,
				  "Page faults over time by class",
				  "time since the trace started",
				  "faults per interval",
				  FL_UNIT_SECONDS,
				  FL_UNIT_COUNT,
				  x,
				  0,
				  s,
				  0,
				  NULL,
				  0,
				  FL_SCALE_LINEAR};

	struct fl_fault_info *fi = classes(c, p);
	bins_init(c, p, &b);
	memset(y, 0, sizeof(y));
	for (size_t i = 0; fi && i < p->nfaults; i++)
		if (fi[i].cls < FC_N && fi[i].cls != FL_FC_SHIM) /* not the program's */
			y[fi[i].cls][bin_of(&b, p->faults[i].t)] += w;
	free(fi);
	for (size_t j = 0; j < b.n; j++)
		x[j] = (b.edges[j] + b.edges[j + 1]) / 2;
	for (int k = 0; k < FC_N; k++) {
		double tot = 0;
		for (size_t j = 0; j < b.n; j++)
			tot += y[k][j];
		if (tot > 0)
			s[ns++] = (struct fl_svg_series){fclass_name[k], y[k], fclass_color[k], 0};
	}
	snprintf(id, sizeof(id), "faults-%d", idx);
	ch.n = b.n;
	ch.nseries = ns;
	figure_open(c, "Page faults over time, stacked by class (from the fault samples)");
	fl_svg_stacked_area(c->f, &ch);
	fputs("</figure>\n", c->f);
	chart_table(c, &ch);
}

/* Without fault samples: minor and major faults per tick from the counters. */
static void fault_counts_chart(struct ctx *c, const struct fl_proc *p, int idx)
{
	size_t n = p->ncounters;
	double *x = fl_xcalloc(n, sizeof(double)), *mi = fl_xcalloc(n, sizeof(double));
	double *ma = fl_xcalloc(n, sizeof(double));
	struct fl_svg_series s[2] = {{"minor faults", mi, NULL, 0}, {"major faults", ma, NULL, 0}};
	char id[32];
	struct fl_svg_chart ch = {id,
				  "Page faults per tick",
				  "time since the trace started",
				  "faults per tick",
				  FL_UNIT_SECONDS,
				  FL_UNIT_COUNT,
				  x,
				  n,
				  s,
				  2,
				  NULL,
				  0,
				  FL_SCALE_LINEAR};
	int64_t pmi = 0, pma = 0;
	for (size_t i = 0; i < n; i++) {
		const struct fl_counters *k = &p->counters[i];
		int64_t cmi = k->minflt >= 0 ? k->minflt : k->ru_minflt;
		int64_t cma = k->majflt >= 0 ? k->majflt : k->ru_majflt;
		x[i] = xsec(c, p, k->t);
		mi[i] = cmi >= 0 ? (double)(cmi - pmi) : NAN;
		ma[i] = cma >= 0 ? (double)(cma - pma) : NAN;
		pmi = cmi >= 0 ? cmi : pmi;
		pma = cma >= 0 ? cma : pma;
	}
	snprintf(id, sizeof(id), "faults-%d", idx);
	figure_open(c, "Page faults per tick, minor and major (counters; no fault samples were "
		       "recorded, so there are no classes)");
	fl_svg_stacked_area(c->f, &ch);
	fputs("</figure>\n", c->f);
	chart_table(c, &ch);
	free(x);
	free(mi);
	free(ma);
}

/* ---- region x time heatmaps ---- */

struct row {
	uint64_t start, end;
	char *label;
	double faults, maxres;
};

static struct row *row_find(struct row **rows, size_t *n, size_t *cap, const struct fl_vma *v)
{
	char sz[32];
	for (size_t i = 0; i < *n; i++)
		if ((*rows)[i].start == v->start)
			return &(*rows)[i];
	FL_GROW(*rows, *cap, *n + 1);
	struct row *r = &(*rows)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->start = v->start;
	r->end = v->end;
	fmtb(sz, sizeof(sz), (double)(v->end - v->start));
	if (v->path && *v->path) {
		const char *base = strrchr(v->path, '/');
		if (asprintf(&r->label, "%s %.4s", base && base[1] ? base + 1 : v->path, v->perms) <
		    0)
			r->label = NULL;
	} else if (asprintf(&r->label, "anon %s %.4s %llx", sz, v->perms,
			    (unsigned long long)v->start) < 0) {
		r->label = NULL;
	}
	if (!r->label)
		r->label = fl_xstrdup("?");
	return r;
}

static int cmp_row_score(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double sx = x->faults + x->maxres, sy = y->faults + y->maxres;
	return sx < sy ? 1 : sx > sy ? -1 : 0;
}

static int cmp_row_start(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void heatmaps(struct ctx *c, const struct fl_proc *p, int idx)
{
	struct row *rows = NULL;
	size_t nrows = 0, cap = 0;
	struct bins b;
	double w = (double)(p->faults_period ? p->faults_period : 1);
	char id[32];

	bins_init(c, p, &b);
	/* rows: every program VMA of every snapshot, plus where faults landed */
	for (size_t i = 0; i < p->nmaps; i++)
		for (size_t j = 0; j < p->maps[i].nvmas; j++) {
			const struct fl_vma *v = &p->maps[i].vmas[j];
			if (!fl_maps_is_shim(&p->maps[i], v->start, v->end) &&
			    v->kind != FL_VMA_SHIM)
				row_find(&rows, &nrows, &cap, v);
		}
	for (size_t i = 0; i < p->nfaults; i++) {
		struct fl_vma v;
		if (fl_proc_vma_at(p, p->faults[i].addr, p->faults[i].t, &v) == 0 &&
		    v.kind != FL_VMA_SHIM)
			row_find(&rows, &nrows, &cap, &v)->faults += w;
	}
	for (size_t i = 0; i < p->nresidency; i++)
		for (size_t j = 0; j < p->residency[i].nregions; j++)
			for (size_t r = 0; r < nrows; r++)
				if (rows[r].start == p->residency[i].regions[j].start &&
				    (double)p->residency[i].regions[j].present > rows[r].maxres)
					rows[r].maxres = (double)p->residency[i].regions[j].present;
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), cmp_row_score);
	{
		size_t keep = 0;
		while (keep < nrows && keep < MAX_ROWS && rows[keep].faults + rows[keep].maxres > 0)
			keep++;
		for (size_t r = keep; r < nrows; r++)
			free(rows[r].label);
		nrows = keep;
	}
	if (nrows == 0) {
		fputs("<p class=\"note\">No faults or resident pages were recorded for this "
		      "process.</p>\n",
		      c->f);
		free(rows);
		return;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row_start);

	const char **labels = fl_xcalloc(nrows, sizeof(*labels));
	double *cells = fl_xcalloc(nrows * b.n, sizeof(double));
	for (size_t r = 0; r < nrows; r++)
		labels[r] = rows[r].label;
	struct fl_svg_heatmap h = {id,
				   "Faults by region over time",
				   labels,
				   nrows,
				   b.edges,
				   b.n,
				   cells,
				   FL_UNIT_SECONDS,
				   FL_UNIT_COUNT,
				   "time since the trace started",
				   "faults",
				   "#d55e00"};

	if (p->nfaults) {
		for (size_t i = 0; i < p->nfaults; i++) {
			struct fl_vma v;
			if (fl_proc_vma_at(p, p->faults[i].addr, p->faults[i].t, &v) != 0)
				continue;
			for (size_t r = 0; r < nrows; r++)
				if (rows[r].start == v.start)
					cells[r * b.n + bin_of(&b, p->faults[i].t)] += w;
		}
		snprintf(id, sizeof(id), "heat-faults-%d", idx);
		figure_open(c, "Page faults by region (rows: the VMAs, in address order) and time");
		fl_svg_heatmap(c->f, &h);
		fputs("</figure>\n", c->f);
		heatmap_table(c, &h);
	}
	if (p->nresidency) {
		struct resstate st = {NULL, 0, 0};
		size_t k = 0;
		for (size_t j = 0; j < b.n; j++) {
			uint64_t tend = b.t0 + (b.t1 - b.t0) * (j + 1) / b.n;
			while (k < p->nresidency && p->residency[k].t <= tend)
				res_apply(&st, &p->residency[k++]);
			for (size_t r = 0; r < nrows; r++) {
				const struct fl_res_region *g = res_find(&st, rows[r].start);
				cells[r * b.n + j] =
				    g && g->present >= 0 ? (double)g->present : NAN;
			}
		}
		free(st.r);
		snprintf(id, sizeof(id), "heat-res-%d", idx);
		h.title = "Resident pages by region over time";
		h.v_unit = FL_UNIT_PAGES;
		h.v_label = "resident pages";
		h.color = "#0072b2";
		figure_open(c, "Resident pages by region and time (pagemap)");
		fl_svg_heatmap(c->f, &h);
		fputs("</figure>\n", c->f);
		heatmap_table(c, &h);
	} else {
		fputs("<p class=\"note\">No residency snapshots in this trace (pagemap probe "
		      "off).</p>\n",
		      c->f);
	}
	for (size_t r = 0; r < nrows; r++)
		free(rows[r].label);
	free(rows);
	free(labels);
	free(cells);
}

/* ---- copy-on-write sharing over time ---- */

static int is_forked(const struct fl_proc *p)
{
	return p->link == FL_LINK_FORK || p->link == FL_LINK_VFORK || p->link == FL_LINK_CLONE;
}

/* Bytes of p still shared with its fork partner at time `when`, NaN outside its life. */
static double shared_at(const struct ctx *c, const struct fl_proc *p, double when)
{
	struct resstate st = {NULL, 0, 0};
	double sum = 0;
	for (size_t i = 0; i < p->nresidency && xsec(c, p, p->residency[i].t) <= when + 1e-9; i++)
		res_apply(&st, &p->residency[i]);
	if (!st.n || when > xsec(c, p, p->end_t) + 1e-9) {
		free(st.r);
		return NAN;
	}
	for (size_t j = 0; j < st.n; j++)
		if (st.r[j].anon_shared > 0)
			sum += (double)st.r[j].anon_shared;
	free(st.r);
	return sum * (double)page_size(p);
}

/* The cow section's sharing decay for this child (report_cow.c), or NULL. */
static json_t *cow_over_time(const struct ctx *c, const struct fl_proc *kid)
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

static double json_shared_at(const struct ctx *c, const struct fl_proc *kid, json_t *ot,
			     double when)
{
	json_t *e, *best = NULL;
	size_t i;
	if (when > xsec(c, kid, kid->end_t) + 1e-9)
		return NAN;
	json_array_foreach(
	    ot, i, e) if (xsec(c, kid, (uint64_t)json_integer_value(json_object_get(e, "t"))) <=
			  when + 1e-9) best = e;
	e = best ? json_object_get(best, "child_shared") : NULL;
	return json_is_integer(e) ? (double)json_integer_value(e) * (double)page_size(kid) : NAN;
}

static int has_cow_section(const struct ctx *c)
{
	return json_array_size(json_object_get(
		   json_object_get(json_object_get(c->report, "sections"), "cow"), "forks")) > 0;
}

static int ever_shared(const struct fl_proc *p)
{
	for (size_t i = 0; i < p->nresidency; i++)
		for (size_t j = 0; j < p->residency[i].nregions; j++)
			if (p->residency[i].regions[j].anon_shared > 0)
				return 1;
	return 0;
}

static void cow_chart(struct ctx *c)
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

	/* The children the cow section found (real forks, with their decay);
	 * without that section, every forked image that ever shared a page. */
	for (size_t i = 0; i < c->m->nprocs && nk < MAX_COW; i++) {
		const struct fl_proc *p = c->m->procs[i];
		if (!is_forked(p) || !p->nresidency || !fl_report_selected(c->o, p))
			continue;
		if (cow_over_time(c, p) || (!has_cow_section(c) && ever_shared(p)))
			kids[nk++] = p;
	}
	fputs("<section id=\"cow\"><h2>Copy-on-write after fork</h2>\n", c->f);
	if (nk == 0) {
		fputs(
		    "<p class=\"note\">No forked child shared pages with its parent in this trace "
		    "(no fork, or fork followed at once by exec).</p></section>\n",
		    c->f);
		return;
	}
	for (size_t k = 0; k < nk; k++) {
		lo = fmin(lo, xsec(c, kids[k], 0));
		hi = fmax(hi, xsec(c, kids[k], kids[k]->end_t));
	}
	if (!(hi > lo))
		hi = lo + 1e-3;
	for (size_t j = 0; j < n; j++)
		x[j] = lo + (hi - lo) * (double)j / (double)(n - 1);
	for (size_t k = 0; k < nk; k++) {
		json_t *ot = cow_over_time(c, kids[k]);
		for (size_t j = 0; j < n; j++)
			y[k][j] =
			    ot ? json_shared_at(c, kids[k], ot, x[j]) : shared_at(c, kids[k], x[j]);
		snprintf(names[k], sizeof(names[k]), "child %d (parent %d)", kids[k]->pid,
			 kids[k]->ppid);
		s[k] = (struct fl_svg_series){names[k], y[k], NULL, 0};
	}
	ch.nseries = nk;
	fputs("<p>After fork() parent and child share every private page read-only; the first "
	      "write to a page on either side copies it. The lines fall as pages are copied.</p>\n",
	      c->f);
	figure_open(c, "Private pages each child still shares with its parent (pagemap: present "
		       "and not exclusively mapped)");
	fl_svg_line_chart(c->f, &ch);
	fputs("</figure>\n", c->f);
	chart_table(c, &ch);
	fputs("</section>\n", c->f);
}

/* ---- overcommit: reserved against touched per allocation site ---- */

struct site {
	char *label;
	double reserved, touched;
};

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	return x->reserved < y->reserved ? 1 : x->reserved > y->reserved ? -1 : 0;
}

/* The rows of the overcommit section (report_overcommit.c), every process. */
static size_t overcommit_sites(struct ctx *c, struct site **out, const char **from)
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
			json_t *t = json_object_get(row, "touched");
			struct site *st;
			FL_GROW(*out, cap, n + 1);
			st = &(*out)[n++];
			if (asprintf(&st->label, "%lld: %s",
				     (long long)json_integer_value(json_object_get(pr, "pid")),
				     text ? text : "unknown site") < 0)
				st->label = fl_xstrdup("?");
			st->reserved = json_number_value(json_object_get(row, "reserved"));
			st->touched = json_is_number(t) ? json_number_value(t) : NAN;
		}
	}
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_site);
	return n;
}

static void overcommit_chart(struct ctx *c)
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
	figure_open(c, "Bytes reserved and bytes touched per allocation site (largest first)");
	fl_svg_bars(c->f, &b);
	fputs("</figure>\n", c->f);
	table_open(c, "Table: the numbers behind this chart");
	fputs("<tr><th>site</th><th>reserved</th><th>touched</th><th>touched %</th></tr>\n", c->f);
	for (size_t i = 0; i < shown; i++) {
		fputs("<tr><td>", c->f);
		esc(c, labels[i]);
		fputs("</td>", c->f);
		num_cell(c, res[i], FL_UNIT_BYTES);
		num_cell(c, tou[i], FL_UNIT_BYTES);
		if (res[i] > 0 && !isnan(tou[i]))
			fprintf(c->f, "<td>%.1f%%</td></tr>\n", 100 * tou[i] / res[i]);
		else
			fputs("<td>?</td></tr>\n", c->f);
	}
	table_close(c);
	fputs("</section>\n", c->f);
	for (size_t i = 0; i < n; i++)
		free(sites[i].label);
	free(labels);
	free(res);
	free(tou);
	free(sites);
}

/* ---- process tree ---- */

static void tree_node(struct ctx *c, const struct fl_proc *p, int depth)
{
	char a[64], b[64];
	fputs("<li>", c->f);
	fprintf(c->f, "<b>%d</b> <code>", p->pid);
	argv_text(c, p);
	fputs("</code> <span class=\"dim\">", c->f);
	if (p->parent)
		fprintf(c->f, "%s at %s; ", fl_link_name((enum fl_link)p->link),
			fl_svg_format(a, sizeof(a), xsec(c, p, 0), FL_UNIT_SECONDS));
	fprintf(c->f, "ran %s, peak RSS %s",
		fl_svg_format(a, sizeof(a), (double)p->end_t / 1e9, FL_UNIT_SECONDS),
		fmtb(b, sizeof(b), peak_rss(p)));
	if (!p->exit.present)
		fputs(", no exit recorded (killed?)", c->f);
	else if (p->exit.how && !strcmp(p->exit.how, "signal"))
		fprintf(c->f, ", killed by signal %lld", (long long)p->exit.signal);
	else if (p->exit.how && !strcmp(p->exit.how, "exec"))
		fputs(", then exec", c->f);
	else if (p->exit.status >= 0)
		fprintf(c->f, ", exit %lld", (long long)p->exit.status);
	else
		fputs(", exited (status not recorded)", c->f);
	fputs("</span>", c->f);
	if (p->nchildren && depth < 32) {
		fputs("<ul>", c->f);
		for (size_t i = 0; i < p->nchildren; i++)
			tree_node(c, p->children[i], depth + 1);
		fputs("</ul>", c->f);
	}
	fputs("</li>\n", c->f);
}

static void process_tree(struct ctx *c)
{
	fputs("<section id=\"tree\"><h2>Process tree</h2>\n<ul class=\"tree\">\n", c->f);
	for (size_t i = 0; i < c->m->nroots; i++)
		tree_node(c, c->m->roots[i], 0);
	fputs("</ul></section>\n", c->f);
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

static void json_cell(struct ctx *c, const char *key, json_t *v, int depth)
{
	char buf[64];
	size_t i;
	const char *k;
	json_t *e;
	switch (json_typeof(v)) {
	case JSON_STRING:
		esc(c, json_string_value(v));
		break;
	case JSON_INTEGER:
	case JSON_REAL: {
		double d = json_number_value(v);
		if (key && ends_with(key, "_pct"))
			fprintf(c->f, "%.1f%%", d);
		else if (key && is_bytes_key(key) && d >= 0)
			fprintf(c->f, "<span title=\"%.0f\">%s</span>", d,
				fmtb(buf, sizeof(buf), d));
		else if (key && is_ns_key(key) && d >= 1e17)
			fputs(wall_clock(buf, sizeof(buf), (uint64_t)json_integer_value(v)), c->f);
		else if (key && is_ns_key(key))
			fputs(fl_svg_format(buf, sizeof(buf), d / 1e9, FL_UNIT_SECONDS), c->f);
		else if (json_is_integer(v))
			fprintf(c->f, "%lld", (long long)json_integer_value(v));
		else
			fprintf(c->f, "%.4g", d);
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
			json_cell(c, key, e, depth + 1);
		}
		break;
	case JSON_OBJECT:
		if (json_is_string(json_object_get(v, "text"))) {
			esc(c, json_string_value(json_object_get(v, "text")));
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
			esc(c, k);
			fputs(": ", c->f);
			json_cell(c, k, e, depth + 1);
		}
		break;
	}
}

/* An array of objects as a table: columns in order of first appearance. */
static void json_table(struct ctx *c, const char *name, json_t *arr)
{
	const char *cols[16];
	size_t ncols = 0, i;
	json_t *row, *v;
	const char *k;
	json_array_foreach(arr, i, row)
	{
		if (i >= 20)
			break;
		json_object_foreach(row, k, v)
		{
			size_t j;
			for (j = 0; j < ncols && strcmp(cols[j], k); j++)
				;
			if (j == ncols && ncols < 16)
				cols[ncols++] = k;
		}
	}
	fputs("<h4>", c->f);
	esc(c, name);
	fprintf(c->f, " <span class=\"dim\">(%zu)</span></h4>\n<div class=\"scroll\"><table>\n<tr>",
		json_array_size(arr));
	for (size_t j = 0; j < ncols; j++) {
		fputs("<th>", c->f);
		esc(c, cols[j]);
		fputs("</th>", c->f);
	}
	fputs("</tr>\n", c->f);
	json_array_foreach(arr, i, row)
	{
		if (i >= MAX_TABLE_ROWS) {
			fprintf(c->f, "<tr><td colspan=\"%zu\">\xe2\x80\xa6 %zu more</td></tr>\n",
				ncols, json_array_size(arr) - i);
			break;
		}
		fputs("<tr>", c->f);
		for (size_t j = 0; j < ncols; j++) {
			fputs("<td>", c->f);
			v = json_object_get(row, cols[j]);
			if (v)
				json_cell(c, cols[j], v, 1);
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

/* Scalars first as a two-column table, then nested tables and objects. */
static void json_facts(struct ctx *c, json_t *obj, int depth)
{
	const char *k;
	json_t *v;
	int open = 0;
	json_object_foreach(obj, k, v)
	{
		if (!strcmp(k, "findings") || is_table(v) ||
		    (json_is_object(v) && !json_object_get(v, "text") && !is_small(v)))
			continue;
		if (!open++)
			fputs("<div class=\"scroll\"><table class=\"facts\">\n", c->f);
		fputs("<tr><th>", c->f);
		esc(c, k);
		fputs("</th><td>", c->f);
		json_cell(c, k, v, 1);
		fputs("</td></tr>\n", c->f);
	}
	if (open)
		fputs("</table></div>\n", c->f);
	json_object_foreach(obj, k, v)
	{
		if (!strcmp(k, "findings"))
			continue;
		if (is_table(v))
			json_table(c, k, v);
		else if (json_is_object(v) && !json_object_get(v, "text") && !is_small(v) &&
			 depth < 3) {
			fputs("<h4>", c->f);
			esc(c, k);
			fputs("</h4>\n", c->f);
			json_facts(c, v, depth + 1);
		}
	}
}

static void finding_item(struct ctx *c, json_t *fi)
{
	const char *sev = json_string_value(json_object_get(fi, "severity"));
	const char *text = json_string_value(json_object_get(fi, "text"));
	const char *expl = json_string_value(json_object_get(fi, "explain"));
	const char *id = json_string_value(json_object_get(fi, "id"));
	int warn = sev && strcmp(sev, "info") != 0;
	fprintf(c->f, "<li class=\"finding %s\"><span class=\"sev\">%s</span> ",
		warn ? "warn" : "info", warn ? "warn" : "info");
	esc(c, text ? text : "");
	if (id) {
		fputs(" <span class=\"dim\">[", c->f);
		esc(c, id);
		fputs("]</span>", c->f);
	}
	if (expl && *expl) {
		fputs("<p class=\"explain\"><b>Why:</b> ", c->f);
		esc(c, expl);
		fputs("</p>", c->f);
	}
	fputs("</li>\n", c->f);
}

static void findings(struct ctx *c, json_t *sec)
{
	json_t *arr = json_object_get(sec, "findings"), *fi;
	size_t i;
	if (!json_is_array(arr) || !json_array_size(arr))
		return;
	fputs("<ul class=\"findings\">\n", c->f);
	json_array_foreach(arr, i, fi) finding_item(c, fi);
	fputs("</ul>\n", c->f);
}

static const char *section_title(const char *name)
{
	const struct fl_report_section *s = fl_report_find(name);
	return s && s->title ? s->title : name;
}

static void sections(struct ctx *c)
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
		esc(c, name);
		fputs("\"><h2>", c->f);
		esc(c, section_title(name));
		fputs("</h2>\n", c->f);
		findings(c, sec);
		json_facts(c, sec, 0);
		fputs("</section>\n", c->f);
	}
}

/* ---- the summary in plain words ---- */

static int cmp_peak(const void *a, const void *b)
{
	double x = peak_rss(*(const struct fl_proc *const *)a);
	double y = peak_rss(*(const struct fl_proc *const *)b);
	return x < y ? 1 : x > y ? -1 : 0;
}

static void pick_chart_procs(struct ctx *c)
{
	struct fl_proc **all = fl_xcalloc(c->m->nprocs + 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < c->m->nprocs; i++)
		if (c->m->procs[i]->ncounters && fl_report_selected(c->o, c->m->procs[i]))
			all[n++] = c->m->procs[i];
	qsort(all, n, sizeof(*all), cmp_peak);
	c->nchart = n < MAX_CHART_PROCS ? n : MAX_CHART_PROCS;
	for (size_t i = 0; i < c->nchart; i++)
		c->chart[i] = all[i];
	free(all);
}

static void tile(struct ctx *c, const char *label, const char *value)
{
	fputs("<div class=\"tile\"><b>", c->f);
	esc(c, value);
	fputs("</b>", c->f);
	esc(c, label);
	fputs("</div>\n", c->f);
}

static void class_shares(struct ctx *c, double *cls, double *total)
{
	*total = 0;
	memset(cls, 0, FC_N * sizeof(*cls));
	for (size_t i = 0; i < c->m->nprocs; i++) {
		const struct fl_proc *p = c->m->procs[i];
		double w = (double)(p->faults_period ? p->faults_period : 1);
		if (!fl_report_selected(c->o, p))
			continue;
		struct fl_fault_info *fi = classes(c, p);
		for (size_t j = 0; fi && j < p->nfaults; j++) {
			if (fi[j].cls >= FC_N || fi[j].cls == FL_FC_SHIM)
				continue;
			cls[fi[j].cls] += w;
			*total += w;
		}
		free(fi);
	}
}

static void summary_words(struct ctx *c, const struct fl_proc *big, double dur, int64_t faults)
{
	char a[64], b[64], d[64];
	double cls[FC_N], sampled, wss_peak = 0, reach;
	size_t cap = 0;
	uint64_t *tmp = NULL;
	enum wss_method m;

	fputs("<p>", c->f);
	if (c->m->nroots) {
		fputs("<code>", c->f);
		argv_text(c, c->m->roots[0]);
		fputs("</code> ", c->f);
	}
	fprintf(c->f, "ran for %s", fl_svg_format(a, sizeof(a), dur, FL_UNIT_SECONDS));
	if (c->m->nprocs > 1)
		fprintf(c->f, " as %zu process images", c->m->nprocs);
	fputs(".", c->f);
	if (big) {
		double rss = peak_rss(big), vsz = peak_vsz(big);
		fprintf(c->f, " The largest, process %d, had at most %s resident in RAM", big->pid,
			fmtb(a, sizeof(a), rss));
		if (vsz > 0)
			fprintf(c->f,
				" while its address space reached %s: %.0f%% of what it had "
				"reserved was ever backed by memory at once",
				fmtb(b, sizeof(b), vsz), vsz > 0 ? 100 * rss / vsz : 0);
		fputs(".", c->f);
	}
	if (faults >= 0)
		fprintf(c->f, " It took %lld page faults in all.", (long long)faults);
	fputs("</p>\n", c->f);

	class_shares(c, cls, &sampled);
	if (sampled > 0) {
		int first = 1;
		fputs("<p>What the faults were (from the fault samples): ", c->f);
		for (int k = 0; k < FC_N; k++) {
			if (cls[k] <= 0)
				continue;
			fprintf(c->f, "%s%.0f%% %s", first ? "" : ", ", 100 * cls[k] / sampled,
				fclass_name[k]);
			first = 0;
		}
		fputs(".</p>\n", c->f);
	}
	if (!big)
		return;
	m = wss_method(big);
	for (size_t i = 0; m != WSS_NONE && i < big->ncounters; i++) {
		double w = wss_at(big, i, m, &tmp, &cap);
		if (w > wss_peak)
			wss_peak = w;
	}
	free(tmp);
	reach =
	    (double)(big->tlb.l2_4k > big->tlb.l1d_4k ? big->tlb.l2_4k : big->tlb.l1d_4k) * 4096;
	if (wss_peak > 0 && reach > 0)
		fprintf(c->f,
			"<p>In its busiest tick it touched %s of pages (%s), %s the %s the dTLB "
			"can map with 4 KiB pages: %s</p>\n",
			fmtb(a, sizeof(a), wss_peak), wss_how(m),
			wss_peak > reach ? "more than" : "within", fmtb(b, sizeof(b), reach),
			wss_peak > reach ? "expect TLB misses; huge pages would multiply the reach."
					 : "address translation is cheap here.");
	if (big->mem_total > 0 && peak_rss(big) > 0)
		fprintf(c->f, "<p>Its peak RSS was %.2g%% of the machine's %s of RAM.</p>\n",
			100 * peak_rss(big) / (double)big->mem_total,
			fmtb(d, sizeof(d), (double)big->mem_total));
}

static void probes_off(struct ctx *c)
{
	const struct fl_proc *p = c->m->nroots ? c->m->roots[0] : NULL;
	int any = 0;
	if (!p)
		return;
	for (size_t i = 0; i < p->nprobes; i++) {
		if (p->probes[i].ok)
			continue;
		fputs(any++ ? ", " : "<p class=\"note\">Not measured here: ", c->f);
		fputs("<code>", c->f);
		esc(c, p->probes[i].name);
		fputs("</code>", c->f);
		if (p->probes[i].why) {
			fputs(" (", c->f);
			esc(c, p->probes[i].why);
			fputs(")", c->f);
		}
	}
	if (any)
		fputs(". Figures that need them are marked unknown, never guessed.</p>\n", c->f);
}

static void standout(struct ctx *c)
{
	json_t *secs = json_object_get(c->report, "sections"), *sec, *arr, *fi;
	const char *name;
	size_t i, n = 0;
	fputs("<h3>What stands out</h3>\n<ul class=\"findings\">\n", c->f);
	json_object_foreach(secs, name, sec)
	{
		arr = json_object_get(sec, "findings");
		json_array_foreach(arr, i, fi)
		{
			const char *sev = json_string_value(json_object_get(fi, "severity"));
			if (sev && strcmp(sev, "info") != 0) {
				finding_item(c, fi);
				n++;
			}
		}
	}
	if (!n)
		fputs("<li>No warnings: see each section below for what was measured.</li>\n",
		      c->f);
	fputs("</ul>\n", c->f);
}

static void summary(struct ctx *c)
{
	double dur = 0, vsz = 0;
	int64_t faults = -1;
	const struct fl_proc *big = c->nchart ? c->chart[0] : NULL;
	char buf[64];

	for (size_t i = 0; i < c->m->nprocs; i++) {
		const struct fl_proc *p = c->m->procs[i];
		int64_t f = total_faults(p);
		if (!fl_report_selected(c->o, p))
			continue;
		dur = fmax(dur, xsec(c, p, p->end_t));
		vsz = fmax(vsz, peak_vsz(p));
		if (f >= 0)
			faults = (faults < 0 ? 0 : faults) + f;
	}
	fputs("<section id=\"summary\"><h2>In plain words</h2>\n<div class=\"tiles\">\n", c->f);
	tile(c, "run time", fl_svg_format(buf, sizeof(buf), dur, FL_UNIT_SECONDS));
	snprintf(buf, sizeof(buf), "%zu", c->m->nprocs);
	tile(c, "processes", buf);
	tile(c, "peak RSS", big ? fmtb(buf, sizeof(buf), peak_rss(big)) : "?");
	tile(c, "peak virtual size", fmtb(buf, sizeof(buf), vsz));
	tile(c, "page faults",
	     faults >= 0 ? fl_svg_format(buf, sizeof(buf), (double)faults, FL_UNIT_COUNT) : "?");
	fputs("</div>\n", c->f);
	summary_words(c, big, dur, faults);
	probes_off(c);
	if (c->m->nerrors)
		fprintf(c->f,
			"<p class=\"note warn\">%lu lines or files of the trace could not be read; "
			"the figures leave them out.</p>\n",
			c->m->nerrors);
	standout(c);
	fputs("</section>\n", c->f);
}

/* ---- the page ---- */

static const char css[] =
    ":root{--fg:#1b1b1b;--dim:#5f6368;--card:#f3f5f8;--line:#dde1e6;--warn:#a64200;--accent:#"
    "14213d}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe "
    "UI',Roboto,sans-serif;color:var(--fg);background:#fff}\n"
    "header.top{background:var(--accent);color:#fff;padding:14px 16px}\n"
    "header.top h1{margin:0;font-size:1.4rem}\n"
    "header.top p{margin:4px 0 0;opacity:.85;overflow-wrap:anywhere}\n"
    "main{max-width:1200px;margin:0 auto;padding:0 16px 48px}\n"
    "nav ul{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:12px 0}\n"
    "nav a{color:var(--accent)}\n"
    "h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:36px}\n"
    "h3{margin:24px 0 8px;overflow-wrap:anywhere}\n"
    "figure{margin:12px 0;padding:8px;border:1px solid var(--line);border-radius:6px}\n"
    "figcaption{font-size:.9rem;color:var(--dim);margin-bottom:4px}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}\n"
    ".tile{background:var(--card);border-radius:6px;padding:8px 12px;color:var(--dim)}\n"
    ".tile b{display:block;font-size:1.35rem;color:var(--fg)}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.88rem;margin:6px 0}\n"
    "th,td{border-bottom:1px solid var(--line);padding:3px "
    "8px;text-align:left;vertical-align:top}\n"
    "td{font-variant-numeric:tabular-nums}\n"
    "th.row{font-weight:normal;white-space:nowrap}\n"
    "details.data{margin:4px 0 16px}\n"
    "details.data summary{cursor:pointer;color:var(--accent);font-size:.9rem}\n"
    "code{font-family:ui-monospace,'SFMono-Regular',Menlo,monospace;font-size:.9em;overflow-wrap:"
    "anywhere}\n"
    ".dim{color:var(--dim)}\n"
    ".note{color:var(--dim);font-style:italic}\n"
    "ul.findings{list-style:none;padding:0}\n"
    "li.finding{border-left:4px solid #6b8fb8;background:var(--card);padding:6px 10px;margin:6px "
    "0;border-radius:0 6px 6px 0}\n"
    "li.finding.warn{border-left-color:var(--warn)}\n"
    ".sev{display:inline-block;font-size:.75rem;text-transform:uppercase;font-weight:bold;color:#"
    "fff;background:#6b8fb8;border-radius:3px;padding:0 5px;margin-right:4px}\n"
    ".warn .sev{background:var(--warn)}\n"
    "p.explain{margin:4px 0 0;font-size:.92rem;color:#333}\n"
    "ul.tree,ul.tree ul{list-style:none;padding-left:18px;border-left:1px dotted #aaa}\n"
    "ul.tree{padding-left:4px;border:0}\n"
    "ul.tree li{margin:4px 0;overflow-wrap:anywhere}\n"
    "footer{color:var(--dim);font-size:.85rem;margin-top:40px}\n"
    "@media (max-width:640px){body{font-size:15px}main{padding:0 8px 32px}"
    "figure{padding:2px;margin:8px -4px}header.top h1{font-size:1.15rem}.tile "
    "b{font-size:1.1rem}}\n"
    "@media print{details.data{display:none}}\n";

static void per_process(struct ctx *c, const char *id, const char *title, int what)
{
	fprintf(c->f, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
	if (c->nchart == 0)
		fputs("<p class=\"note\">No process has counter ticks in this trace.</p>\n", c->f);
	for (size_t i = 0; i < c->nchart; i++) {
		const struct fl_proc *p = c->chart[i];
		proc_heading(c, p);
		if (what == 0)
			memory_chart(c, p, (int)i);
		else if (what == 1 && p->nfaults)
			faults_chart(c, p, (int)i);
		else if (what == 1)
			fault_counts_chart(c, p, (int)i);
		else
			heatmaps(c, p, (int)i);
	}
	fputs("</section>\n", c->f);
}

static void page_head(struct ctx *c)
{
	const char *trace = json_string_value(json_object_get(c->report, "trace"));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"faultline\">\n<title>faultline: ",
	      c->f);
	if (c->m->nroots)
		esc(c, c->m->roots[0]->exe);
	fprintf(c->f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	fputs("<header class=\"top\"><h1>faultline report</h1><p>", c->f);
	if (c->m->nroots) {
		fputs("<code>", c->f);
		argv_text(c, c->m->roots[0]);
		fputs("</code> \xc2\xb7 ", c->f);
	}
	fputs("trace <code>", c->f);
	esc(c, trace ? trace : c->m->path);
	fprintf(c->f, "</code> \xc2\xb7 %llu events</p></header>\n<main>\n",
		(unsigned long long)c->m->nevents);
	fputs(
	    "<nav><ul><li><a href=\"#summary\">summary</a></li><li><a href=\"#memory\">memory</a>"
	    "</li><li><a href=\"#faults\">faults</a></li><li><a href=\"#regions\">regions</a></li>"
	    "<li><a href=\"#cow\">copy-on-write</a></li><li><a href=\"#overcommit\">overcommit</a>"
	    "</li><li><a href=\"#tree\">processes</a></li><li><a href=\"#sections\">all sections"
	    "</a></li></ul></nav>\n",
	    c->f);
}

int fl_render_html(FILE *f, json_t *report, const struct fl_model *m,
		   const struct fl_report_opts *o)
{
	struct ctx c = {f, report, m, o, UINT64_MAX, {NULL}, 0};
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->start_realtime_ns < c.t0)
			c.t0 = m->procs[i]->start_realtime_ns;
	if (c.t0 == UINT64_MAX)
		c.t0 = 0;
	pick_chart_procs(&c);
	page_head(&c);
	summary(&c);
	per_process(&c, "memory", "Memory over time", 0);
	per_process(&c, "faults", "Page faults over time", 1);
	per_process(&c, "regions", "The address space over time", 2);
	cow_chart(&c);
	overcommit_chart(&c);
	process_tree(&c);
	fputs("<div id=\"sections\"></div>\n", f);
	sections(&c);
	fputs("<footer>Written by faultline from <code>", f);
	esc(&c, m->path);
	fputs("</code>. Times are seconds since the first process started; sizes use binary "
	      "units (1 MiB = 1,048,576 bytes).</footer>\n</main>\n</body>\n</html>\n",
	      f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
