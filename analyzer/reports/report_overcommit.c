/*
 * Reserved against touched. A reservation's "touched" figure is measured two
 * ways: from residency (pages present in the VMAs it covers, peak over the
 * run) and from the fault samples (distinct pages of the reservation that
 * took a first-touch fault, scaled by the sampling period). Residency wins
 * where it sees the reservation's own pages: it also sees pages mapped
 * without a user-mode fault (MAP_POPULATE, read() into the buffer). Residency
 * rows are per VMA, though, and a VMA shared with other blocks (a malloc
 * arena, merged mmaps) says nothing of which block its pages belong to:
 * there the block's own sampled pages decide (an estimate: one fault in N
 * is seen, and pages populated without a fault are not), and only without
 * samples is the VMA's figure shared out by overlap ("residency_apportioned").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/explain.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "reports/rss.h"
#include "model/residency.h"
#include "reports/report.h"
#include "reports/report_overcommit.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define PAGE 4096ULL

/* What this report learns of a reservation, beside fl_faults_reservations'
 * entry (held apart, so that a trace of millions of large blocks holds
 * each once). */
struct resv {
	int64_t resident;	  /* peak resident pages, -1 unknown */
	uint64_t sampled, reused; /* its pages the samples saw (fl_faults_reservation_pages) */
	uint8_t vma_shared;	  /* a VMA it overlaps reaches past its pages */
	uint8_t refused_strict;
};

struct resvs {
	struct fl_reservation *v; /* sorted by start, the summary's order */
	struct resv *x;		  /* x[i]: v[i]'s */
	size_t n;
	/* the residency walk's sweep (measure_state): reservations by start
	 * time, the next to enter, the ones live at the last state */
	struct by_t0 *by_t0;
	size_t next, *live, nlive, caplive;
	uint64_t last_t;
	int unordered; /* states came out of time order: every reservation is looked at */
};

struct by_t0 {
	uint64_t t0;
	size_t i;
};

static int cmp_by_t0(const void *a, const void *b)
{
	const struct by_t0 *x = a, *y = b;
	if (x->t0 != y->t0)
		return (x->t0 > y->t0) - (x->t0 < y->t0);
	return (x->i > y->i) - (x->i < y->i);
}

/* The reservations of p (fl_faults_reservations: sorted by start, the summary's order). */
static void collect(const struct fl_proc *p, struct resvs *r)
{
	r->v = fl_faults_reservations(p, &r->n);
	r->x = fl_xmalloc((r->n ? r->n : 1) * sizeof(*r->x));
	for (size_t i = 0; i < r->n; i++)
		r->x[i] = (struct resv){.resident = -1};
}

/* Present pages apportioned to a reservation live at st->t by overlap; the peak over time. */
static void measure_one(const struct fl_res_state *st, const struct fl_reservation *v,
			struct resv *x)
{
	double sum = 0;
	int seen = 0;
	for (size_t j = 0; j < st->n; j++) {
		const struct fl_res_region *g = &st->v[j];
		uint64_t lo = g->start > v->start ? g->start : v->start;
		uint64_t hi = g->end < v->end ? g->end : v->end;
		if (!st->alive[j] || lo >= hi || g->present < 0 || g->end <= g->start)
			continue;
		seen = 1;
		sum += (double)g->present * (double)(hi - lo) / (double)(g->end - g->start);
		if (g->start < (v->start & ~(PAGE - 1)) ||
		    g->end > ((v->end + PAGE - 1) & ~(PAGE - 1)))
			x->vma_shared = 1;
	}
	if (seen && (int64_t)(sum + 0.5) > x->resident)
		x->resident = (int64_t)(sum + 0.5);
}

/* Each residency state, for the reservations live at its time: the states
 * come in time order, so a sweep keeps the live ones (entered by start
 * time, dropped once freed) instead of looking at every reservation of
 * the run at every state. */
static int measure_state(const struct fl_res_state *st, void *ctx)
{
	struct resvs *r = ctx;
	size_t keep = 0;
	if (st->t < r->last_t)
		r->unordered = 1;
	r->last_t = st->t;
	if (r->unordered) {
		for (size_t i = 0; i < r->n; i++)
			if (st->t >= r->v[i].t0 && st->t < r->v[i].t1)
				measure_one(st, &r->v[i], &r->x[i]);
		return 0;
	}
	for (; r->next < r->n && r->by_t0[r->next].t0 <= st->t; r->next++) {
		FL_GROW(r->live, r->caplive, r->nlive + 1);
		r->live[r->nlive++] = r->by_t0[r->next].i;
	}
	for (size_t k = 0; k < r->nlive; k++) {
		size_t i = r->live[k];
		if (st->t >= r->v[i].t1)
			continue;
		r->live[keep++] = i;
		measure_one(st, &r->v[i], &r->x[i]);
	}
	r->nlive = keep;
	return 0;
}

/* The residency of every reservation: see measure_state. */
static void measure_residency(const struct fl_proc *p, struct resvs *r)
{
	r->by_t0 = fl_xmalloc((r->n ? r->n : 1) * sizeof(*r->by_t0));
	for (size_t i = 0; i < r->n; i++)
		r->by_t0[i] = (struct by_t0){r->v[i].t0, i};
	if (r->n > 1)
		qsort(r->by_t0, r->n, sizeof(*r->by_t0), cmp_by_t0);
	fl_res_walk(p, measure_state, r);
	free(r->by_t0);
	free(r->live);
	r->by_t0 = NULL;
	r->live = NULL;
}

/* Each reservation's pages the samples saw. */
static void measure_faults(const struct fl_model *m, const struct fl_proc *p, struct resvs *r)
{
	const struct fl_fault_summary *fs = fl_faults_summary(m, p);
	for (size_t i = 0; fs && i < r->n; i++)
		fl_faults_reservation_pages(fs, &r->v[i], &r->x[i].sampled, &r->x[i].reused);
}

enum touched_from { FROM_RESIDENCY, FROM_SAMPLES, FROM_APPORTIONED };
static const char *const touched_from_names[] = {"residency", "fault_samples",
						 "residency_apportioned"};

static enum touched_from touched_from(const struct fl_proc *p, const struct resv *x)
{
	if (x->resident < 0)
		return FROM_SAMPLES;
	if (!x->vma_shared)
		return FROM_RESIDENCY;
	return p->nfaults ? FROM_SAMPLES : FROM_APPORTIONED;
}

/*
 * Touched bytes of a set of reservations. Where residency measured a
 * reservation, its pages, up to its size. Where the samples did, each
 * reservation's sampled pages (up to its size) are one in faults_period of
 * its touched ones: they are scaled up for the whole set, not one
 * reservation at a time, because a reservation of a page or two is either
 * seen or not, and scaling (and capping) each alone would count a site of
 * small blocks at about 1/period of its pages. The estimate is capped at
 * the set's size. reused: the part of the sampled estimate that earlier
 * blocks touched (fl_fault_summary's resv_reused).
 */
struct tally {
	uint64_t exact, sampled, sampled_size, reused;
};

static void tally_add(struct tally *t, const struct fl_proc *p, const struct resvs *r, size_t i)
{
	uint64_t size = r->v[i].end - r->v[i].start, b;
	uint64_t sampled = r->x[i].sampled, reused = r->x[i].reused;
	if (touched_from(p, &r->x[i]) != FROM_SAMPLES) {
		b = (uint64_t)r->x[i].resident * PAGE;
		t->exact += b < size ? b : size;
		return;
	}
	b = (sampled + reused) * PAGE;
	t->sampled += b < size ? b : size;
	b = reused * PAGE;
	t->reused += b < size ? b : size;
	t->sampled_size += size;
}

static uint64_t scaled(const struct fl_proc *p, const struct tally *t, uint64_t b)
{
	uint64_t period = p->faults_period ? p->faults_period : 1;
	b *= period;
	return b < t->sampled_size ? b : t->sampled_size;
}

static uint64_t tally_touched(const struct fl_proc *p, const struct tally *t)
{
	return t->exact + scaled(p, t, t->sampled);
}

static uint64_t tally_reused(const struct fl_proc *p, const struct tally *t)
{
	return scaled(p, t, t->reused);
}

/* The one source of a set of reservations, or "mixed". */
static const char *from_name(unsigned mask)
{
	for (unsigned k = 0; k < 3; k++)
		if (mask == 1u << k)
			return touched_from_names[k];
	return mask ? "mixed" : touched_from_names[FROM_RESIDENCY];
}

/* Committed_AS at the last counters tick before t (-1 unknown), and CommitLimit. */
static int64_t committed_before(const struct fl_proc *p, uint64_t t, int64_t *limit)
{
	int64_t c = -1;
	int before = 1;
	struct fl_counters_cursor k;
	const struct fl_counters *x;
	*limit = -1;
	fl_counters_begin(&k, &p->counters);
	while ((x = fl_counters_next(&k)) != NULL) {
		if (x->commit_limit > 0)
			*limit = x->commit_limit;
		if (x->t >= t) /* a tick at or after t already includes it */
			before = 0;
		if (before)
			c = x->committed_as;
	}
	return c;
}

struct site {
	uint32_t stack;
	uint64_t t, count, reserved;
	struct tally touched;
	int refused;
	unsigned from; /* 1 << enum touched_from, per reservation */
};

static json_t *site_rows(const struct fl_report_opts *o, const struct fl_proc *p, struct resvs *r,
			 json_t *sec)
{
	struct fl_u64map idx;
	struct site *s = NULL;
	size_t n = 0, cap = 0;
	json_t *arr = json_array();
	char b1[32], b2[32];
	fl_u64map_init(&idx);
	for (size_t i = 0; i < r->n; i++) {
		const struct fl_reservation *v = &r->v[i];
		uint64_t *slot = fl_u64map_slot(&idx, v->stack);
		if (!*slot) {
			FL_GROW(s, cap, n + 1);
			s[n] = (struct site){.stack = v->stack, .t = v->t0};
			*slot = ++n;
		}
		struct site *w = &s[*slot - 1];
		w->count++;
		w->reserved += v->end - v->start;
		tally_add(&w->touched, p, r, i);
		w->from |= 1u << touched_from(p, &r->x[i]);
		w->refused += r->x[i].refused_strict;
	}
	for (size_t i = 0; i < n; i++) /* biggest reservations first (selection sort, n small) */
		for (size_t j = i + 1; j < n; j++)
			if (s[j].reserved > s[i].reserved) {
				struct site t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
	for (size_t i = 0; i < n && (int)i < o->top; i++) {
		uint64_t touched = tally_touched(p, &s[i].touched);
		double ratio = s[i].reserved ? (double)touched / (double)s[i].reserved : 0;
		json_t *st = fl_report_stack_json(o, p, s[i].stack, s[i].t, 6);
		json_array_append_new(
		    arr,
		    json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:f, s:s, s:I}", "stack",
			      (json_int_t)s[i].stack, "site", st, "count", (json_int_t)s[i].count,
			      "reserved", (json_int_t)s[i].reserved, "touched", (json_int_t)touched,
			      "touched_reused", (json_int_t)tally_reused(p, &s[i].touched),
			      "touched_pct", 100.0 * ratio, "touched_from", from_name(s[i].from),
			      "strict_refused", (json_int_t)s[i].refused));
		if (s[i].reserved >= (64ULL << 20) && ratio < 0.5) {
			const char *txt =
			    json_string_value(json_object_get(json_object_get(st, "site"), "text"));
			fl_explain_add(sec, "overcommit.site",
				       ratio < 0.25 && s[i].reserved >= (1ULL << 30) ? FL_SEV_WARN
										     : FL_SEV_INFO,
				       FL_MECH_OVERCOMMIT,
				       "pid %d: %s reserved %s and touched only %.1f%% (%s)",
				       p->pid, txt ? txt : "(unknown site)",
				       fl_fmt_bytes(b1, sizeof(b1), (double)s[i].reserved),
				       100.0 * ratio,
				       fl_fmt_bytes(b2, sizeof(b2), (double)touched));
		}
	}
	free(s);
	fl_u64map_release(&idx);
	return arr;
}

static json_t *region_rows(const struct fl_report_opts *o, const struct fl_proc *p)
{
	struct fl_u64map idx;
	struct {
		uint64_t start, end, t;
		int64_t peak;
	} *g = NULL;
	size_t n = 0, cap = 0;
	json_t *arr = json_array();
	struct fl_residency_cursor k;
	const struct fl_residency *r;
	fl_u64map_init(&idx);
	fl_residency_begin(&k, &p->residency);
	while ((r = fl_residency_next(&k)) != NULL) {
		const struct fl_maps_snap *s = fl_proc_maps_at(p, r->t);
		for (size_t j = 0; j < r->nregions; j++) {
			const struct fl_res_region *x = &r->regions[j];
			if (fl_maps_is_shim(s, x->start, x->end))
				continue;
			uint64_t *slot = fl_u64map_slot(&idx, x->start ^ (x->end << 20));
			if (!*slot) {
				FL_GROW(g, cap, n + 1);
				g[n].start = x->start;
				g[n].end = x->end;
				g[n].t = r->t;
				g[n].peak = 0;
				*slot = ++n;
			}
			if (x->present > g[*slot - 1].peak)
				g[*slot - 1].peak = x->present;
		}
	}
	fl_residency_end(&k);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (g[j].end - g[j].start > g[i].end - g[i].start) {
				__typeof__(*g) t = g[i];
				g[i] = g[j];
				g[j] = t;
			}
	for (size_t i = 0; i < n && (int)i < o->top; i++) {
		struct fl_vma v;
		char b1[32], b2[32];
		int known = fl_proc_vma_at(p, g[i].start, g[i].t, &v) == 0;
		uint64_t size = g[i].end - g[i].start;
		if (known && v.kind == FL_VMA_SHIM)
			continue;
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f}", "start",
				   fl_fmt_addr(b1, sizeof(b1), g[i].start), "end",
				   fl_fmt_addr(b2, sizeof(b2), g[i].end), "path",
				   known && v.path ? v.path : "", "kind",
				   known ? fl_vma_kind_name(v.kind) : "unknown", "size",
				   (json_int_t)size, "touched", (json_int_t)(g[i].peak * 4096),
				   "touched_pct", 100.0 * (double)g[i].peak * 4096 / (double)size));
	}
	free(g);
	fl_u64map_release(&idx);
	return arr;
}

static json_t *over_time(const struct fl_proc *p, int64_t *peak_commit, int64_t *limit,
			 int64_t *oom_last, int64_t *oom_peak)
{
	json_t *arr = json_array();
	size_t step = p->ncounters / 200 + 1;
	struct fl_counters_cursor k;
	const struct fl_counters *c;
	fl_counters_begin(&k, &p->counters);
	for (size_t i = 0; (c = fl_counters_next(&k)) != NULL; i++) {
		if (c->committed_as > *peak_commit)
			*peak_commit = c->committed_as;
		if (c->commit_limit > 0)
			*limit = c->commit_limit;
		if (c->oom_score >= 0) {
			*oom_last = c->oom_score;
			if (c->oom_score > *oom_peak)
				*oom_peak = c->oom_score;
		}
		if (i % step && i + 1 != p->ncounters)
			continue;
		int64_t rss = fl_rss_of_sample(c), vsz = fl_vsz_of_sample(p, c);
		json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I}", "t", (json_int_t)c->t,
						     "vsz", (json_int_t)vsz, "rss", (json_int_t)rss,
						     "committed_as", (json_int_t)c->committed_as));
	}
	return arr;
}

static const char *mode_name(int64_t mode)
{
	return mode == 0 ? "heuristic" : mode == 1 ? "always" : mode == 2 ? "strict" : "unknown";
}

static json_t *refusal_json(uint64_t t, uint64_t size, uint32_t stack, const char *fn,
			    int64_t committed, int64_t limit, const char *from)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:s}", "t", (json_int_t)t, "size",
			 (json_int_t)size, "stack", (json_int_t)stack, "fn", fn, "committed_as",
			 (json_int_t)committed, "commit_limit", (json_int_t)limit, "from", from);
}

/* Strict mode on: its refusals are the calls that failed with ENOMEM, each
 * one counted (the kernel refused it, whatever the ticks said). */
static size_t refused_by_strict(const struct fl_proc *p, json_t *arr)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nfailed; i++) {
		const struct fl_failed *f = &p->failed[i];
		if (f->err != ENOMEM)
			continue;
		json_array_append_new(arr,
				      refusal_json(f->t, f->size, f->stack, fl_fn_name(f->fn),
						   fl_charge_bytes(f->charge.committed),
						   fl_charge_bytes(f->charge.limit), "failure"));
		n++;
	}
	return n;
}

/* Another mode: the reservations strict mode would have refused. The charge
 * read just after the call counts the reservation itself, so it is over the
 * limit when strict mode would have said no; a trace without it falls back
 * to the tick before the call (up to one interval old) plus the size. */
static size_t refused_if_strict(const struct fl_proc *p, struct resvs *r, json_t *arr)
{
	size_t n = 0;
	int charged = 0;
	/* A trace that records charges records one for every reservation of
	 * its own: a large block without one was carved from an arena and
	 * added nothing to Committed_AS. */
	for (size_t i = 0; i < r->n && !charged; i++)
		charged = r->v[i].charge.committed != 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct fl_reservation *v = &r->v[i];
		uint64_t size = v->end - v->start;
		int64_t limit, committed;
		const char *from = "call";
		if (v->charge.committed && v->charge.limit) {
			committed = fl_charge_bytes(v->charge.committed);
			limit = fl_charge_bytes(v->charge.limit);
		} else if (charged) {
			continue;
		} else {
			committed = committed_before(p, v->t0, &limit);
			if (committed < 0)
				continue;
			committed += (int64_t)size;
			from = "tick";
		}
		if (limit <= 0 || committed <= limit)
			continue;
		r->x[i].refused_strict = 1;
		json_array_append_new(
		    arr, refusal_json(v->t0, size, v->stack, v->fn, committed, limit, from));
		n++;
	}
	return n;
}

static json_t *strict_refusals(const struct fl_proc *p, struct resvs *r, json_t *sec)
{
	json_t *arr = json_array();
	int strict = p->overcommit == 2;
	size_t n = strict ? refused_by_strict(p, arr) : refused_if_strict(p, r, arr);
	uint64_t largest = 0;
	size_t i;
	json_t *e;
	char b1[32];
	if (!n)
		return arr;
	json_array_foreach(arr, i, e)
	{
		if ((uint64_t)fl_jint(e, "size") > largest)
			largest = (uint64_t)fl_jint(e, "size");
	}
	/* One finding with the count: sixty refusals are one story. */
	fl_explain_add(sec, "overcommit.strict_refusal", FL_SEV_WARN, FL_MECH_STRICT_COMMIT,
		       strict
			   ? "pid %d: strict overcommit refused %zu reservation(s), the largest %s"
			   : "pid %d: strict overcommit (mode 2) would have refused %zu "
			     "reservation(s), the largest %s: Committed_AS past CommitLimit",
		       p->pid, n, fl_fmt_bytes(b1, sizeof(b1), (double)largest));
	return arr;
}

static json_t *too_large_json(uint64_t size, uint32_t stack, const char *fn, int ok)
{
	return json_pack("{s:I, s:I, s:s, s:b}", "size", (json_int_t)size, "stack",
			 (json_int_t)stack, "fn", fn, "ok", ok);
}

/* Single requests larger than RAM plus swap: the reservations that got it,
 * and the calls that failed (the heuristic mode refuses exactly these). */
static json_t *too_large(const struct fl_proc *p, const struct resvs *r, json_t *sec)
{
	json_t *arr = json_array();
	uint64_t ramswap = (p->mem_total > 0 ? (uint64_t)p->mem_total : 0) +
			   (p->swap_total > 0 ? (uint64_t)p->swap_total : 0);
	char b1[32];
	if (!ramswap)
		return arr;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].end - r->v[i].start > ramswap)
			json_array_append_new(arr, too_large_json(r->v[i].end - r->v[i].start,
								  r->v[i].stack, r->v[i].fn, 1));
	for (size_t i = 0; i < p->nfailed; i++) {
		const struct fl_failed *f = &p->failed[i];
		if (f->size <= ramswap && !f->size_overflow)
			continue;
		json_t *e = too_large_json(f->size, f->stack, fl_fn_name(f->fn), 0);
		json_object_set_new(e, "errno", json_integer(f->err));
		json_object_set_new(e, "size_overflow", json_boolean(f->size_overflow));
		json_array_append_new(arr, e);
	}
	if (json_array_size(arr))
		fl_explain_add(sec, "overcommit.too_large", FL_SEV_WARN, FL_MECH_OVERCOMMIT,
			       "pid %d: %zu single request(s) larger than RAM plus swap (%s)",
			       p->pid, json_array_size(arr),
			       fl_fmt_bytes(b1, sizeof(b1), (double)ramswap));
	return arr;
}

struct failed_site {
	uint32_t stack;
	uint8_t fn, overflow;
	int32_t err;
	uint64_t t, count, largest;
};

/* The failed allocations by site, most failures first. */
static json_t *failed_sites(const struct fl_report_opts *o, const struct fl_proc *p)
{
	struct fl_u64map idx;
	struct failed_site *s = NULL;
	size_t n = 0, cap = 0;
	json_t *arr = json_array();
	fl_u64map_init(&idx);
	for (size_t i = 0; i < p->nfailed; i++) {
		const struct fl_failed *f = &p->failed[i];
		uint64_t *slot = fl_u64map_slot(&idx, f->stack);
		if (!*slot) {
			FL_GROW(s, cap, n + 1);
			s[n] = (struct failed_site){.stack = f->stack, .fn = f->fn, .t = f->t};
			*slot = ++n;
		}
		struct failed_site *w = &s[*slot - 1];
		w->count++;
		w->err = f->err;
		if (f->size >= w->largest) {
			w->largest = f->size;
			w->overflow |= f->size_overflow;
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (s[j].count > s[i].count ||
			    (s[j].count == s[i].count && s[j].largest > s[i].largest)) {
				struct failed_site t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
	for (size_t i = 0; i < n && (int)i < o->top; i++)
		json_array_append_new(
		    arr, json_pack("{s:I, s:o, s:s, s:I, s:I, s:b, s:i}", "stack",
				   (json_int_t)s[i].stack, "site",
				   fl_report_stack_json(o, p, s[i].stack, s[i].t, 6), "fn",
				   fl_fn_name(s[i].fn), "count", (json_int_t)s[i].count, "largest",
				   (json_int_t)s[i].largest, "size_overflow", s[i].overflow,
				   "errno", s[i].err));
	free(s);
	fl_u64map_release(&idx);
	return arr;
}

/* Allocations that returned no memory: kept out of every total above, and
 * listed here, each with the charge when it failed. */
static json_t *failed_json(const struct fl_report_opts *o, const struct fl_proc *p, json_t *sec)
{
	json_t *list = json_array(), *out;
	uint64_t largest = 0;
	int overflow = 0;
	char b1[32];
	for (size_t i = 0; i < p->nfailed; i++) {
		const struct fl_failed *f = &p->failed[i];
		if (f->size > largest || (f->size == largest && f->size_overflow)) {
			largest = f->size;
			overflow = f->size_overflow;
		}
		if ((int)i >= o->top)
			continue;
		json_array_append_new(
		    list,
		    json_pack("{s:I, s:s, s:I, s:b, s:i, s:I, s:I, s:I}", "t", (json_int_t)f->t,
			      "fn", fl_fn_name(f->fn), "size", (json_int_t)f->size, "size_overflow",
			      f->size_overflow, "errno", f->err, "stack", (json_int_t)f->stack,
			      "committed_as", (json_int_t)fl_charge_bytes(f->charge.committed),
			      "commit_limit", (json_int_t)fl_charge_bytes(f->charge.limit)));
	}
	out = json_pack("{s:I, s:I, s:b}", "count", (json_int_t)p->nfailed, "largest",
			(json_int_t)largest, "largest_overflow", overflow);
	json_object_set_new(out, "by_site", failed_sites(o, p));
	json_object_set_new(out, "list", list);
	if (p->nfailed && p->overcommit != 2)
		fl_explain_add(sec, "overcommit.failed", FL_SEV_WARN, FL_MECH_OVERCOMMIT,
			       "pid %d: %zu allocation(s) returned no memory, the largest %s%s",
			       p->pid, p->nfailed, overflow ? "more than " : "",
			       fl_fmt_bytes(b1, sizeof(b1), (double)largest));
	return out;
}

static json_t *proc_overcommit(const struct fl_model *m, const struct fl_report_opts *o,
			       const struct fl_proc *p, json_t *sec)
{
	struct resvs r = {0};
	struct tally all = {0};
	uint64_t reserved = 0, touched;
	unsigned from = 0;
	int64_t peak_commit = -1, limit = -1, oom_last = -1, oom_peak = -1;
	json_t *big, *strict, *pr;
	char b1[32], b2[32];
	collect(p, &r);
	measure_residency(p, &r);
	measure_faults(m, p, &r);
	strict = strict_refusals(p, &r, sec);
	big = too_large(p, &r, sec);
	for (size_t i = 0; i < r.n; i++) {
		reserved += r.v[i].end - r.v[i].start;
		tally_add(&all, p, &r, i);
		from |= 1u << touched_from(p, &r.x[i]);
	}
	touched = tally_touched(p, &all);
	json_t *ot = over_time(p, &peak_commit, &limit, &oom_last, &oom_peak);
	pr = json_pack("{s:i, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:s}", "pid",
		       p->pid, "exe", p->exe ? p->exe : "", "mode", (json_int_t)p->overcommit,
		       "mode_name", mode_name(p->overcommit), "mem_total", (json_int_t)p->mem_total,
		       "swap_total", (json_int_t)p->swap_total, "commit_limit", (json_int_t)limit,
		       "committed_as_peak", (json_int_t)peak_commit, "reservations",
		       (json_int_t)r.n, "reserved", (json_int_t)reserved, "touched",
		       (json_int_t)touched, "touched_pct",
		       reserved ? 100.0 * (double)touched / (double)reserved : 0.0, "touched_from",
		       r.n	       ? from_name(from)
		       : p->nresidency ? "residency"
				       : "fault_samples");
	json_object_set_new(pr, "touched_reused", json_integer((json_int_t)tally_reused(p, &all)));
	json_object_set_new(pr, "oom_score", oom_last >= 0 ? json_integer(oom_last) : json_null());
	json_object_set_new(pr, "oom_score_peak",
			    oom_peak >= 0 ? json_integer(oom_peak) : json_null());
	json_object_set_new(pr, "by_site", site_rows(o, p, &r, sec));
	json_object_set_new(pr, "by_region", region_rows(o, p));
	json_object_set_new(pr, "over_time", ot);
	json_object_set_new(pr, "strict_refused", strict);
	json_object_set_new(pr, "too_large", big);
	json_object_set_new(pr, "failed", failed_json(o, p, sec));
	/* Committed_AS is the whole machine's, and only the strict mode refuses
	 * past CommitLimit: in the others it is information (another job's
	 * reservations can take it past while this program reserves little). */
	if (peak_commit > 0 && limit > 0 && peak_commit > limit)
		fl_explain_add(
		    sec, "overcommit.commit_limit", p->overcommit == 2 ? FL_SEV_WARN : FL_SEV_INFO,
		    FL_MECH_STRICT_COMMIT,
		    "pid %d: Committed_AS reached %s, past CommitLimit %s (mode %s%s)", p->pid,
		    fl_fmt_bytes(b1, sizeof(b1), (double)peak_commit),
		    fl_fmt_bytes(b2, sizeof(b2), (double)limit), mode_name(p->overcommit),
		    p->overcommit == 2 ? ": further reservations fail"
				       : ", which does not enforce it");
	if (oom_peak >= 0 && (!p->parent || oom_peak >= 800))
		fl_explain_add(sec, "overcommit.oom_score",
			       oom_peak >= 800 ? FL_SEV_WARN : FL_SEV_INFO, FL_MECH_OOM,
			       "pid %d: oom_score peaked at %lld (of 1000)", p->pid,
			       (long long)oom_peak);
	free(r.v);
	free(r.x);
	return pr;
}

json_t *fl_report_overcommit(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array();
	json_object_set_new(sec, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			json_array_append_new(procs, proc_overcommit(m, o, m->procs[i], sec));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

/* A size as asked: "more than 8.00 EiB" when it did not fit the trace. */
static const char *asked(char *b, size_t len, json_t *o, const char *size_key, const char *flag)
{
	char n[32];
	fl_fmt_bytes(n, sizeof(n), (double)fl_jint(o, size_key));
	snprintf(b, len, "%s%s", json_is_true(json_object_get(o, flag)) ? "more than " : "", n);
	return b;
}

static void failed_text(json_t *p, FILE *f)
{
	json_t *fa = json_object_get(p, "failed"), *r;
	char b1[48], fit[128];
	size_t j;
	if (!fl_jint(fa, "count"))
		return;
	fprintf(f, "  failed allocations: %lld (largest %s), not in the figures above\n",
		fl_jint(fa, "count"), asked(b1, sizeof(b1), fa, "largest", "largest_overflow"));
	fprintf(f, "  %-56s %10s %17s %s\n", "failed at", "count", "largest", "errno");
	json_array_foreach(json_object_get(fa, "by_site"), j, r)
	{
		const char *txt = json_string_value(
		    json_object_get(json_object_get(json_object_get(r, "site"), "site"), "text"));
		fprintf(f, "  %-56.56s %10lld %17s %s\n",
			txt ? fl_fit_site(fit, sizeof(fit), txt, 56) : "(unknown)",
			fl_jint(r, "count"), asked(b1, sizeof(b1), r, "largest", "size_overflow"),
			strerrorname_np((int)fl_jint(r, "errno"))
			    ? strerrorname_np((int)fl_jint(r, "errno"))
			    : "?");
	}
}

static void refused_text(json_t *p, FILE *f)
{
	json_t *rs = json_object_get(p, "strict_refused"), *big = json_object_get(p, "too_large");
	char b1[48];
	if (json_array_size(rs))
		fprintf(f, "  strict mode %s: %zu reservation(s)\n",
			fl_jint(p, "mode") == 2 ? "refused" : "would have refused",
			json_array_size(rs));
	if (json_array_size(big)) {
		size_t j, failed = 0;
		json_t *r;
		json_array_foreach(big, j, r) failed += !json_is_true(json_object_get(r, "ok"));
		fprintf(f, "  requests larger than RAM+swap: %zu (%zu failed), the first %s\n",
			json_array_size(big), failed,
			asked(b1, sizeof(b1), json_array_get(big, 0), "size", "size_overflow"));
	}
}

void fl_report_overcommit_text(json_t *sec, FILE *f)
{
	size_t j, idx[8], rn;
	long long rs;
	json_t *procs = json_object_get(sec, "processes"), *p, *r;
	char b1[32], b2[32], b3[32], fit[128];
	size_t np = fl_report_top_procs(procs, "reserved", idx, 8, &rn, &rs);
	for (size_t i = 0; i < np; i++) {
		p = json_array_get(procs, idx[i]);
		fl_text_printf(f, "  ", "pid %lld %s: reserved %s, touched %s (%.1f%%, from %s)",
			       fl_jint(p, "pid"), json_string_value(json_object_get(p, "exe")),
			       fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(p, "reserved")),
			       fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(p, "touched")),
			       json_real_value(json_object_get(p, "touched_pct")),
			       json_string_value(json_object_get(p, "touched_from")));
		if (fl_jint(p, "commit_limit") > 0)
			fprintf(
			    f,
			    "  overcommit mode %lld (%s); Committed_AS peak %s of CommitLimit %s\n",
			    fl_jint(p, "mode"), json_string_value(json_object_get(p, "mode_name")),
			    fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(p, "committed_as_peak")),
			    fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(p, "commit_limit")));
		if (json_is_integer(json_object_get(p, "oom_score")))
			fprintf(f, "  oom_score %lld (peak %lld)\n", fl_jint(p, "oom_score"),
				fl_jint(p, "oom_score_peak"));
		fprintf(f, "  %-56s %10s %10s %7s\n", "allocation site", "reserved", "touched",
			"%");
		json_array_foreach(json_object_get(p, "by_site"), j, r)
		{
			const char *txt = json_string_value(json_object_get(
			    json_object_get(json_object_get(r, "site"), "site"), "text"));
			const char *via =
			    fl_report_parting_caller(json_object_get(p, "by_site"), j, "site");
			fprintf(f, "  %-56.56s %10s %10s %6.1f%%\n",
				txt ? fl_fit_site(fit, sizeof(fit), txt, 56) : "(unknown)",
				fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(r, "reserved")),
				fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(r, "touched")),
				json_real_value(json_object_get(r, "touched_pct")));
			if (via)
				fprintf(f, "    via %s\n", fl_fit_site(fit, sizeof(fit), via, 52));
		}
		fprintf(f, "  %-56s %10s %10s %7s\n", "region", "size", "peak res", "%");
		json_array_foreach(json_object_get(p, "by_region"), j, r)
		{
			const char *path = json_string_value(json_object_get(r, "path"));
			snprintf(b3, sizeof(b3), "%s",
				 json_string_value(json_object_get(r, "start")));
			fprintf(f, "  %-18s %-37.37s %10s %10s %6.1f%%\n", b3,
				path && *path ? path
					      : json_string_value(json_object_get(r, "kind")),
				fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(r, "size")),
				fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(r, "touched")),
				json_real_value(json_object_get(r, "touched_pct")));
		}
		failed_text(p, f);
		refused_text(p, f);
	}
	if (rn)
		fprintf(
		    f,
		    "... and %zu more processes with %lld bytes reserved (see --json or --pid)\n",
		    rn, rs);
	fl_findings_render(sec, f);
}
