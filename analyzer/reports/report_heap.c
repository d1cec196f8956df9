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
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/report_heap.h"
#include "util/xalloc.h"

#define TEMPORARY_NS 1000000 /* freed within 1 ms */
#define FRAMES_SHOWN 6

struct site {
	const struct fl_proc *p;
	uint32_t stack;
	int exact;
	uint64_t t; /* a time at which the site's code was mapped */
	double allocs, bytes, peak, leaked_bytes, leaked_blocks, temporary;
};

struct ev {
	uint64_t t;
	double d;
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->d > y->d) - (x->d < y->d); /* frees before allocs at the same time */
}

static int cmp_block_stack(const void *a, const void *b, void *ctx)
{
	const struct fl_block *bl = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct fl_block *x = &bl[i], *y = &bl[j];
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	if (x->t_alloc != y->t_alloc)
		return x->t_alloc < y->t_alloc ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * The block indices ordered by stack, then allocation time, then index.
 * The blocks are in allocation order, so their times nearly always
 * ascend: then a counting sort by stack (stable) gives that order in
 * linear time. Otherwise, or when the stack ids are too sparse, qsort.
 */
static size_t *blocks_by_stack(const struct fl_proc *p)
{
	size_t n = p->nblocks, *idx = fl_xmalloc(n * sizeof(*idx)), *start, i;
	uint32_t max = 0;
	int sorted = 1;
	for (i = 0; i < n; i++) {
		if (p->blocks[i].stack > max)
			max = p->blocks[i].stack;
		if (i && p->blocks[i].t_alloc < p->blocks[i - 1].t_alloc)
			sorted = 0;
	}
	if (!sorted || max > 4 * n + 4096) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), cmp_block_stack, p->blocks);
		return idx;
	}
	start = fl_xcalloc((size_t)max + 2, sizeof(*start));
	for (i = 0; i < n; i++)
		start[p->blocks[i].stack + 1]++;
	for (i = 1; i <= (size_t)max + 1; i++)
		start[i] += start[i - 1];
	for (i = 0; i < n; i++)
		idx[start[p->blocks[i].stack]++] = i;
	free(start);
	return idx;
}

static double calls_of(const struct fl_block *b)
{
	return b->size && b->weight > b->size ? (double)b->weight / (double)b->size : 1.0;
}

/* One site from a run [i, j) of block indices sharing a stack. */
static void site_from_blocks(const struct fl_proc *p, const size_t *idx, size_t n, struct site *s,
			     struct ev **evs, size_t *evcap)
{
	size_t ne = 0;
	double live = 0;
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->stack = p->blocks[idx[0]].stack;
	s->t = p->blocks[idx[0]].t_alloc;
	FL_GROW(*evs, *evcap, 2 * n);
	for (size_t k = 0; k < n; k++) {
		const struct fl_block *b = &p->blocks[idx[k]];
		double c = calls_of(b), w = (double)b->weight;
		s->allocs += c;
		s->bytes += w;
		(*evs)[ne++] = (struct ev){b->t_alloc, w};
		if (b->t_free == FL_T_NEVER) {
			s->leaked_bytes += w;
			s->leaked_blocks += c;
		} else {
			(*evs)[ne++] = (struct ev){b->t_free, -w};
			if (b->t_free - b->t_alloc < TEMPORARY_NS)
				s->temporary += c;
		}
	}
	qsort(*evs, ne, sizeof(**evs), cmp_ev);
	for (size_t k = 0; k < ne; k++) {
		live += (*evs)[k].d;
		if (live > s->peak)
			s->peak = live;
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
	if (!p->nblocks)
		return;
	{
		size_t *idx = blocks_by_stack(p), i, j;
		struct ev *evs = NULL;
		size_t evcap = 0;
		for (i = 0; i < p->nblocks; i = j) {
			for (j = i + 1;
			     j < p->nblocks && p->blocks[idx[j]].stack == p->blocks[idx[i]].stack;
			     j++)
				;
			FL_GROW(*sites, *cap, *n + 1);
			site_from_blocks(p, idx + i, j - i, &(*sites)[(*n)++], &evs, &evcap);
			(*sites)[*n - 1].exact = p->opt_all;
		}
		free(evs);
		free(idx);
	}
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
		if (field_at(&s[i], off) > 0)
			json_array_append_new(arr, site_json(&s[i], o));
	return arr;
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

json_t *fl_report_heap(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *r = json_object();
	struct site *sites = NULL;
	size_t n = 0, cap = 0, records = 0;
	int exact = 1, any = 0, aggregates = 0;
	int64_t interval = -1;
	uint64_t live_end, peak;
	double leaked = 0, leaked_blocks = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		any = 1;
		exact &= p->opt_all;
		if (!p->opt_all && p->opt_sample > 0)
			interval = p->opt_sample;
		records += p->nblocks;
		aggregates |= p->nsites > 0;
		collect_sites(p, &sites, &n, &cap);
	}
	for (size_t i = 0; i < n; i++) {
		leaked += sites[i].leaked_bytes;
		leaked_blocks += sites[i].leaked_blocks;
	}
	json_object_set_new(r, "mode", json_string(any && exact ? "exact" : "sampled"));
	json_object_set_new(r, "sample_interval",
			    interval > 0 ? json_integer(interval) : json_null());
	json_object_set_new(r, "records", json_integer((json_int_t)records));
	json_object_set_new(r, "site_source", json_string(aggregates ? "aggregates" : "records"));
	json_object_set_new(r, "sites_total", json_integer((json_int_t)n));
	json_object_set_new(r, "totals", totals_json(m, o, &live_end, &peak));
	json_object_set_new(r, "leaked_bytes", rounded_count(leaked));
	json_object_set_new(r, "leaked_blocks", rounded_count(leaked_blocks));
	json_object_set_new(r, "by_bytes", top_list(sites, n, offsetof(struct site, bytes), o));
	json_object_set_new(r, "by_count", top_list(sites, n, offsetof(struct site, allocs), o));
	json_object_set_new(r, "by_peak", top_list(sites, n, offsetof(struct site, peak), o));
	json_object_set_new(r, "leaks", top_list(sites, n, offsetof(struct site, leaked_bytes), o));
	json_object_set_new(r, "temporary",
			    top_list(sites, n, offsetof(struct site, temporary), o));
	json_object_set_new(r, "findings", json_array());
	if (leaked > 0) {
		char b[32];
		json_t *top = json_array_get(json_object_get(r, "leaks"), 0);
		fl_finding_add(
		    r, "heap.leak", "warn",
		    "Memory that is never freed stays in the allocator's arenas (brk heap "
		    "or mmap'd chunks) until exit; its pages stay resident once touched "
		    "because the kernel cannot reclaim anonymous memory without swap.",
		    "%s%s in %.0f blocks was still allocated at exit; the largest site is %s",
		    any && exact ? "" : "about ", fl_fmt_bytes(b, sizeof(b), leaked), leaked_blocks,
		    top ? json_string_value(json_object_get(json_object_get(top, "site"), "text"))
			: "unknown");
	}
	if (any && !exact)
		fl_finding_add(r, "heap.sampled", "info",
			       "Small allocations are sampled by bytes (a Poisson process, as in "
			       "tcmalloc), so per-site figures are unbiased estimates; call counts "
			       "and totals above them are exact.",
			       "per-site figures are estimates from sampled records (mean interval "
			       "%lld bytes); record with --all for exact ones",
			       (long long)interval);
	free(sites);
	return r;
}

static json_t *frame_at(json_t *site, size_t k)
{
	return json_array_get(json_object_get(site, "frames"), k);
}

static const char *frame_text(json_t *site, size_t k)
{
	return json_string_value(json_object_get(frame_at(site, k), "text"));
}

static const char *site_text(json_t *site)
{
	return json_string_value(json_object_get(json_object_get(site, "site"), "text"));
}

/* Index of the site's own frame in its stack (plumbing frames come before
 * it); the stack's length if none has its text. */
static size_t site_index(json_t *site, const char *text)
{
	size_t k, n = json_array_size(json_object_get(site, "frames"));
	for (k = 0; k < n; k++)
		if (frame_text(site, k) && !strcmp(frame_text(site, k), text))
			break;
	return k;
}

/* Two sites of a table with the same code location (different stacks
 * through it) would read as one printed twice: the first caller where
 * their stacks part tells them apart. NULL when site is unique. */
static const char *parting_caller(json_t *arr, size_t i)
{
	json_t *s = json_array_get(arr, i), *o;
	const char *text = site_text(s);
	size_t j;
	if (!text)
		return NULL;
	json_array_foreach(arr, j, o)
	{
		if (j == i || !site_text(o) || strcmp(site_text(o), text))
			continue;
		size_t ks = site_index(s, text), ko = site_index(o, text);
		size_t n = json_array_size(json_object_get(s, "frames"));
		for (size_t m = 1; ks + m < n; m++) {
			const char *a = frame_text(s, ks + m), *b = frame_text(o, ko + m);
			if (a && (!b || strcmp(a, b))) {
				const char *fn =
				    json_string_value(json_object_get(frame_at(s, ks + m), "func"));
				return fn ? fn : a;
			}
		}
	}
	return NULL;
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

static void sites_text(json_t *arr, const char *title, FILE *f)
{
	json_t *s;
	size_t i;
	char b1[32], b2[32], b3[32], c1[32], site[256], caller[256];
	int keyed = several_keys(arr);
	if (!json_array_size(arr))
		return;
	fprintf(f, "\n%s\n", title);
	fprintf(f, "  %10s %12s %10s %10s  %s\n", "BYTES", "CALLS", "PEAK LIVE", "AT EXIT", "SITE");
	json_array_foreach(arr, i, s)
	{
		const char *key = json_string_value(json_object_get(s, "key")),
			   *text = site_text(s);
		const char *via = parting_caller(arr, i);
		int width = TEXT_WIDTH - FIGURES_WIDTH - (keyed && key ? (int)strlen(key) + 3 : 0);
		fprintf(
		    f, "  %10s %12s %10s %10s  %s",
		    fl_fmt_bytes(b1, sizeof(b1),
				 (double)json_integer_value(json_object_get(s, "bytes"))),
		    fl_fmt_count(c1, sizeof(c1),
				 (uint64_t)json_integer_value(json_object_get(s, "allocs"))),
		    fl_fmt_bytes(b2, sizeof(b2),
				 (double)json_integer_value(json_object_get(s, "peak_live"))),
		    fl_fmt_bytes(b3, sizeof(b3),
				 (double)json_integer_value(json_object_get(s, "leaked_bytes"))),
		    fl_fit_site(site, sizeof(site), text ? text : "?", width));
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
	if (!strcmp(json_string_value(json_object_get(sec, "site_source")), "aggregates"))
		fprintf(f, "Per-site figures: exact (the shim's per-site totals)\n");
	else
		fprintf(f, "Per-site figures: %s (%lld records)\n",
			!strcmp(json_string_value(json_object_get(sec, "mode")), "exact")
			    ? "exact"
			    : "estimated from samples",
			(long long)json_integer_value(json_object_get(sec, "records")));
	sites_text(json_object_get(sec, "by_bytes"), "Top sites by bytes allocated:", f);
	sites_text(json_object_get(sec, "by_peak"), "Top sites by peak live bytes:", f);
	sites_text(json_object_get(sec, "leaks"),
		   "Leaked at exit (still allocated at the end):", f);
	sites_text(json_object_get(sec, "temporary"),
		   "Temporary allocations (freed within 1 ms), by count:", f);
	fl_findings_render(sec, f);
}
