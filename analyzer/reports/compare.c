/*
 * Two runs figure by figure, and what a user may conclude from them. A
 * figure differs only when its runs say so: with repeated runs the spread
 * of each side must not cover the other's, and a verdict that would rest on
 * one run says so. The read/mmap verdict is given only for a read/mmap pair
 * and names the measured part that differs most, disk reads before copies
 * and faults, since a cold scan is decided by what readahead pulled in.
 */
#include "reports/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/explain.h"
#include "analysis/fault_class.h"
#include "reports/report_io.h"
#include "util/xalloc.h"

#define MIB (1024.0 * 1024.0)
#define TIE 1.05	   /* medians within 5 %: no clear winner */
#define SITE_FRAMES 3	   /* frames that name a heap site across traces */
#define SHOWN_SITES 50	   /* heap sites kept in the JSON */
#define COPIER_MIN MIB	   /* a read() run copies at least this */
#define DISK_MIN (8 * MIB) /* disk reads below this explain nothing */

enum unit { U_NS, U_BYTES, U_COUNT };
static const char *const unit_name[] = {"ns", "bytes", "count"};

enum fig {
	FIG_OWN,
	FIG_WALL,
	FIG_CPU,
	FIG_SYS,
	FIG_READ_CALLS,
	FIG_READ_BYTES,
	FIG_DISK,
	FIG_FAULTS,
	FIG_MINFLT,
	FIG_MAJFLT,
	FIG_FILE_PAGES,
	FIG_RSS,
	FIG_RSS_ANON,
	FIG_RSS_FILE,
	FIG_DTLB,
	FIG_HEAP_BYTES,
	FIG_HEAP_CALLS,
	FIG_HEAP_PEAK,
	FIG_HEAP_LEAKED,
	FIG_FAULT0, /* then one per fault class */
	FIG_COUNT = FIG_FAULT0 + FL_FC_COUNT
};

static const struct {
	const char *key, *label;
	enum unit unit;
} figs[FIG_FAULT0] = {
    [FIG_OWN] = {"own_ns", "time (program's own)", U_NS},
    [FIG_WALL] = {"wall_ns", "wall time", U_NS},
    [FIG_CPU] = {"cpu_ns", "CPU time", U_NS},
    [FIG_SYS] = {"stime_ns", "system time", U_NS},
    [FIG_READ_CALLS] = {"read_calls", "read() calls", U_COUNT},
    [FIG_READ_BYTES] = {"read_bytes", "bytes copied to user space", U_BYTES},
    [FIG_DISK] = {"disk_read_bytes", "bytes read from disk", U_BYTES},
    [FIG_FAULTS] = {"faults_total", "page faults (sampled)", U_COUNT},
    [FIG_MINFLT] = {"ru_minflt", "minor faults (getrusage)", U_COUNT},
    [FIG_MAJFLT] = {"ru_majflt", "major faults (getrusage)", U_COUNT},
    [FIG_FILE_PAGES] = {"file_pages_mapped", "file pages mapped", U_COUNT},
    [FIG_RSS] = {"rss_peak", "peak RSS", U_BYTES},
    [FIG_RSS_ANON] = {"rss_anon_peak", "peak RSS anon", U_BYTES},
    [FIG_RSS_FILE] = {"rss_file_peak", "peak RSS file (page cache mapped)", U_BYTES},
    [FIG_DTLB] = {"dtlb_misses", "dTLB misses", U_COUNT},
    [FIG_HEAP_BYTES] = {"heap_bytes", "heap bytes allocated", U_BYTES},
    [FIG_HEAP_CALLS] = {"heap_calls", "heap allocation calls", U_COUNT},
    [FIG_HEAP_PEAK] = {"heap_peak", "heap peak live", U_BYTES},
    [FIG_HEAP_LEAKED] = {"heap_leaked", "heap live at exit", U_BYTES},
};

static char fault_keys[FL_FC_COUNT][40], fault_labels[FL_FC_COUNT][40];

static const char *fig_key(int f)
{
	if (f < FIG_FAULT0)
		return figs[f].key;
	snprintf(fault_keys[f - FIG_FAULT0], sizeof(fault_keys[0]), "faults.%s",
		 fl_fclass_name(f - FIG_FAULT0));
	return fault_keys[f - FIG_FAULT0];
}

static const char *fig_label(int f)
{
	if (f < FIG_FAULT0)
		return figs[f].label;
	snprintf(fault_labels[f - FIG_FAULT0], sizeof(fault_labels[0]), "faults: %s",
		 fl_fclass_name(f - FIG_FAULT0));
	return fault_labels[f - FIG_FAULT0];
}

static enum unit fig_unit(int f)
{
	return f < FIG_FAULT0 ? figs[f].unit : U_COUNT;
}

/* One run: its processes (a view of the model) and its figures (NAN unknown). */
struct run {
	int32_t index;
	struct fl_model view;
	struct fl_io_profile io;
	double fig[FIG_COUNT];
	double file_mapped; /* bytes of files the program mmap()ed (the residency may miss them) */
};

struct side {
	struct run *runs;
	size_t nruns;
	double median[FIG_COUNT], min[FIG_COUNT], max[FIG_COUNT];
	size_t median_run; /* the run whose own time is the median */
};

static double known(int64_t v)
{
	return v >= 0 ? (double)v : NAN;
}

/*
 * Where the program's own time starts: the shim's first maps snapshot, the
 * last thing its start-up does (the constructor, an exec's or a fork's)
 * before the program's code runs. The program's first recorded event would
 * not do: a program that allocates little, maps nothing and faults rarely
 * (a read() loop) has its first one whenever a sampled block or a sampled
 * fault happens to come, and a 170 ms run then measured 60 ms in one run of
 * three. Without a snapshot the image counts from its first line. The
 * shim's own ticks and reads (shim_cpu_ns, to each process's end) are then
 * taken out of the span (run_figures): summed over the processes, which
 * overlaps would count twice.
 */
static uint64_t first_own_t(const struct fl_proc *p)
{
	return p->nmaps && p->maps[0].t <= p->end_t ? p->maps[0].t : 0;
}

static void add(double *acc, double v)
{
	if (!isnan(v))
		*acc = (isnan(*acc) ? 0 : *acc) + v;
}

static void heap_totals(const struct fl_proc *p, double *fig)
{
	const struct fl_heap_tick *h = fl_proc_last_heap(p);
	double calls = 0, bytes = 0;
	if (!h)
		return;
	for (int f = 0; f < FL_FN_COUNT; f++)
		if (FL_FN_IS_ALLOC(f)) {
			calls += (double)h->calls[f];
			bytes += (double)h->bytes[f];
		}
	add(&fig[FIG_HEAP_CALLS], calls);
	add(&fig[FIG_HEAP_BYTES], bytes);
	add(&fig[FIG_HEAP_PEAK], (double)h->peak);
	add(&fig[FIG_HEAP_LEAKED], (double)h->live);
}

static void run_figures(struct run *r, const struct fl_report_opts *o)
{
	const struct fl_io_profile *io = &r->io;
	uint64_t first = UINT64_MAX, last = 0;
	double shim_ns = 0, *fig = r->fig;
	for (int f = 0; f < FIG_COUNT; f++)
		fig[f] = NAN;
	fl_io_profile(&r->view, o, &r->io);
	for (size_t i = 0; i < r->view.nprocs; i++) {
		const struct fl_proc *p = r->view.procs[i];
		int64_t rss = -1;
		if (!fl_report_selected(o, p))
			continue;
		if (p->start_realtime_ns + first_own_t(p) < first)
			first = p->start_realtime_ns + first_own_t(p);
		if (p->start_realtime_ns + p->end_t > last)
			last = p->start_realtime_ns + p->end_t;
		/* getrusage's figures, summed over the images that end a
		 * process: one that exec'd hands its counts on to the next */
		if (!fl_proc_ended_by_exec(p) && p->exit.present) {
			add(&fig[FIG_DISK],
			    p->exit.ru_inblock >= 0 ? 512.0 * (double)p->exit.ru_inblock : NAN);
			add(&fig[FIG_MINFLT], known(p->exit.ru_minflt));
			add(&fig[FIG_MAJFLT], known(p->exit.ru_majflt));
		}
		struct fl_counters_cursor cur;
		const struct fl_counters *c;
		fl_counters_begin(&cur, &p->counters);
		while ((c = fl_counters_next(&cur)) != NULL) {
			int64_t v = (c->rss_anon > 0 ? c->rss_anon : 0) +
				    (c->rss_file > 0 ? c->rss_file : 0) +
				    (c->rss_shmem > 0 ? c->rss_shmem : 0);
			if (c->rss_anon >= 0 && v > rss)
				rss = v;
		}
		if (rss < 0 && p->exit.present && p->exit.ru_maxrss_kb >= 0)
			rss = p->exit.ru_maxrss_kb * 1024;
		add(&fig[FIG_RSS], known(rss));
		/* the shim's ticks and reads, on the program's threads, to the
		 * process's end (traces before the figure: none known) */
		int64_t shim_own = fl_proc_shim_cpu_ns(p);
		if (shim_own > 0)
			shim_ns += (double)shim_own;
		heap_totals(p, fig);
		for (size_t k = 0; k < p->ncalls; k++)
			if (p->calls[k].fn == FL_FN_MMAP && p->calls[k].path &&
			    p->calls[k].err == 0)
				r->file_mapped += (double)p->calls[k].size;
	}
	fig[FIG_OWN] =
	    last > first && first != UINT64_MAX ? fmax(0, (double)(last - first) - shim_ns) : NAN;
	fig[FIG_WALL] = (double)io->wall_ns;
	fig[FIG_CPU] = known(io->cpu_ns);
	fig[FIG_SYS] = known(io->stime_ns);
	fig[FIG_READ_CALLS] = (double)io->read_calls;
	fig[FIG_READ_BYTES] = (double)io->read_bytes;
	fig[FIG_FILE_PAGES] = known(io->file_pages_peak);
	fig[FIG_RSS_ANON] = known(io->rss_anon_peak);
	fig[FIG_RSS_FILE] = known(io->rss_file_peak);
	fig[FIG_DTLB] = known(io->dtlb_misses);
	fig[FIG_FAULTS] = 0;
	for (int c = 0; c < FL_FC_COUNT; c++) {
		if (c == FL_FC_SHIM)
			continue;
		fig[FIG_FAULT0 + c] = (double)io->faults[c];
		fig[FIG_FAULTS] += (double)io->faults[c];
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static void side_stats(struct side *s)
{
	double *v = fl_xmalloc((s->nruns + 1) * sizeof(*v));
	for (int f = 0; f < FIG_COUNT; f++) {
		size_t n = 0;
		for (size_t r = 0; r < s->nruns; r++)
			if (!isnan(s->runs[r].fig[f]))
				v[n++] = s->runs[r].fig[f];
		if (!n) {
			s->median[f] = s->min[f] = s->max[f] = NAN;
			continue;
		}
		qsort(v, n, sizeof(*v), cmp_double);
		s->min[f] = v[0];
		s->max[f] = v[n - 1];
		s->median[f] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	/* the run nearest the median own time stands for the side in "a"/"b" */
	s->median_run = 0;
	for (size_t r = 1; r < s->nruns; r++)
		if (fabs(s->runs[r].fig[FIG_OWN] - s->median[FIG_OWN]) <
		    fabs(s->runs[s->median_run].fig[FIG_OWN] - s->median[FIG_OWN]))
			s->median_run = r;
	free(v);
}

/* Splits m into its runs (options.run), each a view sharing m's processes. */
static void side_load(struct side *s, const struct fl_model *m, const struct fl_report_opts *o)
{
	int32_t *idx = fl_xmalloc((m->nprocs + 1) * sizeof(*idx));
	size_t n = 0;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < m->nprocs; i++)
		idx[i] = m->procs[i]->opt_run;
	qsort(idx, m->nprocs, sizeof(*idx), cmp_i32);
	for (size_t i = 0; i < m->nprocs; i++)
		if (!n || idx[n - 1] != idx[i])
			idx[n++] = idx[i];
	s->runs = fl_xcalloc(n ? n : 1, sizeof(*s->runs));
	for (size_t r = 0; r < n; r++) {
		struct run *run = &s->runs[s->nruns];
		size_t k = 0;
		run->index = idx[r];
		run->view = *m;
		run->view.procs = fl_xmalloc(m->nprocs * sizeof(*run->view.procs));
		for (size_t i = 0; i < m->nprocs; i++)
			if (m->procs[i]->opt_run == idx[r] && fl_report_selected(o, m->procs[i]))
				run->view.procs[k++] = m->procs[i];
		run->view.nprocs = k;
		if (!k) {
			free(run->view.procs);
			continue;
		}
		run_figures(run, o);
		s->nruns++;
	}
	free(idx);
	side_stats(s);
}

static void side_release(struct side *s)
{
	for (size_t r = 0; r < s->nruns; r++)
		free(s->runs[r].view.procs);
	free(s->runs);
}

size_t fl_runs_count(const struct fl_model *m)
{
	size_t n = 0;
	int32_t seen_max = -1;
	/* runs are numbered 1..N; an untagged trace is one run */
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->opt_run > seen_max)
			seen_max = m->procs[i]->opt_run;
	for (int32_t r = seen_max; r >= 0; r--)
		for (size_t i = 0; i < m->nprocs; i++)
			if (m->procs[i]->opt_run == r) {
				n++;
				break;
			}
	return n ? n : 1;
}

/* ---- figures as JSON ---- */

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_integer((json_int_t)llround(v));
}

static json_t *spread_json(const struct side *s, int f)
{
	return json_pack("{s:o, s:o, s:o}", "median", num(s->median[f]), "min", num(s->min[f]),
			 "max", num(s->max[f]));
}

/*
 * Whether the runs tell a change from noise: the difference of the medians
 * must exceed the spread (max - min) of either side's runs, or the runs of
 * one side alone vary as much as the two sides differ. A time also has to
 * differ by more than TIE: two batches of runs of the same command, one after
 * the other, drift apart by a few percent (frequency, caches, neighbours) while
 * each batch's own spread can be narrower. With one run each there is
 * nothing to tell noise by.
 */
static const char *noise(const struct side *a, const struct side *b, int f)
{
	double diff = fabs(b->median[f] - a->median[f]);
	if (a->nruns < 2 && b->nruns < 2)
		return "one_run";
	if (f < FIG_FAULT0 && figs[f].unit == U_NS &&
	    diff <= (TIE - 1) * fmax(fabs(a->median[f]), fabs(b->median[f])))
		return "within";
	double spread = fmax(a->max[f] - a->min[f], b->max[f] - b->min[f]);
	return diff > spread ? "clear" : "within";
}

/* How much a figure changed, for the order of the rows: relative to the larger side. */
static double change_weight(double a, double b)
{
	double big = fmax(fabs(a), fabs(b));
	return big > 0 ? fabs(b - a) / big : 0;
}

static int cmp_row(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	double wa = json_real_value(json_object_get(a, "weight"));
	double wb = json_real_value(json_object_get(b, "weight"));
	return (wa < wb) - (wa > wb);
}

static json_t *figures_json(const struct side *a, const struct side *b)
{
	json_t *rows[FIG_COUNT], *arr = json_array();
	size_t n = 0;
	for (int f = 0; f < FIG_COUNT; f++) {
		double va = a->median[f], vb = b->median[f];
		if (f == FIG_FAULT0 + FL_FC_SHIM || (isnan(va) && isnan(vb)) ||
		    (va == 0 && vb == 0) || (isnan(va) && vb == 0) || (va == 0 && isnan(vb)))
			continue;
		json_t *r = json_pack("{s:s, s:s, s:s, s:o, s:o}", "key", fig_key(f), "label",
				      fig_label(f), "unit", unit_name[fig_unit(f)], "a",
				      spread_json(a, f), "b", spread_json(b, f));
		int both = !isnan(va) && !isnan(vb);
		json_object_set_new(r, "change", both ? num(vb - va) : json_null());
		json_object_set_new(r, "ratio", both && va > 0 ? json_real(vb / va) : json_null());
		json_object_set_new(r, "noise", json_string(both ? noise(a, b, f) : "one_run"));
		json_object_set_new(r, "weight", json_real(both ? change_weight(va, vb) : 0));
		rows[n++] = r;
	}
	qsort(rows, n, sizeof(*rows), cmp_row);
	for (size_t i = 0; i < n; i++) {
		json_object_del(rows[i], "weight");
		json_array_append_new(arr, rows[i]);
	}
	return arr;
}

/* ---- heap sites across two traces ---- */

/* Per site (by name), summed over a side's runs: bytes, calls, peak, leaked. */
struct site_sum {
	double v[2][4];
};

struct site_table {
	json_t *index; /* name -> integer index into sums */
	struct site_sum *sums;
	size_t n, cap;
};

/*
 * A site's name must mean the same code in both traces, whatever the
 * addresses: the function names of its first frames, or the object and
 * offset where a frame has no name.
 */
static size_t site_of(struct site_table *t, const struct fl_report_opts *o, const struct fl_proc *p,
		      uint32_t stack_id, uint64_t when)
{
	const struct fl_stack *st = fl_proc_stack(p, stack_id);
	char name[1024] = "", buf[512];
	size_t len = 0;
	json_t *slot;
	if (!st || !st->nframes) {
		snprintf(name, sizeof(name), "(no backtrace)");
	} else {
		int first = fl_symbols_site_frame(o->syms, p, st, when);
		for (uint32_t i = (uint32_t)first;
		     i < st->nframes && i < (uint32_t)first + SITE_FRAMES; i++) {
			struct fl_sym sym;
			const char *text;
			fl_symbols_lookup(o->syms, p, st->frames[i], when, 1, &sym);
			if (sym.func) {
				text = sym.func;
			} else if (sym.object) {
				const char *base = strrchr(sym.object, '/');
				snprintf(buf, sizeof(buf), "%s+0x%llx",
					 base ? base + 1 : sym.object,
					 (unsigned long long)sym.obj_off);
				text = buf;
			} else {
				text = "?";
			}
			len += (size_t)snprintf(name + len, sizeof(name) - len, "%s%s",
						len ? " < " : "", text);
			if (len >= sizeof(name))
				break;
		}
	}
	slot = json_object_get(t->index, name);
	if (slot)
		return (size_t)json_integer_value(slot);
	FL_GROW(t->sums, t->cap, t->n + 1);
	memset(&t->sums[t->n], 0, sizeof(t->sums[0]));
	json_object_set_new(t->index, name, json_integer((json_int_t)t->n));
	return t->n++;
}

struct hev {
	size_t site;
	uint64_t t;
	double d;
};

static int cmp_hev(const void *x, const void *y)
{
	const struct hev *a = x, *b = y;
	if (a->site != b->site)
		return a->site < b->site ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->d > b->d) - (a->d < b->d);
}

static void proc_sites(struct site_table *t, const struct fl_report_opts *o,
		       const struct fl_proc *p, int side)
{
	struct hev *ev;
	size_t ne = 0, *of_stack;
	if (p->nsites) { /* --all: the shim's exact per-site figures */
		for (size_t i = 0; i < p->nsites; i++) {
			size_t k =
			    site_of(t, o, p, p->sites[i].stack, p->end_t); /* may grow sums */
			double *v = t->sums[k].v[side];
			v[0] += (double)p->sites[i].bytes;
			v[1] += (double)p->sites[i].allocs;
			v[2] += (double)p->sites[i].peak;
			v[3] += (double)p->sites[i].live;
		}
		return;
	}
	of_stack = fl_xcalloc(p->nstacks + 1, sizeof(*of_stack));
	ev = fl_xmalloc((2 * p->nblocks + 1) * sizeof(*ev));
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		size_t s;
		uint64_t size = fl_block_size(p, b), weight = fl_block_weight(p, b);
		double w = (double)weight;
		if (b->stack < p->nstacks && of_stack[b->stack])
			s = of_stack[b->stack] - 1;
		else
			s = site_of(t, o, p, b->stack, b->t_alloc);
		if (b->stack < p->nstacks)
			of_stack[b->stack] = s + 1;
		t->sums[s].v[side][0] += w;
		t->sums[s].v[side][1] += size && weight > size ? w / (double)size : 1;
		if (b->t_free == FL_T_NEVER)
			t->sums[s].v[side][3] += w;
		ev[ne++] = (struct hev){s, b->t_alloc, w};
		if (b->t_free != FL_T_NEVER)
			ev[ne++] = (struct hev){s, b->t_free, -w};
	}
	qsort(ev, ne, sizeof(*ev), cmp_hev);
	for (size_t i = 0, j; i < ne; i = j) {
		double live = 0, peak = 0;
		for (j = i; j < ne && ev[j].site == ev[i].site; j++) {
			live += ev[j].d;
			if (live > peak)
				peak = live;
		}
		t->sums[ev[i].site].v[side][2] += peak;
	}
	free(ev);
	free(of_stack);
}

static int cmp_site_row(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	double ca = fabs(json_number_value(json_object_get(a, "change_bytes")));
	double cb = fabs(json_number_value(json_object_get(b, "change_bytes")));
	if (ca != cb)
		return (ca < cb) - (ca > cb);
	return strcmp(json_string_value(json_object_get(a, "site")),
		      json_string_value(json_object_get(b, "site")));
}

static json_t *site_side(const double *v, size_t nruns)
{
	double n = nruns ? (double)nruns : 1;
	return json_pack("{s:o, s:o, s:o, s:o}", "bytes", num(v[0] / n), "calls", num(v[1] / n),
			 "peak", num(v[2] / n), "leaked", num(v[3] / n));
}

static json_t *heap_sites_json(const struct side *sides[2], const struct fl_report_opts *o[2])
{
	struct site_table t = {json_object(), NULL, 0, 0};
	json_t **rows, *arr = json_array(), *v;
	const char *name;
	for (int s = 0; s < 2; s++)
		for (size_t r = 0; r < sides[s]->nruns; r++)
			for (size_t i = 0; i < sides[s]->runs[r].view.nprocs; i++)
				proc_sites(&t, o[s], sides[s]->runs[r].view.procs[i], s);
	rows = fl_xmalloc((t.n + 1) * sizeof(*rows));
	json_object_foreach(t.index, name, v)
	{
		const struct site_sum *ss = &t.sums[json_integer_value(v)];
		double na = sides[0]->nruns ? (double)sides[0]->nruns : 1;
		double nb = sides[1]->nruns ? (double)sides[1]->nruns : 1;
		rows[json_integer_value(v)] = json_pack(
		    "{s:s, s:o, s:o, s:o}", "site", name, "a", site_side(ss->v[0], sides[0]->nruns),
		    "b", site_side(ss->v[1], sides[1]->nruns), "change_bytes",
		    num(ss->v[1][0] / nb - ss->v[0][0] / na));
	}
	qsort(rows, t.n, sizeof(*rows), cmp_site_row);
	for (size_t i = 0; i < t.n; i++) {
		if (i < SHOWN_SITES)
			json_array_append(arr, rows[i]);
		json_decref(rows[i]);
	}
	free(rows);
	free(t.sums);
	json_decref(t.index);
	return arr;
}

/* ---- the read/mmap verdict ---- */

static double med(const struct side *s, int f)
{
	return isnan(s->median[f]) ? 0 : s->median[f];
}

struct pair {
	int copier, mapper; /* 0 = a, 1 = b */
};

/*
 * A read/mmap pair: one side copies its file data with read() (at least
 * COPIER_MIN, four times the other's), and the other maps at least half as
 * much file data as the first copied (pages seen mapped, or the size of its
 * file mmap() calls when a short run ended before the residency sampler
 * looked). Anything else (two heap-heavy runs,
 * two read runs) gets no read/mmap verdict: its copies and faults would be
 * differences of another kind.
 */
static int read_mmap_pair(const struct side *s[2], struct pair *p)
{
	for (int c = 0; c < 2; c++) {
		double copied = s[c]->median[FIG_READ_BYTES];
		double other = s[!c]->median[FIG_READ_BYTES];
		double mapped = fmax(4096.0 * med(s[!c], FIG_FILE_PAGES),
				     s[!c]->runs[s[!c]->median_run].file_mapped);
		if (copied >= COPIER_MIN && copied >= 4 * other && mapped >= copied / 2) {
			p->copier = c;
			p->mapper = !c;
			return 1;
		}
	}
	return 0;
}

/*
 * The parts of the difference, measured: disk reads first when the slower
 * side read clearly more from disk (a cold scan is decided there), then the
 * trade itself: copies saved against faults and mapped pages taken.
 */
static json_t *verdict(const struct side *s[2], const char *name[2], json_t *cmp)
{
	struct pair p;
	char text[1536], b1[32], b2[32], b3[32];
	size_t len = 0;
	json_t *v;
	if (!read_mmap_pair(s, &p)) {
		v = json_pack("{s:b, s:s}", "pair", 0, "text",
			      "no read/mmap verdict: the two runs are not one that copies its file "
			      "data with read() and one that maps it; see the figures for what "
			      "changed");
		return v;
	}
	double ta = med(s[0], FIG_OWN), tb = med(s[1], FIG_OWN);
	int fast = ta <= tb ? 0 : 1, slow = !fast;
	double ratio =
	    med(s[fast], FIG_OWN) > 0 ? med(s[slow], FIG_OWN) / med(s[fast], FIG_OWN) : 1;
	const char *nz = noise(s[0], s[1], FIG_OWN);
	int tie = ratio < TIE || !strcmp(nz, "within");
	int runs = s[0]->nruns > 1 || s[1]->nruns > 1;
	double disk[2] = {med(s[0], FIG_DISK), med(s[1], FIG_DISK)};
	int disk_known = !isnan(s[0]->median[FIG_DISK]) && !isnan(s[1]->median[FIG_DISK]);
	double copies = med(s[p.copier], FIG_READ_BYTES) - med(s[p.mapper], FIG_READ_BYTES);
	double calls = fmax(0, med(s[p.copier], FIG_READ_CALLS) - med(s[p.mapper], FIG_READ_CALLS));
	double faults = med(s[p.mapper], FIG_FAULTS) - med(s[p.copier], FIG_FAULTS);
	double pages = fmax(0, med(s[p.mapper], FIG_FILE_PAGES) - med(s[p.copier], FIG_FILE_PAGES));
	int more_disk = disk[0] >= disk[1] ? 0 : 1;
	int disk_differs = disk_known && fabs(disk[0] - disk[1]) >= DISK_MIN &&
			   fabs(disk[0] - disk[1]) >= 0.25 * fmax(disk[0], disk[1]);
	const char *cause;
	if (tie)
		cause = "none";
	else if (disk_differs && more_disk == slow)
		cause = "disk_reads";
	else if (slow == p.mapper)
		cause = "faults";
	else
		cause = "copies";

	if (tie)
		len += (size_t)snprintf(
		    text + len, sizeof(text) - len,
		    "no clear winner: %s and %s took %s and %s of their own time%s", name[0],
		    name[1], fl_fmt_ns(b1, sizeof(b1), ta), fl_fmt_ns(b2, sizeof(b2), tb),
		    !strcmp(nz, "within") ? " (within noise: the runs vary as much)"
					  : " (within 5 %)");
	else
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s was %.2fx faster than %s (%s against %s of the "
					"program's own time%s)",
					name[fast], ratio, name[slow],
					fl_fmt_ns(b1, sizeof(b1), med(s[fast], FIG_OWN)),
					fl_fmt_ns(b2, sizeof(b2), med(s[slow], FIG_OWN)),
					runs ? ", medians of the runs" : ", one run each");
	if (disk_differs && len < sizeof(text))
		len += (size_t)snprintf(
		    text + len, sizeof(text) - len,
		    ". %s read %s from disk against %s for %s (readahead included)%s",
		    name[more_disk], fl_fmt_bytes(b1, sizeof(b1), disk[more_disk]),
		    fl_fmt_bytes(b2, sizeof(b2), disk[!more_disk]), name[!more_disk],
		    !strcmp(cause, "disk_reads") ? ": the disk reads dominate the difference" : "");
	if (len < sizeof(text))
		len += (size_t)snprintf(
		    text + len, sizeof(text) - len,
		    ". %s saved %s of copies to user space and %.0f read() calls, and took %.0f "
		    "more page faults and %.0f more file pages mapped (page-table and TLB work) "
		    "than %s",
		    name[p.mapper], fl_fmt_bytes(b3, sizeof(b3), copies), calls, faults, pages,
		    name[p.copier]);
	if (len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, ": %s",
			 !strcmp(cause, "none") ? "the trade made no measurable difference here"
			 : !strcmp(cause, "disk_reads") ? "the copies and faults explain less"
			 : !strcmp(cause, "copies")
			     ? "here the trade paid off"
			     : "here the copies were cheaper than the faults");
	v = json_pack("{s:b, s:s, s:f, s:s, s:s, s:I, s:I, s:I, s:I, s:b, s:s, s:s, s:s}", "pair",
		      1, "faster", tie ? "tie" : (fast == 0 ? "a" : "b"), "ratio", ratio,
		      "copying_run", p.copier == 0 ? "a" : "b", "mapping_run",
		      p.mapper == 0 ? "a" : "b", "copies_saved_bytes", (json_int_t)llround(copies),
		      "read_calls_saved", (json_int_t)llround(calls), "extra_faults",
		      (json_int_t)llround(faults), "extra_pages_mapped", (json_int_t)llround(pages),
		      "trade_paid_off", !strcmp(cause, "copies"), "cause", cause, "noise", nz,
		      "text", text);
	json_object_set_new(v, "disk_read_bytes",
			    json_pack("{s:o, s:o}", "a", num(s[0]->median[FIG_DISK]), "b",
				      num(s[1]->median[FIG_DISK])));
	if (!disk_known)
		fl_explain_add(cmp, "compare.no_disk_bytes", FL_SEV_INFO, FL_MECH_DISK_READ,
			       "the bytes read from disk are not in these traces (recorded by an "
			       "older faultline): the verdict cannot weigh disk reads");
	if (!runs)
		fl_explain_add(cmp, "compare.one_run", FL_SEV_INFO, FL_MECH_RUN_NOISE,
			       "each side is one run: record with --repeat N to tell a change "
			       "from noise");
	return v;
}

static void side_profile(json_t *cmp, const char *key, const struct side *s)
{
	const struct run *r = &s->runs[s->median_run];
	json_t *j = fl_io_profile_json(&r->io);
	json_object_set_new(j, "own_ns", num(r->fig[FIG_OWN]));
	json_object_set_new(j, "disk_read_bytes", num(r->fig[FIG_DISK]));
	json_object_set_new(j, "run", json_integer(r->index));
	json_object_set_new(cmp, key, j);
}

json_t *fl_compare(const struct fl_model *ma, const struct fl_report_opts *oa,
		   const struct fl_model *mb, const struct fl_report_opts *ob, const char *na,
		   const char *nb)
{
	struct side sa, sb;
	const struct side *s[2] = {&sa, &sb};
	const struct fl_report_opts *o[2] = {oa, ob};
	const char *name[2] = {na, nb};
	json_t *cmp = json_object(), *v;
	side_load(&sa, ma, oa);
	side_load(&sb, mb, ob);
	json_object_set_new(cmp, "findings", json_array());
	json_object_set_new(cmp, "name_a", json_string(na));
	json_object_set_new(cmp, "name_b", json_string(nb));
	json_object_set_new(cmp, "runs_a", json_integer((json_int_t)sa.nruns));
	json_object_set_new(cmp, "runs_b", json_integer((json_int_t)sb.nruns));
	if (!sa.nruns || !sb.nruns) {
		json_object_set_new(cmp, "verdict",
				    json_pack("{s:b, s:s}", "pair", 0, "text",
					      "nothing to compare: no process selected"));
		side_release(&sa);
		side_release(&sb);
		return cmp;
	}
	side_profile(cmp, "a", &sa);
	side_profile(cmp, "b", &sb);
	json_object_set_new(cmp, "figures", figures_json(&sa, &sb));
	json_object_set_new(cmp, "heap_sites", heap_sites_json(s, o));
	v = verdict(s, name, cmp);
	json_object_set_new(cmp, "verdict", v);
	if (json_is_true(json_object_get(v, "pair")))
		fl_explain_add(cmp, "compare.verdict", FL_SEV_INFO, FL_MECH_MMAP_IO, "%s",
			       json_string_value(json_object_get(v, "text")));
	side_release(&sa);
	side_release(&sb);
	return cmp;
}

/* ---- the runs of one trace (report) ---- */

json_t *fl_runs_json(const struct fl_model *m, const struct fl_report_opts *o)
{
	struct side s;
	json_t *j = json_object(), *arr = json_array();
	side_load(&s, m, o);
	json_object_set_new(j, "count", json_integer((json_int_t)s.nruns));
	for (int f = 0; f < FIG_COUNT; f++) {
		json_t *vals;
		if (isnan(s.median[f]) || f == FIG_FAULT0 + FL_FC_SHIM ||
		    (s.min[f] == 0 && s.max[f] == 0))
			continue;
		vals = json_array();
		for (size_t r = 0; r < s.nruns; r++)
			json_array_append_new(vals, num(s.runs[r].fig[f]));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "key",
						     fig_key(f), "label", fig_label(f), "unit",
						     unit_name[fig_unit(f)], "median",
						     num(s.median[f]), "min", num(s.min[f]), "max",
						     num(s.max[f]), "values", vals));
	}
	json_object_set_new(j, "figures", arr);
	side_release(&s);
	return j;
}
