/*
 * The heap report: allocation sites by bytes, count, peak live bytes, bytes
 * still live at exit, and short-lived (temporary) allocations.
 *
 * In the default mode small allocations are sampled by bytes: a record of
 * `size` bytes with `weight` w stands for w bytes, i.e. w/size calls of that
 * size, which keeps per-site sums unbiased. With --all every call is a
 * record (weight == size), or the trace carries exact per-site "sites"
 * aggregates, which are used as they are.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/heap_fold.h"
#include "model/symbols.h"
#include "reports/flame.h"
#include "reports/report.h"
#include "reports/report_heap.h"
#include "util/xalloc.h"

#define FRAMES_SHOWN 6

/*
 * A sampled figure's relative standard error above which text and HTML leave
 * it out: past one half the figure could as well be half or double. For
 * small blocks (weight ~ period) it is 1/sqrt(samples), so this asks for at
 * least 4 sampled blocks behind a figure.
 */
#define MAX_SHOWN_RSE 0.5

/*
 * Each figure is a sum of weights; var_* is the variance of that sum
 * (Horvitz-Thompson with Poisson sampling: a record of size s and weight
 * w = s/p adds w * (w - s), which is 0 for the exact records of large blocks).
 */
struct site {
	const struct fl_proc *p;
	uint32_t stack;
	int exact;
	int listed; /* one of the top lists shows it: the flame graph keeps its frame */
	uint64_t t; /* a time at which the site's code was mapped */
	double allocs, bytes, peak, leaked_bytes, leaked_blocks, temporary;
	double var_allocs, var_bytes, var_peak, var_leaked;
	double leaked_sampled_bytes; /* the recorded sizes never freed: a sure lower bound */
	size_t samples, peak_samples, leaked_samples;
};

/* The sites of p's blocks (model/heap_fold.h), as the rows of this report. */
static void add_sites(const struct fl_proc *p, const struct fl_heap_site *h, size_t nh,
		      struct site **sites, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < nh; i++) {
		struct site *s;
		FL_GROW(*sites, *cap, *n + 1);
		s = &(*sites)[(*n)++];
		memset(s, 0, sizeof(*s));
		s->p = p;
		s->stack = h[i].stack;
		s->exact = p->opt_all;
		s->t = h[i].t;
		s->allocs = h[i].allocs;
		s->bytes = h[i].bytes;
		s->peak = h[i].peak;
		s->leaked_bytes = h[i].leaked_bytes;
		s->leaked_blocks = h[i].leaked_blocks;
		s->temporary = h[i].temporary;
		s->var_allocs = h[i].var_allocs;
		s->var_bytes = h[i].var_bytes;
		s->var_peak = h[i].var_peak;
		s->var_leaked = h[i].var_leaked;
		s->leaked_sampled_bytes = h[i].leaked_sampled_bytes;
		s->samples = h[i].samples;
		s->peak_samples = h[i].peak_samples;
		s->leaked_samples = h[i].leaked_samples;
	}
}

static void collect_sites(const struct fl_proc *p, struct site **sites, size_t *n, size_t *cap)
{
	if (p->nsites) {
		for (size_t i = 0; i < p->nsites; i++) {
			struct site *s;
			FL_GROW(*sites, *cap, *n + 1);
			s = &(*sites)[(*n)++];
			memset(s, 0, sizeof(*s));
			s->p = p;
			s->stack = p->sites[i].stack;
			s->exact = 1;
			s->t = p->end_t;
			s->allocs = (double)p->sites[i].allocs;
			s->bytes = (double)p->sites[i].bytes;
			s->peak = (double)p->sites[i].peak;
			s->leaked_bytes = (double)p->sites[i].live;
			s->leaked_blocks = (double)(p->sites[i].allocs - p->sites[i].frees);
			s->temporary = -1;
		}
		return;
	}
	if (p->heap_folded) {
		add_sites(p, p->heap_sites, p->nheap_sites, sites, n, cap);
	} else {
		size_t nh;
		struct fl_heap_site *h = fl_heap_sites_of_blocks(p, &nh);
		add_sites(p, h, nh, sites, n, cap);
		free(h);
	}
}

/* The relative standard error of a sampled figure (0 when exact or zero). */
static double rse(double figure, double var)
{
	return figure > 0 && var > 0 ? sqrt(var) / figure : 0;
}

/*
 * What a sampled site's figures rest on, for the renderers: the period, the
 * records behind each figure and their relative standard errors, and which
 * figures the sample supports (rse at most MAX_SHOWN_RSE); the figures
 * themselves stay in the object as unbiased estimates.
 */
static void estimate_json(json_t *j, const struct site *s)
{
	double e_peak = rse(s->peak, s->var_peak), e_leak = rse(s->leaked_bytes, s->var_leaked);
	json_object_set_new(j, "estimate", json_true());
	json_object_set_new(j, "sample_period_bytes",
			    s->p->opt_sample > 0 ? json_integer(s->p->opt_sample) : json_null());
	json_object_set_new(j, "samples", json_integer((json_int_t)s->samples));
	json_object_set_new(j, "peak_samples", json_integer((json_int_t)s->peak_samples));
	json_object_set_new(j, "leaked_samples", json_integer((json_int_t)s->leaked_samples));
	json_object_set_new(j, "leaked_sampled_bytes",
			    json_integer((json_int_t)(s->leaked_sampled_bytes + 0.5)));
	json_object_set_new(
	    j, "rse",
	    json_pack("{s:f, s:f, s:f, s:f}", "allocs", rse(s->allocs, s->var_allocs), "bytes",
		      rse(s->bytes, s->var_bytes), "peak_live", e_peak, "leaked_bytes", e_leak));
	json_object_set_new(j, "supported",
			    json_pack("{s:b, s:b}", "peak_live", e_peak <= MAX_SHOWN_RSE,
				      "leaked_bytes", e_leak <= MAX_SHOWN_RSE));
}

/*
 * A weighted figure as a JSON integer. The weights and sizes are the
 * trace's: a hostile one (2^64-1) would overflow the conversion, so the
 * figure saturates.
 */
static json_t *rounded_count(double v)
{
	if (!(v + 0.5 < 0x1p63))
		return json_integer(v != v ? 0 : INT64_MAX);
	return json_integer(v + 0.5 > -0x1p63 ? (json_int_t)(v + 0.5) : INT64_MIN);
}
static json_t *site_json(const struct site *s, const struct fl_report_opts *o)
{
	json_t *j = fl_report_stack_json(o, s->p, s->stack, s->t, FRAMES_SHOWN);
	json_object_set_new(j, "key", json_string(s->p->key));
	json_object_set_new(j, "pid", json_integer(s->p->pid));
	json_object_set_new(j, "exact", json_boolean(s->exact));
	json_object_set_new(j, "allocs", rounded_count(s->allocs));
	json_object_set_new(j, "bytes", rounded_count(s->bytes));
	json_object_set_new(j, "peak_live", rounded_count(s->peak));
	json_object_set_new(j, "leaked_bytes", rounded_count(s->leaked_bytes));
	json_object_set_new(j, "leaked_blocks", rounded_count(s->leaked_blocks));
	json_object_set_new(j, "temporary",
			    s->temporary < 0 ? json_null() : rounded_count(s->temporary));
	json_object_set_new(j, "estimate", json_false());
	if (!s->exact)
		estimate_json(j, s);
	return j;
}

/* The double field at offset off of a site (the table being sorted by). */
static double field_at(const void *site, size_t off)
{
	double v;
	memcpy(&v, (const char *)site + off, sizeof(v));
	return v;
}

static int by_field(const void *a, const void *b, void *ctx)
{
	size_t off = *(size_t *)ctx;
	double x = field_at(a, off), y = field_at(b, off);
	if (x != y)
		return x > y ? -1 : 1;
	return ((const struct site *)a)->stack < ((const struct site *)b)->stack ? -1 : 1;
}

static json_t *top_list(struct site *s, size_t n, size_t off, const struct fl_report_opts *o)
{
	json_t *arr = json_array();
	if (n > 1)
		qsort_r(s, n, sizeof(*s), by_field, &off);
	for (size_t i = 0; i < n && (int)i < o->top; i++)
		if (field_at(&s[i], off) > 0) {
			json_array_append_new(arr, site_json(&s[i], o));
			s[i].listed = 1;
		}
	return arr;
}

/*
 * Every site's stack for the heap flame graphs: the process, its callers'
 * functions outermost first, then the site's own frame with its line (the
 * allocator plumbing left out, as in the lists); with its bytes, peak live
 * and leaked bytes.
 */
static json_t *flame_json(const struct site *sites, size_t n, const struct fl_report_opts *o)
{
	static const char *const keys[] = {"bytes", "peak_live", "leaked_bytes"};
	struct fl_flame *fl = fl_flame_new(keys, 3);
	size_t cap = 0;
	char **text = NULL, **name = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct site *s = &sites[i];
		const struct fl_stack *st = fl_proc_stack(s->p, s->stack);
		uint32_t first = st ? (uint32_t)fl_symbols_site_frame(o->syms, s->p, st, s->t) : 0;
		size_t depth = 1 + (st && st->nframes > first ? st->nframes - first : 1), k = 0;
		double v[3] = {s->bytes, s->peak, s->leaked_bytes};
		char buf[512];
		const char *exe = s->p->exe ? s->p->exe : "?", *base = strrchr(exe, '/');
		if (depth > cap) {
			text = fl_xrealloc(text, depth * sizeof(*text));
			name = fl_xrealloc(name, depth * sizeof(*name));
			cap = depth;
		}
		snprintf(buf, sizeof(buf), "%s [%d]", base ? base + 1 : exe, s->p->pid);
		text[k] = fl_xstrdup(buf);
		name[k++] = NULL;
		if (!st || st->nframes <= first) {
			text[k] = fl_xstrdup("(no backtrace)");
			name[k++] = NULL;
		}
		for (uint32_t f = st ? st->nframes : 0; st && f-- > first;) {
			struct fl_sym sym;
			/* callers merge by function, as flame graphs do; the site keeps its line */
			fl_symbols_lookup(o->syms, s->p, st->frames[f], s->t, 1, &sym);
			fl_symbols_format(&sym, st->frames[f], buf, sizeof(buf));
			text[k] = fl_xstrdup(f > first && sym.func ? sym.func : buf);
			name[k++] = sym.func ? fl_xstrdup(sym.func) : NULL;
		}
		fl_flame_add(fl, (const char *const *)text, (const char *const *)name, k, v,
			     s->listed);
		for (size_t j = 0; j < k; j++) {
			free(text[j]);
			free(name[j]);
		}
	}
	free(text);
	free(name);
	return fl_flame_json(fl);
}

/* Exact totals from the last heap tick of every selected process. */
static json_t *totals_json(const struct fl_model *m, const struct fl_report_opts *o,
			   uint64_t *live_end, uint64_t *peak)
{
	uint64_t calls[FL_FN_COUNT] = {0}, bytes[FL_FN_COUNT] = {0};
	json_t *t = json_object(), *jc = json_object(), *jb = json_object();
	*live_end = *peak = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_heap_tick *h = fl_proc_last_heap(m->procs[i]);
		if (!h || !fl_report_selected(o, m->procs[i]))
			continue;
		for (int f = 0; f < FL_FN_COUNT; f++) {
			calls[f] += h->calls[f];
			bytes[f] += h->bytes[f];
		}
		*live_end += h->live;
		if (h->peak > *peak)
			*peak = h->peak;
	}
	for (int f = 0; f < FL_FN_COUNT; f++) {
		json_object_set_new(jc, fl_fn_name(f), json_integer((json_int_t)calls[f]));
		if (FL_FN_IS_ALLOC(f))
			json_object_set_new(jb, fl_fn_name(f), json_integer((json_int_t)bytes[f]));
	}
	json_object_set_new(t, "calls", jc);
	json_object_set_new(t, "bytes", jb);
	json_object_set_new(t, "peak_live", json_integer((json_int_t)*peak));
	json_object_set_new(t, "live_at_end", json_integer((json_int_t)*live_end));
	return t;
}

/* What every leaked site adds up to. */
struct leak_total {
	double bytes, blocks, var, sampled_bytes;
	size_t samples;
};

static const char *leak_explain =
    "Memory that is never freed stays in the allocator's arenas (brk heap or mmap'd chunks) "
    "until exit; its pages stay resident once touched because the kernel cannot reclaim "
    "anonymous memory without swap.";

/*
 * The leak finding. Exact with --all; in the default mode an estimate marked
 * "≈" with its period, or, when too few leaked blocks were sampled to
 * estimate the whole, the sure lower bound: the sampled blocks never freed.
 */
static void leak_finding(json_t *r, const struct leak_total *lt, int exact, int64_t period,
			 uint64_t live_end)
{
	json_t *top = json_array_get(json_object_get(r, "leaks"), 0);
	const char *where =
	    top ? json_string_value(json_object_get(json_object_get(top, "site"), "text"))
		: "unknown";
	double e = rse(lt->bytes, lt->var);
	char b[32], per[32], live[32];
	if (exact) {
		fl_finding_add(r, "heap.leak", "warn", leak_explain,
			       "%s in %.0f blocks was still allocated at exit; the largest site is "
			       "%s",
			       fl_fmt_bytes(b, sizeof(b), lt->bytes), lt->blocks, where);
		return;
	}
	fl_fmt_bytes(per, sizeof(per), (double)period);
	fl_fmt_bytes(live, sizeof(live), (double)live_end);
	if (e > MAX_SHOWN_RSE) {
		fl_finding_add(r, "heap.leak", "warn", leak_explain,
			       "at least %s (%zu sampled block%s) was still allocated at exit "
			       "(live at end, exact: %s); too few blocks were sampled (one sample "
			       "per %s allocated on average) to estimate the leak; the largest "
			       "site is %s; record with --all for exact figures",
			       fl_fmt_bytes(b, sizeof(b), lt->sampled_bytes), lt->samples,
			       lt->samples == 1 ? "" : "s", live, per, where);
		return;
	}
	fl_finding_add(r, "heap.leak", "warn", leak_explain,
		       "≈%s in ≈%.0f blocks (±%.0f%%) was still allocated at exit, estimated from "
		       "%zu sampled blocks (one sample per %s allocated on average; live at end, "
		       "exact: %s); the largest site is %s",
		       fl_fmt_bytes(b, sizeof(b), lt->bytes), lt->blocks, 100 * e, lt->samples, per,
		       live, where);
}

json_t *fl_report_heap(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *r = json_object();
	struct site *sites = NULL;
	size_t n = 0, cap = 0, records = 0;
	int exact = 1, any = 0, aggregates = 0;
	int64_t interval = -1;
	uint64_t live_end, peak;
	struct leak_total lt = {0};
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		any = 1;
		exact &= p->opt_all;
		if (!p->opt_all && p->opt_sample > 0)
			interval = p->opt_sample;
		records += p->heap_folded ? p->nblocks_recorded : p->nblocks;
		aggregates |= p->nsites > 0;
		collect_sites(p, &sites, &n, &cap);
	}
	for (size_t i = 0; i < n; i++) {
		lt.bytes += sites[i].leaked_bytes;
		lt.blocks += sites[i].leaked_blocks;
		lt.var += sites[i].var_leaked;
		lt.sampled_bytes += sites[i].leaked_sampled_bytes;
		lt.samples += sites[i].leaked_samples;
	}
	json_object_set_new(r, "mode", json_string(any && exact ? "exact" : "sampled"));
	json_object_set_new(r, "sample_interval",
			    interval > 0 ? json_integer(interval) : json_null());
	json_object_set_new(r, "estimate", json_boolean(!(any && exact)));
	json_object_set_new(r, "sample_period_bytes",
			    interval > 0 ? json_integer(interval) : json_null());
	json_object_set_new(r, "records", json_integer((json_int_t)records));
	json_object_set_new(r, "site_source", json_string(aggregates ? "aggregates" : "records"));
	json_object_set_new(r, "sites_total", json_integer((json_int_t)n));
	json_object_set_new(r, "totals", totals_json(m, o, &live_end, &peak));
	json_object_set_new(r, "leaked_bytes", rounded_count(lt.bytes));
	json_object_set_new(r, "leaked_blocks", rounded_count(lt.blocks));
	json_object_set_new(r, "leaked_rse", json_real(rse(lt.bytes, lt.var)));
	json_object_set_new(r, "by_bytes", top_list(sites, n, offsetof(struct site, bytes), o));
	json_object_set_new(r, "by_count", top_list(sites, n, offsetof(struct site, allocs), o));
	json_object_set_new(r, "by_peak", top_list(sites, n, offsetof(struct site, peak), o));
	json_object_set_new(r, "leaks", top_list(sites, n, offsetof(struct site, leaked_bytes), o));
	json_object_set_new(r, "temporary",
			    top_list(sites, n, offsetof(struct site, temporary), o));
	json_object_set_new(r, "flame", flame_json(sites, n, o));
	json_object_set_new(r, "findings", json_array());
	if (lt.bytes > 0)
		leak_finding(r, &lt, any && exact, interval, live_end);
	if (any && !exact)
		fl_finding_add(
		    r, "heap.sampled", "info",
		    "Small allocations are sampled by bytes (a Poisson process, as in "
		    "tcmalloc), so per-site figures are unbiased estimates, marked ≈, "
		    "left out where fewer than about 4 sampled blocks stand behind them; "
		    "the call counts and totals above them are exact.",
		    "per-site figures are estimates from sampled records (one sample per "
		    "%lld bytes allocated on average); record with --all for exact ones",
		    (long long)interval);
	free(sites);
	return r;
}

static const char *site_text(json_t *site)
{
	return json_string_value(json_object_get(json_object_get(site, "site"), "text"));
}

/* Whether the rows come from more than one process (then each row says
 * which, as "[pid]"). */
static int several_keys(json_t *arr)
{
	const char *first = json_string_value(json_object_get(json_array_get(arr, 0), "key"));
	json_t *s;
	size_t i;
	json_array_foreach(arr, i, s)
	{
		const char *k = json_string_value(json_object_get(s, "key"));
		if (!first || !k || strcmp(first, k))
			return 1;
	}
	return 0;
}

#define FIGURES_WIDTH 49 /* "  BYTES CALLS PEAK-LIVE AT-EXIT  " */
#define TEXT_WIDTH 100

/*
 * Prints s right-aligned in width columns: "≈" and "—" are one column but
 * three bytes. Returns the bytes beyond the columns, which a row gives back
 * so that it fits TEXT_WIDTH bytes too (for tools that count bytes).
 */
static int cell(FILE *f, int width, const char *s)
{
	int cols = 0;
	for (const char *c = s; *c; c++)
		cols += ((unsigned char)*c & 0xc0) != 0x80;
	fprintf(f, " %*s%s", width > cols ? width - cols : 0, "", s);
	return (int)strlen(s) - cols;
}

/* A figure of a site; "—" when it is an estimate the sample cannot support
 * (the column header carries the "≈" of estimates). */
static const char *figure(char *buf, size_t n, json_t *s, const char *key, int bytes)
{
	json_t *supported = json_object_get(json_object_get(s, "supported"), key);
	json_int_t x = json_integer_value(json_object_get(s, key));
	if (json_is_true(json_object_get(s, "estimate")) && json_is_false(supported))
		return "—";
	if (bytes)
		return fl_fmt_bytes(buf, n, (double)x);
	return fl_fmt_count(buf, n, (uint64_t)x);
}

/*
 * The title and column header of a table. When its figures are estimates
 * every column says so with "≈" (the cells stay narrow) and the title gives
 * the sampling period.
 */
static void table_head(json_t *arr, const char *title, FILE *f)
{
	json_t *s;
	size_t i;
	long long period = 0;
	int est = 0;
	json_array_foreach(arr, i, s)
	{
		if (json_is_true(json_object_get(s, "estimate"))) {
			est = 1;
			period = fl_jint(s, "sample_period_bytes");
		}
	}
	if (period > 0) {
		char b[32];
		fprintf(f, "\n%s (≈, one sample per %s)\n", title,
			fl_fmt_bytes(b, sizeof(b), (double)period));
	} else {
		fprintf(f, "\n%s\n", title);
	}
	fputc(' ', f);
	cell(f, 10, est ? "≈BYTES" : "BYTES");
	cell(f, 12, est ? "≈CALLS" : "CALLS");
	cell(f, 10, est ? "≈PEAK LIVE" : "PEAK LIVE");
	cell(f, 10, est ? "≈AT EXIT" : "AT EXIT");
	fprintf(f, "  SITE\n");
}

static void sites_text(json_t *arr, const char *title, FILE *f)
{
	json_t *s;
	size_t i;
	char b1[32], b2[32], b3[32], c1[32], site[256], caller[256];
	int keyed = several_keys(arr);
	if (!json_array_size(arr))
		return;
	table_head(arr, title, f);
	json_array_foreach(arr, i, s)
	{
		const char *key = json_string_value(json_object_get(s, "key")),
			   *text = site_text(s);
		const char *via = fl_report_parting_caller(arr, i, NULL);
		int width = TEXT_WIDTH - FIGURES_WIDTH - (keyed && key ? (int)strlen(key) + 3 : 0);
		fputc(' ', f);
		width -= cell(f, 10, figure(b1, sizeof(b1), s, "bytes", 1));
		width -= cell(f, 12, figure(c1, sizeof(c1), s, "allocs", 0));
		width -= cell(f, 10, figure(b2, sizeof(b2), s, "peak_live", 1));
		width -= cell(f, 10, figure(b3, sizeof(b3), s, "leaked_bytes", 1));
		fprintf(f, "  %s", fl_fit_site(site, sizeof(site), text ? text : "?", width));
		if (keyed && key)
			fprintf(f, " [%s]", key);
		fputc('\n', f);
		if (via)
			fprintf(f, "%*svia %s\n", FIGURES_WIDTH + 2, "",
				fl_fit_site(caller, sizeof(caller), via,
					    TEXT_WIDTH - FIGURES_WIDTH - 6));
	}
}

void fl_report_heap_text(json_t *sec, FILE *f)
{
	json_t *t = json_object_get(sec, "totals");
	json_t *calls = json_object_get(t, "calls"), *bytes = json_object_get(t, "bytes");
	char b1[32], b2[32], c1[32];
	int col = 0;
	fprintf(f, "Calls (exact):");
	for (int fn = 0; fn < FL_FN_COUNT; fn++) {
		json_int_t c = json_integer_value(json_object_get(calls, fl_fn_name(fn)));
		json_t *by = json_object_get(bytes, fl_fn_name(fn));
		if (!c || fn >= FL_FN_MMAP)
			continue;
		if (col && col % 3 == 0)
			fprintf(f, "\n              ");
		col++;
		if (by)
			fprintf(f, "  %s %s (%s)", fl_fn_name(fn),
				fl_fmt_count(c1, sizeof(c1), (uint64_t)c),
				fl_fmt_bytes(b1, sizeof(b1), (double)json_integer_value(by)));
		else
			fprintf(f, "  %s %s", fl_fn_name(fn),
				fl_fmt_count(c1, sizeof(c1), (uint64_t)c));
	}
	fprintf(f, "%s\n", col ? "" : "  none");
	fprintf(f, "Peak live heap: %s   live at end: %s\n",
		fl_fmt_bytes(b1, sizeof(b1),
			     (double)json_integer_value(json_object_get(t, "peak_live"))),
		fl_fmt_bytes(b2, sizeof(b2),
			     (double)json_integer_value(json_object_get(t, "live_at_end"))));
	/* heaptrack and memray count the sizes asked for: say which this is. */
	fprintf(f, "Live bytes are usable sizes (malloc_usable_size: what the allocator set "
		   "aside,\n  at least the size asked for).\n");
	if (!strcmp(json_string_value(json_object_get(sec, "site_source")), "aggregates"))
		fprintf(f, "Per-site figures: exact (the shim's per-site totals)\n");
	else if (!strcmp(json_string_value(json_object_get(sec, "mode")), "exact"))
		fprintf(f, "Per-site figures: exact (%lld records)\n", fl_jint(sec, "records"));
	else
		fprintf(
		    f,
		    "Per-site figures: ≈ estimated from %lld sampled records, one sample per %s "
		    "allocated\n  on average; — where too few samples to estimate. The calls "
		    "above are exact.\n",
		    fl_jint(sec, "records"),
		    fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(sec, "sample_period_bytes")));
	sites_text(json_object_get(sec, "by_bytes"), "Top sites by bytes allocated:", f);
	sites_text(json_object_get(sec, "by_peak"), "Top sites by peak live bytes:", f);
	sites_text(json_object_get(sec, "leaks"),
		   "Leaked at exit (still allocated at the end):", f);
	sites_text(json_object_get(sec, "temporary"),
		   "Temporary allocations (freed within 1 ms), by count:", f);
	fl_findings_render(sec, f);
}
