/*
 * The regions report; see report_regions.h. Every candidate region (each
 * program VMA of each maps snapshot, and each VMA a fault sample landed in)
 * gets its cells first; the busiest are kept afterwards, so the residency
 * replay runs once per process.
 */
#include "reports/report_regions.h"

#include <stdlib.h>
#include <string.h>

#include "model/residency.h"
#include "reports/report.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define MAX_BINS 48
#define MAX_ROWS 24
#define TEXT_PROCS 4
#define TEXT_ROWS 8

/* The trace of one process cut into n bins of step ns, from time 0. */
struct bins {
	size_t n;
	uint64_t step;
};

struct region {
	uint64_t start, end;
	char *label;
	uint64_t faults;
	int64_t peak; /* peak resident pages while mapped; -1 when never seen */
	size_t cell;  /* its row in the cell arrays of all candidates */
};

struct regions {
	struct region *v;
	size_t n, cap;
	struct fl_u64map by_start; /* start -> index + 1 */
	struct bins b;
	uint64_t *faults; /* n * b.n, by candidate */
	int64_t *res;	  /* n * b.n, by candidate; -1 = not mapped or not known */
};

static void bins_init(struct bins *b, const struct fl_proc *p)
{
	uint64_t end = p->end_t > 0 ? p->end_t : 1;
	b->n = p->ncounters > 1 ? p->ncounters : 1;
	if (b->n > MAX_BINS)
		b->n = MAX_BINS;
	b->step = (end + b->n - 1) / b->n;
	if (b->step == 0)
		b->step = 1;
}

static size_t bin_of(const struct bins *b, uint64_t t)
{
	size_t i = (size_t)(t / b->step);
	return i < b->n ? i : b->n - 1;
}

/* The first bin whose end is at or after t (b->n when none is). */
static size_t bin_ending_after(const struct bins *b, uint64_t t)
{
	return t == 0 ? 0 : (size_t)((t - 1) / b->step);
}

/* "libc.so.6 r-xp", or "anon 1.00 MiB rw-p 7f00..." for a mapping with no path. */
static char *region_label(const struct fl_vma *v)
{
	char sz[32], *label = NULL;
	if (v->path && *v->path) {
		const char *base = strrchr(v->path, '/');
		if (asprintf(&label, "%s %.4s", base && base[1] ? base + 1 : v->path, v->perms) < 0)
			label = NULL;
	} else {
		fl_fmt_bytes(sz, sizeof(sz), (double)(v->end - v->start));
		if (asprintf(&label, "anon %s %.4s %llx", sz, v->perms,
			     (unsigned long long)v->start) < 0)
			label = NULL;
	}
	return label ? label : fl_xstrdup("?");
}

static struct region *region_of(struct regions *rs, const struct fl_vma *v)
{
	uint64_t *slot = fl_u64map_slot(&rs->by_start, v->start);
	struct region *r;
	if (*slot)
		return &rs->v[*slot - 1];
	FL_GROW(rs->v, rs->cap, rs->n + 1);
	r = &rs->v[rs->n];
	*r = (struct region){v->start, v->end, region_label(v), 0, -1, rs->n};
	*slot = ++rs->n;
	return r;
}

/* Candidates: every program VMA of every snapshot, then where faults landed. */
static void collect_regions(struct regions *rs, const struct fl_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		for (size_t j = 0; j < p->maps[i].nvmas; j++) {
			const struct fl_vma *v = &p->maps[i].vmas[j];
			if (!fl_maps_is_shim(&p->maps[i], v->start, v->end) &&
			    v->kind != FL_VMA_SHIM)
				region_of(rs, v);
		}
	for (size_t i = 0; i < p->nfaults; i++) {
		struct fl_vma v;
		if (fl_proc_vma_at(p, p->faults[i].addr, p->faults[i].t, &v) == 0 &&
		    v.kind != FL_VMA_SHIM)
			region_of(rs, &v);
	}
}

/* Each sample stands for period faults, in its region's row and its time's bin. */
static void count_faults(struct regions *rs, const struct fl_proc *p)
{
	uint64_t period = p->faults_period ? p->faults_period : 1;
	rs->faults = fl_xcalloc(rs->n * rs->b.n + 1, sizeof(*rs->faults));
	for (size_t i = 0; i < p->nfaults; i++) {
		struct fl_vma v;
		uint64_t *slot;
		if (fl_proc_vma_at(p, p->faults[i].addr, p->faults[i].t, &v) != 0 ||
		    !(slot = fl_u64map_get(&rs->by_start, v.start)))
			continue;
		rs->v[*slot - 1].faults += period;
		rs->faults[(*slot - 1) * rs->b.n + bin_of(&rs->b, p->faults[i].t)] += period;
	}
}

/* The residency replay's walk: cur holds each candidate's pages as of now. */
struct res_walk {
	struct regions *rs;
	int64_t *cur;
	size_t filled; /* bins before this one hold their final value */
};

/* Bins [w->filled, upto) end before the next residency group: they keep cur. */
static void fill_bins(struct res_walk *w, size_t upto)
{
	struct regions *rs = w->rs;
	for (; w->filled < upto && w->filled < rs->b.n; w->filled++)
		for (size_t r = 0; r < rs->n; r++)
			rs->res[r * rs->b.n + w->filled] = w->cur[r];
}

static int res_step(const struct fl_res_state *s, void *ctx)
{
	struct res_walk *w = ctx;
	struct regions *rs = w->rs;
	fill_bins(w, bin_ending_after(&rs->b, s->t));
	for (size_t r = 0; r < rs->n; r++) {
		uint64_t *k = fl_u64map_get(&s->idx, rs->v[r].start);
		const struct fl_res_region *g = k ? &s->v[*k - 1] : NULL;
		w->cur[r] = g && s->alive[*k - 1] && g->present >= 0 ? g->present : -1;
		if (w->cur[r] > rs->v[r].peak)
			rs->v[r].peak = w->cur[r];
	}
	return 0;
}

static void replay_residency(struct regions *rs, const struct fl_proc *p)
{
	struct res_walk w = {rs, fl_xcalloc(rs->n + 1, sizeof(int64_t)), 0};
	rs->res = fl_xcalloc(rs->n * rs->b.n + 1, sizeof(*rs->res));
	for (size_t r = 0; r < rs->n; r++)
		w.cur[r] = -1;
	fl_res_walk(p, res_step, &w);
	fill_bins(&w, rs->b.n);
	free(w.cur);
}

static double score(const struct region *r)
{
	return (double)r->faults + (r->peak > 0 ? (double)r->peak : 0);
}

static int cmp_score(const void *a, const void *b)
{
	double x = score(a), y = score(b);
	return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Keeps the MAX_ROWS busiest regions that saw anything, in address order. */
static void keep_busiest(struct regions *rs)
{
	size_t keep = 0;
	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(*rs->v), cmp_score);
	while (keep < rs->n && keep < MAX_ROWS && score(&rs->v[keep]) > 0)
		keep++;
	for (size_t r = keep; r < rs->n; r++)
		free(rs->v[r].label);
	rs->n = keep;
	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(*rs->v), cmp_start);
}

static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* One row of cells per kept region; cells are uint64_t (faults) or int64_t (res). */
static json_t *cells_json(const struct regions *rs, int faults)
{
	json_t *rows = json_array();
	for (size_t r = 0; r < rs->n; r++) {
		json_t *row = json_array();
		size_t base = rs->v[r].cell * rs->b.n;
		for (size_t j = 0; j < rs->b.n; j++)
			json_array_append_new(
			    row, faults ? json_integer((json_int_t)rs->faults[base + j])
					: int_or_null(rs->res[base + j]));
		json_array_append_new(rows, row);
	}
	return rows;
}

static json_t *regions_json(const struct regions *rs, const struct fl_proc *p)
{
	json_t *edges = json_array(), *rows = json_array();
	char b1[32], b2[32];
	for (size_t i = 0; i <= rs->b.n; i++)
		json_array_append_new(edges, json_integer((json_int_t)(rs->b.step * i)));
	for (size_t r = 0; r < rs->n; r++) {
		const struct region *g = &rs->v[r];
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:I, s:o}", "start",
						      fl_fmt_addr(b1, sizeof(b1), g->start), "end",
						      fl_fmt_addr(b2, sizeof(b2), g->end), "label",
						      g->label, "faults", (json_int_t)g->faults,
						      "peak_resident", int_or_null(g->peak)));
	}
	return json_pack("{s:i, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "pid", p->pid, "key",
			 p->key ? p->key : "", "exe", p->exe ? p->exe : "", "period",
			 (json_int_t)(p->faults_period ? p->faults_period : 1), "bin_edges", edges,
			 "rows", rows, "faults", p->nfaults ? cells_json(rs, 1) : json_null(),
			 "resident", p->nresidency ? cells_json(rs, 0) : json_null());
}

static json_t *proc_regions(const struct fl_proc *p)
{
	struct regions rs;
	json_t *pr;
	memset(&rs, 0, sizeof(rs));
	fl_u64map_init(&rs.by_start);
	bins_init(&rs.b, p);
	collect_regions(&rs, p);
	count_faults(&rs, p);
	replay_residency(&rs, p);
	keep_busiest(&rs);
	pr = regions_json(&rs, p);
	for (size_t r = 0; r < rs.n; r++)
		free(rs.v[r].label);
	free(rs.v);
	free(rs.faults);
	free(rs.res);
	fl_u64map_release(&rs.by_start);
	return pr;
}

json_t *fl_report_regions(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array();
	json_object_set_new(sec, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->ncounters && fl_report_selected(o, m->procs[i]))
			json_array_append_new(procs, proc_regions(m->procs[i]));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

/* ---- text ---- */

static void render_proc(json_t *p, FILE *f)
{
	json_t *rows = json_object_get(p, "rows"), *r;
	size_t i;
	fl_text_printf(f, "  ", "pid %lld %s: %zu regions over %zu time bins", fl_jint(p, "pid"),
		       json_string_value(json_object_get(p, "exe")), json_array_size(rows),
		       json_array_size(json_object_get(p, "bin_edges")) - 1);
	if (!json_array_size(rows))
		return;
	fprintf(f, "  %10s %14s  %s\n", "faults", "peak resident", "region");
	json_array_foreach(rows, i, r)
	{
		json_t *peak = json_object_get(r, "peak_resident");
		char pk[32];
		if (i >= TEXT_ROWS) {
			fprintf(f, "  ... and %zu more regions (see --json or --html)\n",
				json_array_size(rows) - i);
			break;
		}
		if (json_is_integer(peak))
			snprintf(pk, sizeof(pk), "%lld pages", (long long)json_integer_value(peak));
		else
			snprintf(pk, sizeof(pk), "?");
		fl_text_printf(f, "                             ", "  %10lld %14s  %s",
			       fl_jint(r, "faults"), pk,
			       json_string_value(json_object_get(r, "label")));
	}
}

void fl_report_regions_text(json_t *sec, FILE *f)
{
	json_t *procs = json_object_get(sec, "processes");
	size_t n = json_array_size(procs);
	if (!n)
		fputs("  no process has counter ticks\n", f);
	for (size_t i = 0; i < n && i < TEXT_PROCS; i++)
		render_proc(json_array_get(procs, i), f);
	if (n > TEXT_PROCS)
		fprintf(f, "... and %zu more processes (see --json or --pid)\n", n - TEXT_PROCS);
	fl_findings_render(sec, f);
}
