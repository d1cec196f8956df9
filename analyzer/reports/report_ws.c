/*
 * Working set per window. The windows are the shim's: the "wss" events
 * when the trace has them (each closes a window of window_ns), otherwise the
 * sampler ticks of the "counters" events, otherwise fixed intervals. Every
 * method is counted over the same windows so they can be compared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/explain.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "faultline/schema.h"
#include "model/residency.h"
#include "model/series.h"
#include "reports/report.h"
#include "reports/report_ws.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define PAGE 4096ULL
#define HUGE (2ULL << 20)

enum { M_WRITTEN, M_REFERENCED, M_FIRST, M_COUNT };
static const char *const method_names[M_COUNT] = {"written", "referenced", "first_touch"};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

uint64_t fl_ws_percentile(uint64_t *v, size_t n, double pct)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	size_t rank = (size_t)ceil(pct / 100.0 * (double)n);
	return v[rank ? rank - 1 : 0];
}

/* Window ends: t_1 < ... < t_n; window i is (t_{i-1}, t_i], t_0 = 0. */
static uint64_t *window_ends(const struct fl_proc *p, size_t *n)
{
	uint64_t *w;
	*n = 0;
	if (p->nwss) {
		w = fl_xmalloc(p->nwss * sizeof(*w));
		for (size_t i = 0; i < p->nwss; i++)
			if (!*n || p->wss[i].t > w[*n - 1])
				w[(*n)++] = p->wss[i].t;
		return w;
	}
	if (p->ncounters) {
		struct fl_counters_cursor k;
		const struct fl_counters *c;
		w = fl_xmalloc(p->ncounters * sizeof(*w));
		fl_counters_begin(&k, &p->counters);
		while ((c = fl_counters_next(&k)) != NULL)
			if (!*n || c->t > w[*n - 1])
				w[(*n)++] = c->t;
		if (p->nfaults && p->faults_t_last > w[*n - 1]) {
			w = fl_xrealloc(w, (*n + 1) * sizeof(*w));
			w[(*n)++] = p->faults_t_last;
		}
		return w;
	}
	uint64_t step = 100000000ULL, end = p->end_t;
	if (p->nfaults && p->faults_t_last > end)
		end = p->faults_t_last;
	/* The times are the trace's: a hostile end (2^63 ns) must not size the
	 * array. No more windows than the samples that fill them, and a few more:
	 * the step widens instead. */
	size_t most = 4096 + 2 * p->nfaults;
	if (end / step >= most)
		step = end / most + 1;
	size_t cnt = (size_t)(end / step) + 1;
	w = fl_xmalloc(cnt * sizeof(*w));
	for (size_t i = 0; i < cnt; i++)
		w[i] = (i + 1) * step;
	*n = cnt;
	return w;
}

/* The window holding time t: the first end >= t (the last window when past it). */
static size_t window_of(const uint64_t *w, size_t n, uint64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : n - 1;
}

struct region {
	uint64_t start, end, t, total, peak, site_key;
	uint64_t *per_win;    /* written per window */
	uint64_t first;	      /* first touches */
	uint32_t block_stack; /* the heap block's stack at start at t, once folded */
};

struct wsdata {
	size_t nwin;
	uint64_t *ends;
	int64_t *val[M_COUNT]; /* per window, -1 unknown */
	struct region *reg;
	size_t nreg, capreg;
	struct fl_u64map regidx;
};

static struct region *region_get(struct wsdata *d, const struct fl_wss_region *g, uint64_t t)
{
	uint64_t start = g->start, end = g->end;
	uint64_t *slot = fl_u64map_slot(&d->regidx, start);
	if (!*slot) {
		FL_GROW(d->reg, d->capreg, d->nreg + 1);
		memset(&d->reg[d->nreg], 0, sizeof(d->reg[0]));
		d->reg[d->nreg].start = start;
		d->reg[d->nreg].end = end;
		d->reg[d->nreg].t = t;
		d->reg[d->nreg].block_stack = g->block_stack;
		d->reg[d->nreg].per_win = fl_xcalloc(d->nwin, sizeof(uint64_t));
		*slot = ++d->nreg;
	}
	struct region *r = &d->reg[*slot - 1];
	if (end > r->end)
		r->end = end;
	return r;
}

static void fill_written(const struct fl_proc *p, struct wsdata *d)
{
	if (!p->nwss)
		return;
	d->val[M_WRITTEN] = fl_xcalloc(d->nwin, sizeof(int64_t));
	for (size_t i = 0; i < p->nwss; i++) {
		const struct fl_wss *w = &p->wss[i];
		const struct fl_maps_snap *s = fl_proc_maps_at(p, w->t);
		size_t k = window_of(d->ends, d->nwin, w->t);
		int64_t sum = 0;
		for (size_t j = 0; j < w->nregions; j++) {
			const struct fl_wss_region *g = &w->regions[j];
			if (g->written <= 0 || fl_maps_is_shim(s, g->start, g->end))
				continue;
			struct region *r = region_get(d, g, w->t);
			r->per_win[k] += (uint64_t)g->written;
			r->total += (uint64_t)g->written;
			sum += g->written;
		}
		if (!w->nregions && w->written > 0)
			sum = w->written;
		d->val[M_WRITTEN][k] += sum;
	}
}

static int ref_state(const struct fl_res_state *s, void *ctx)
{
	struct wsdata *d = ctx;
	int64_t sum = fl_res_sum(s, FL_RES_REFERENCED, 0, UINT64_MAX);
	size_t k = window_of(d->ends, d->nwin, s->t);
	if (sum < 0)
		return 0;
	if (!d->val[M_REFERENCED]) {
		d->val[M_REFERENCED] = fl_xcalloc(d->nwin, sizeof(int64_t));
		for (size_t w = 0; w < d->nwin; w++)
			d->val[M_REFERENCED][w] = -1;
	}
	d->val[M_REFERENCED][k] = (d->val[M_REFERENCED][k] < 0 ? 0 : d->val[M_REFERENCED][k]) + sum;
	return 0;
}

/*
 * With --wss every tick walks the residency (the shim's scan_due), and a
 * walk writes only the rows that changed since the walk before: a tick
 * whose rows all stayed the same writes no residency line, and its window
 * referenced what the window before did. Without the write tracking a walk
 * may be skipped to save the program's time: such a window stays unknown.
 */
static void fill_referenced(const struct fl_proc *p, struct wsdata *d)
{
	const struct fl_probe *pr = fl_proc_probe(p, FL_PROBE_ACCESSED);
	const struct fl_probe *wp = fl_proc_probe(p, FL_PROBE_UFFD_WP);
	int64_t last = -1;
	if (!pr || !pr->ok)
		return;
	fl_res_walk(p, ref_state, d);
	if (!d->val[M_REFERENCED] || !wp || !wp->ok)
		return;
	for (size_t w = 0; w < d->nwin; w++) {
		if (d->val[M_REFERENCED][w] >= 0)
			last = d->val[M_REFERENCED][w];
		else if (last >= 0)
			d->val[M_REFERENCED][w] = last;
	}
}

/* First touches per window, and per site (key stack id -> pages) into sites. */
static void fill_first(const struct fl_model *m, const struct fl_proc *p, struct wsdata *d,
		       struct fl_u64map *sites)
{
	const struct fl_fault_summary *fs;
	uint64_t period = p->faults_period ? p->faults_period : 1;
	const struct fl_probe *pr = fl_proc_probe(p, FL_PROBE_PERF_SAMPLE);
	if (!p->nfaults && pr && !pr->ok)
		return;
	d->val[M_FIRST] = fl_xcalloc(d->nwin, sizeof(int64_t));
	fs = fl_faults_summary(m, p);
	for (size_t i = 0; fs && i < fs->nfirsts; i++) {
		const struct fl_fault_first *f = &fs->firsts[i];
		d->val[M_FIRST][window_of(d->ends, d->nwin, f->t)] += (int64_t)period;
		*fl_u64map_slot(sites, f->site) += period;
	}
}

static json_t *stats(const int64_t *v, size_t n)
{
	uint64_t *tmp;
	size_t k = 0;
	uint64_t sum = 0;
	if (!v)
		return json_null();
	tmp = fl_xmalloc((n ? n : 1) * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0) {
			tmp[k++] = (uint64_t)v[i];
			sum += (uint64_t)v[i];
		}
	uint64_t p50 = fl_ws_percentile(tmp, k, 50), p90 = fl_ws_percentile(tmp, k, 90);
	uint64_t p99 = fl_ws_percentile(tmp, k, 99), peak = k ? tmp[k - 1] : 0;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I}", "windows", (json_int_t)k,
			      "p50", (json_int_t)p50, "p90", (json_int_t)p90, "p99",
			      (json_int_t)p99, "peak", (json_int_t)peak, "mean",
			      k ? (double)sum / (double)k : 0.0, "total", (json_int_t)sum);
	free(tmp);
	return o;
}

/* fl_faults_site_at(start, t), from what the heap fold kept once it ran. */
static uint32_t region_site(const struct fl_proc *p, const struct region *r)
{
	const struct fl_map_call *c;
	if (!p->heap_folded)
		return fl_faults_site_at(p, r->start, r->t);
	if (r->block_stack)
		return r->block_stack;
	c = fl_faults_map_call_at(p, r->start, r->t);
	return c ? c->stack : 0;
}

static json_t *region_rows(const struct fl_report_opts *o, const struct fl_proc *p,
			   struct wsdata *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < d->nreg; i++) /* by total written, descending */
		for (size_t j = i + 1; j < d->nreg; j++)
			if (d->reg[j].total > d->reg[i].total) {
				struct region t = d->reg[i];
				d->reg[i] = d->reg[j];
				d->reg[j] = t;
			}
	for (size_t i = 0; i < d->nreg && (int)i < o->top; i++) {
		struct region *r = &d->reg[i];
		struct fl_vma v;
		char b1[32], b2[32];
		int known = fl_proc_vma_at(p, r->start, r->t, &v) == 0;
		int64_t *pw = fl_xmalloc(d->nwin * sizeof(int64_t));
		for (size_t k = 0; k < d->nwin; k++)
			pw[k] = (int64_t)r->per_win[k];
		uint32_t site = region_site(p, r);
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "start",
				   fl_fmt_addr(b1, sizeof(b1), r->start), "end",
				   fl_fmt_addr(b2, sizeof(b2), r->end), "path",
				   known && v.path ? v.path : "", "kind",
				   known ? fl_vma_kind_name(v.kind) : "unknown", "total_written",
				   (json_int_t)r->total, "written", stats(pw, d->nwin), "site",
				   site ? fl_report_stack_json(o, p, site, r->t, 4) : json_null()));
		free(pw);
	}
	return arr;
}

static json_t *site_rows(const struct fl_report_opts *o, const struct fl_proc *p,
			 struct fl_u64map *sites)
{
	json_t *arr = json_array();
	for (int n = 0; n < o->top; n++) { /* the top entries, largest first */
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < sites->cap; i++)
			if (fl_u64map_used(sites, i) && sites->vals[i] &&
			    (best == SIZE_MAX || sites->vals[i] > sites->vals[best]))
				best = i;
		if (best == SIZE_MAX)
			break;
		uint32_t id = (uint32_t)sites->keys[best];
		json_array_append_new(
		    arr, json_pack("{s:I, s:o, s:I}", "stack", (json_int_t)id, "site",
				   id ? fl_report_stack_json(o, p, id, 0, 4) : json_null(),
				   "first_touch", (json_int_t)sites->vals[best]));
		sites->vals[best] = 0;
	}
	return arr;
}

/* Where the entry counts came from, in the words a reader needs to weigh
 * them: a guest sees what its hypervisor chooses to report in CPUID. */
static const char *geometry_note(const struct fl_proc *p, int64_t e4k, int64_t e2m)
{
	static char buf[320];
	if (e4k <= 0 && e2m <= 0) {
		snprintf(buf, sizeof(buf),
			 "CPUID reported no data-TLB sizes on this machine%s%s%s (a hypervisor "
			 "may hide them), so no reach is modelled",
			 p->tlb.source ? " (" : "", p->tlb.source ? p->tlb.source : "",
			 p->tlb.source ? ")" : "");
		return buf;
	}
	snprintf(buf, sizeof(buf),
		 "%s reported %lld L1 and %lld L2 dTLB entries for 4 KiB pages, %lld and %lld "
		 "for 2 MiB (-1: not reported); a hypervisor may report fewer than the "
		 "hardware has",
		 p->tlb.source ? p->tlb.source : "CPUID", (long long)p->tlb.l1d_4k,
		 (long long)p->tlb.l2_4k, (long long)p->tlb.l1d_2m, (long long)p->tlb.l2_2m);
	return buf;
}

/*
 * A working set past the dTLB's reach costs page walks, but a walk that hits
 * the caches costs tens of cycles: only past the second-level TLB, and over
 * a run long enough for the walks to add up to something a user would notice,
 * is it worth acting on (huge pages, a denser layout). Below that it is
 * information. The reach is a model from the geometry CPUID reports.
 */
#define TLB_WARN_MIN_RUN_NS 1000000000ULL /* 1 s */

static void tlb_finding(json_t *sec, const struct fl_proc *p, uint64_t peak_pages,
			const char *method, int64_t e4k, const struct fl_counters *c)
{
	int second_level = p->tlb.l2_4k > 0, long_run = p->end_t >= TLB_WARN_MIN_RUN_NS;
	int measured = c && c->dtlb_load >= 0;
	char b1[32], b2[32], misses[64] = "";
	if (measured)
		snprintf(misses, sizeof(misses), "; %lld dTLB load misses were counted",
			 (long long)c->dtlb_load);
	fl_explain_add(
	    sec, "ws.tlb_reach", second_level && long_run ? FL_SEV_WARN : FL_SEV_INFO,
	    FL_MECH_TLB_REACH,
	    "pid %d: the working set (%s %s per window, %llu pages) is %.1fx the reach of the "
	    "%s dTLB, %s (%lld 4 KiB entries), over a %.0f ms run%s; a model from the TLB "
	    "geometry, not a measured cost%s",
	    p->pid, fl_fmt_bytes(b1, sizeof(b1), (double)(peak_pages * PAGE)), method,
	    (unsigned long long)peak_pages, (double)peak_pages / (double)e4k,
	    second_level ? "second-level" : "first-level (no second level reported)",
	    fl_fmt_bytes(b2, sizeof(b2), (double)e4k * PAGE), (long long)e4k,
	    (double)p->end_t / 1e6, long_run ? "" : ", too short for the page walks to add up",
	    misses);
}

static json_t *tlb_obj(const struct fl_proc *p, uint64_t peak_pages, const char *method,
		       json_t *sec)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	int64_t e4k = p->tlb.l2_4k > 0 ? p->tlb.l2_4k : p->tlb.l1d_4k;
	int64_t e2m = p->tlb.l2_2m > 0 ? p->tlb.l2_2m : p->tlb.l1d_2m;
	uint64_t bytes = peak_pages * PAGE, huge = (bytes + HUGE - 1) / HUGE;
	int measured = c && c->dtlb_load >= 0;
	json_t *o = json_pack(
	    "{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "source", measured ? "measured" : "model",
	    "l1d_4k", (json_int_t)p->tlb.l1d_4k, "l1d_2m", (json_int_t)p->tlb.l1d_2m, "l2_4k",
	    (json_int_t)p->tlb.l2_4k, "l2_2m", (json_int_t)p->tlb.l2_2m, "l2_1g",
	    (json_int_t)p->tlb.l2_1g, "geometry_source", p->tlb.source ? p->tlb.source : "");
	json_object_set_new(o, "dtlb_load_misses",
			    measured ? json_integer(c->dtlb_load) : json_null());
	json_object_set_new(o, "dtlb_store_misses",
			    measured && c->dtlb_store >= 0 ? json_integer(c->dtlb_store)
							   : json_null());
	json_object_set_new(o, "geometry_note", json_string(geometry_note(p, e4k, e2m)));
	json_object_set_new(o, "ws_bytes", json_integer((json_int_t)bytes));
	json_object_set_new(o, "ws_pages_4k", json_integer((json_int_t)peak_pages));
	json_object_set_new(o, "ws_pages_2m", json_integer((json_int_t)huge));
	json_object_set_new(o, "reach_4k",
			    e4k > 0 ? json_integer(e4k * (json_int_t)PAGE) : json_null());
	json_object_set_new(o, "reach_2m",
			    e2m > 0 ? json_integer(e2m * (json_int_t)HUGE) : json_null());
	int beyond = e4k > 0 && peak_pages > (uint64_t)e4k;
	int fits2m = e2m > 0 && huge <= (uint64_t)e2m;
	json_object_set_new(o, "beyond_reach", e4k > 0 ? json_boolean(beyond) : json_null());
	json_object_set_new(o, "fits_with_huge_pages",
			    e2m > 0 ? json_boolean(fits2m) : json_null());
	if (beyond)
		tlb_finding(sec, p, peak_pages, method, e4k, c);
	if (beyond && fits2m)
		fl_explain_add(sec, "ws.huge_pages", FL_SEV_INFO, FL_MECH_HUGE_PAGES,
			       "pid %d: in 2 MiB pages the same working set needs %llu entries, "
			       "within the %lld the dTLB has for them",
			       p->pid, (unsigned long long)huge, (long long)e2m);
	return o;
}

/* Pages written are seen by write-protection; pages only read are seen by
 * the accessed bit alone, and only where the start-up self-test found it
 * kept. Where it is not, "written" is not the working set, and its own line
 * must say so: a buffer that is only read shows 0 there. */
static void reads_seen(const struct fl_proc *p, json_t *pr)
{
	const struct fl_probe *ab = fl_proc_probe(p, FL_PROBE_ACCESSED);
	json_object_set_new(pr, "reads_seen", ab ? json_boolean(ab->ok) : json_null());
	json_object_set_new(pr, "written_note",
			    ab && !ab->ok ? json_string("written pages only: reads are not seen on "
							"this machine (accessed bit unreliable)")
					  : json_null());
}

/*
 * The windows' rows, FL_SERIES_ROWS at most: a long run's adjacent windows
 * merge. A merged row's figures are its largest window's (a working set
 * per window, on the scale of the unmerged rows and of the TLB reach the
 * charts draw), its window_ns is its span and "ticks" says how many
 * windows it holds. The stats (percentiles, peak, total) are the unmerged
 * windows'.
 */
static void window_rows(const struct wsdata *d, json_t *wins)
{
	static const enum fl_merge merge[M_COUNT] = {FL_MERGE_MAX, FL_MERGE_MAX, FL_MERGE_MAX};
	struct fl_series s;
	fl_series_init(&s, merge, M_COUNT, FL_SERIES_ROWS);
	for (size_t k = 0; k < d->nwin; k++) {
		int64_t v[M_COUNT];
		for (int mm = 0; mm < M_COUNT; mm++)
			v[mm] =
			    d->val[mm] && d->val[mm][k] >= 0 ? d->val[mm][k] : FL_SERIES_UNKNOWN;
		fl_series_add(&s, d->ends[k], d->ends[k] - (k ? d->ends[k - 1] : 0), v);
	}
	for (size_t k = 0; k < s.nrows; k++) {
		const struct fl_series_row *r = &s.rows[k];
		json_t *w = json_object();
		json_object_set_new_nocheck(w, "t", json_integer((json_int_t)r->t));
		json_object_set_new_nocheck(w, "window_ns", json_integer((json_int_t)r->span));
		for (int mm = 0; mm < M_COUNT; mm++)
			json_object_set_new_nocheck(
			    w, method_names[mm],
			    r->v[mm] != FL_SERIES_UNKNOWN ? json_integer(r->v[mm]) : json_null());
		if (r->ticks > 1)
			json_object_set_new_nocheck(w, "ticks", json_integer((json_int_t)r->ticks));
		json_array_append_new(wins, w);
	}
	fl_series_release(&s);
}

static json_t *proc_ws(const struct fl_model *m, const struct fl_report_opts *o,
		       const struct fl_proc *p, json_t *sec)
{
	struct wsdata d;
	struct fl_u64map sites;
	json_t *pr, *wins = json_array(), *st = json_object();
	const char *best = NULL;
	uint64_t peak = 0;
	char b1[32], b2[32];
	memset(&d, 0, sizeof(d));
	fl_u64map_init(&d.regidx);
	fl_u64map_init(&sites);
	d.ends = window_ends(p, &d.nwin);
	if (d.nwin) {
		fill_written(p, &d);
		fill_referenced(p, &d);
		fill_first(m, p, &d, &sites);
	}
	window_rows(&d, wins);
	for (int mm = 0; mm < M_COUNT; mm++) {
		json_t *s = stats(d.val[mm], d.nwin);
		json_object_set_new(st, method_names[mm], s);
		if (!best && json_is_object(s)) {
			best = method_names[mm];
			peak = (uint64_t)json_integer_value(json_object_get(s, "peak"));
		}
	}
	pr = json_pack("{s:i, s:s, s:I, s:o, s:o}", "pid", p->pid, "exe", p->exe ? p->exe : "",
		       "windows_count", (json_int_t)d.nwin, "windows", wins, "stats", st);
	/* First touches come from the fault samples: with one fault in N
	 * sampled each counts N, so the method is an estimate. */
	json_object_set_new(pr, "first_touch_period",
			    json_integer((json_int_t)(p->faults_period ? p->faults_period : 1)));
	json_object_set_new(pr, "first_touch_estimate", json_boolean(p->faults_period > 1));
	reads_seen(p, pr);
	json_object_set_new(pr, "peak_method", best ? json_string(best) : json_null());
	json_object_set_new(pr, "peak_pages", json_integer((json_int_t)peak));
	json_object_set_new(pr, "by_region", region_rows(o, p, &d));
	json_object_set_new(pr, "by_site", site_rows(o, p, &sites));
	json_object_set_new(pr, "tlb", tlb_obj(p, peak, best ? best : "", sec));
	json_object_set_new(pr, "ram",
			    json_pack("{s:I, s:I, s:f}", "mem_total", (json_int_t)p->mem_total,
				      "ws_bytes", (json_int_t)(peak * PAGE), "pct",
				      p->mem_total > 0
					  ? 100.0 * (double)(peak * PAGE) / (double)p->mem_total
					  : 0.0));
	if (p->mem_total > 0 && peak * PAGE * 2 > (uint64_t)p->mem_total)
		fl_explain_add(sec, "ws.ram", FL_SEV_WARN, FL_MECH_WORKING_SET,
			       "pid %d: the working set (%s) is over half of RAM (%s)", p->pid,
			       fl_fmt_bytes(b1, sizeof(b1), (double)(peak * PAGE)),
			       fl_fmt_bytes(b2, sizeof(b2), (double)p->mem_total));
	if (!d.val[M_WRITTEN] && best)
		fl_explain_add(sec, "ws.method", FL_SEV_INFO, FL_MECH_DEMAND_PAGING,
			       "pid %d: working set from %s only%s%.0llu (record with --wss for "
			       "the pages written in every window)",
			       p->pid, best,
			       !strcmp(best, "first_touch") && p->faults_period > 1
				   ? ", estimated from the fault samples taken one in "
				   : "",
			       !strcmp(best, "first_touch") && p->faults_period > 1
				   ? (unsigned long long)p->faults_period
				   : 0ULL);
	for (size_t i = 0; i < d.nreg; i++)
		free(d.reg[i].per_win);
	free(d.reg);
	for (int mm = 0; mm < M_COUNT; mm++)
		free(d.val[mm]);
	free(d.ends);
	fl_u64map_release(&d.regidx);
	fl_u64map_release(&sites);
	return pr;
}

json_t *fl_report_ws(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array();
	json_object_set_new(sec, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			json_array_append_new(procs, proc_ws(m, o, m->procs[i], sec));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

void fl_report_ws_text(json_t *sec, FILE *f)
{
	size_t j, idx[8], rn;
	long long rs;
	json_t *procs = json_object_get(sec, "processes"), *p, *r;
	char b1[32], b2[32];
	size_t np = fl_report_top_procs(procs, "peak_pages", idx, 8, &rn, &rs);
	for (size_t i = 0; i < np; i++) {
		p = json_array_get(procs, idx[i]);
		json_t *st = json_object_get(p, "stats");
		fl_text_printf(f, "  ", "pid %lld %s: %lld windows", fl_jint(p, "pid"),
			       json_string_value(json_object_get(p, "exe")),
			       fl_jint(p, "windows_count"));
		fprintf(f, "  %-12s %10s %10s %10s %10s %12s\n", "method", "p50", "p90", "p99",
			"peak", "peak bytes");
		const char *name;
		json_t *s;
		json_object_foreach(st, name, s)
		{
			if (!json_is_object(s))
				continue;
			const char *note =
			    !strcmp(name, "written")
				? json_string_value(json_object_get(p, "written_note"))
				: NULL;
			/* the note is part of the row: 100 columns hold only its head */
			fprintf(f, "  %-12s %10lld %10lld %10lld %10lld %12s%s\n", name,
				fl_jint(s, "p50"), fl_jint(s, "p90"), fl_jint(s, "p99"),
				fl_jint(s, "peak"),
				fl_fmt_bytes(b1, sizeof(b1), 4096.0 * (double)fl_jint(s, "peak")),
				note ? "  reads not seen:" : "");
			if (note)
				fl_text_printf(f, "                 ", "                 %s", note);
		}
		if (json_is_object(json_object_get(st, "first_touch")) &&
		    json_is_true(json_object_get(p, "first_touch_estimate")))
			fprintf(f,
				"  first_touch is an estimate: 1 fault in %lld was sampled, each "
				"sample counts %lld pages\n",
				fl_jint(p, "first_touch_period"), fl_jint(p, "first_touch_period"));
		json_t *t = json_object_get(p, "tlb");
		if (json_is_integer(json_object_get(t, "reach_4k"))) {
			fl_text_printf(f, "    ",
				       "  dTLB reach (%s): %s in 4 KiB pages, %s in 2 MiB pages; "
				       "working set %s",
				       json_string_value(json_object_get(t, "source")),
				       fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(t, "reach_4k")),
				       fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(t, "reach_2m")),
				       json_is_true(json_object_get(t, "beyond_reach"))
					   ? "BEYOND reach"
					   : "within reach");
			fl_text_printf(f, "      ", "    geometry: %s",
				       json_string_value(json_object_get(t, "geometry_note")));
		} else if (t) {
			fl_text_printf(f, "    ", "  dTLB reach: unknown; %s",
				       json_string_value(json_object_get(t, "geometry_note")));
		}
		json_array_foreach(json_object_get(p, "by_region"), j, r)
		{
			const char *path = json_string_value(json_object_get(r, "path"));
			json_t *w = json_object_get(r, "written");
			fprintf(f, "  %s %-30.30s written p50 %8lld peak %8lld total %10lld\n",
				json_string_value(json_object_get(r, "start")),
				path && *path ? path
					      : json_string_value(json_object_get(r, "kind")),
				fl_jint(w, "p50"), fl_jint(w, "peak"), fl_jint(r, "total_written"));
		}
	}
	if (rn)
		fprintf(
		    f, "... and %zu more processes with %lld pages at peak (see --json or --pid)\n",
		    rn, rs);
	fl_findings_render(sec, f);
}
