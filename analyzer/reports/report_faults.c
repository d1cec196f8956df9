/*
 * The faults report: every fault sample classified (analysis/fault_class.h),
 * then counted by class, by VMA, by allocation site, by code location and
 * over time; the perf-vs-getrusage gap named; and the pages each fault
 * mapped, measured from residency rather than assumed to be one.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "model/series.h"
#include "model/shimlibs.h"
#include "model/symbols.h"
#include "reports/flame.h"
#include "reports/report.h"
#include "reports/report_faults.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define MAP_POPULATE_FLAG 0x8000
#define MADV_POPULATE_READ_ADV 22
#define MADV_POPULATE_WRITE_ADV 23

/* ---- aggregation ---- */

#define row fl_fault_row

/* A copy of a summary's rows, which the report sorts. */
struct rows {
	struct row *v;
	size_t n;
};

static struct rows rows_copy(const struct fl_fault_rows *r)
{
	struct rows c = {NULL, r ? r->n : 0};
	if (c.n) {
		c.v = fl_xmalloc(c.n * sizeof(*c.v));
		memcpy(c.v, r->v, c.n * sizeof(*c.v));
	}
	return c;
}

static void rows_release(struct rows *r)
{
	free(r->v);
}

static int cmp_row_total(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->key > y->key) - (x->key < y->key);
}

static json_t *class_obj(const uint64_t *cnt, uint64_t period)
{
	json_t *o = json_object();
	for (int c = 0; c < FL_FC_COUNT; c++)
		if (cnt[c])
			json_object_set_new(o, fl_fclass_name(c),
					    json_integer((json_int_t)(cnt[c] * period)));
	return o;
}

/*
 * Peak present pages of the VMA starting at start, over every residency line
 * that listed it (-1 when none did: a mapping that lived less than a tick).
 */
static int64_t peak_present(const struct fl_proc *p, uint64_t start)
{
	int64_t peak = -1;
	struct fl_residency_cursor k;
	const struct fl_residency *r;
	fl_residency_begin(&k, &p->residency);
	while ((r = fl_residency_next(&k)) != NULL)
		for (size_t j = 0; j < r->nregions; j++)
			if (r->regions[j].start == start && r->regions[j].present > peak)
				peak = r->regions[j].present;
	fl_residency_end(&k);
	return peak;
}

/* The VMA of a row; 0 when none is known at the row's first sample (the
 * "unknown" class: v is then zeroed, anonymous, without a path). */
static int vma_of_row(const struct fl_proc *p, const struct row *w, struct fl_vma *v)
{
	if (w->cnt[FL_FC_STACK_GROWTH]) { /* the stack as it ended, not as it was */
		const struct fl_maps_snap *s = fl_proc_maps_at(p, p->end_t);
		for (size_t k = 0; s && k < s->nvmas; k++)
			if (s->vmas[k].kind == FL_VMA_STACK) {
				*v = s->vmas[k];
				return 1;
			}
	}
	if (fl_proc_vma_at(p, w->first_addr, w->first_t, v) != 0) {
		memset(v, 0, sizeof(*v));
		v->path = "";
		v->kind = FL_VMA_ANON;
		return 0;
	}
	if ((!v->path || !v->path[0]) && v->life_start && v->life_end > v->life_start) {
		v->start = v->life_start; /* the row is the VMA over its life, as keyed */
		v->end = v->life_end;
	}
	return 1;
}

/*
 * Whether the file VMA starting at start was already mapped when tracing
 * began (the executable and its libraries): the loader faulted its pages in
 * before the samples started, so present/faults would overstate fault-around.
 */
static int preexisting_file(const struct fl_proc *p, const struct fl_vma *v)
{
	const struct fl_maps_snap *s = p->nmaps ? &p->maps[0] : NULL;
	if (!s || !v->path || !v->path[0] || v->path[0] == '[')
		return 0;
	for (size_t i = 0; i < s->nvmas; i++)
		if (s->vmas[i].start == v->start && s->vmas[i].path == v->path)
			return 1;
	return 0;
}

/* bpf[file][0] += faults, bpf[file][1] += pages mapped, for every VMA with both. */
static json_t *vma_rows(const struct fl_proc *p, struct rows *r, uint64_t period, int top,
			uint64_t bpf[2][2])
{
	json_t *arr = json_array();
	/* libraries only the shim loaded are faultline's, not the program's rows */
	struct fl_shimlibs shim_libs = fl_shimlibs_of_proc(p);
	int shown = 0;
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n; i++) {
		struct row *w = &r->v[i];
		struct fl_vma v;
		char b1[32], b2[32];
		int known = vma_of_row(p, w, &v);
		int64_t peak = preexisting_file(p, &v) ? -1 : peak_present(p, v.start);
		uint64_t faults = w->total * period;
		int file = v.path && v.path[0] && v.path[0] != '[';
		if (fl_shimlibs_has(&shim_libs, v.path))
			continue;
		if (peak >= 0 && faults && v.kind != FL_VMA_SHIM) {
			bpf[file][0] += faults;
			bpf[file][1] += (uint64_t)peak;
		}
		if (shown++ >= top)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "start",
				      fl_fmt_addr(b1, sizeof(b1), v.start), "end",
				      fl_fmt_addr(b2, sizeof(b2), v.end), "perms", v.perms, "path",
				      v.path ? v.path : "", "kind",
				      known ? fl_vma_kind_name(v.kind) : "unknown", "faults",
				      (json_int_t)faults, "by_class", class_obj(w->cnt, period));
		if (peak >= 0 && faults) {
			json_object_set_new(o, "pages_peak", json_integer(peak));
			json_object_set_new(o, "pages_per_fault",
					    json_real((double)peak / (double)faults));
		} else {
			json_object_set_new(o, "pages_peak", json_null());
			json_object_set_new(o, "pages_per_fault", json_null());
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *site_rows(const struct fl_report_opts *o, const struct fl_proc *p, struct rows *r,
			 uint64_t period)
{
	json_t *arr = json_array();
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n && (int)i < o->top; i++) {
		struct row *w = &r->v[i];
		json_t *s = w->key ? fl_report_stack_json(o, p, (uint32_t)w->key, w->first_t, 6)
				   : json_null();
		json_array_append_new(arr, json_pack("{s:I, s:o, s:I, s:o}", "stack",
						     (json_int_t)w->key, "site", s, "faults",
						     (json_int_t)(w->total * period), "by_class",
						     class_obj(w->cnt, period)));
	}
	return arr;
}

static json_t *code_rows(const struct fl_report_opts *o, const struct fl_proc *p, struct rows *r,
			 uint64_t period)
{
	json_t *arr = json_array();
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n && (int)i < o->top; i++) {
		struct row *w = &r->v[i];
		char b[32];
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:I, s:o}", "ip", fl_fmt_addr(b, sizeof(b), w->key),
				   "frame", fl_report_frame_json(o, p, w->key, w->first_t, 0),
				   "faults", (json_int_t)(w->total * period), "by_class",
				   class_obj(w->cnt, period)));
	}
	return arr;
}

static json_t *over_time(const struct fl_fault_summary *s, uint64_t period, uint64_t base_ns)
{
	json_t *arr = json_array();
	uint64_t w = s ? s->bin_ns : base_ns;
	for (size_t b = 0; s && b < s->nbins; b++)
		json_array_append_new(arr, json_pack("{s:I, s:o}", "t", (json_int_t)(b * w),
						     "by_class", class_obj(s->bins[b], period)));
	return json_pack("{s:I, s:o}", "bin_ns", (json_int_t)w, "bins", arr);
}

/* The bins' width before any sample widened it: the recording's tick. */
static uint64_t base_bin_ns(const struct fl_proc *p)
{
	json_t *iv = p->options ? json_object_get(p->options, "interval_ms") : NULL;
	return (json_is_integer(iv) && json_integer_value(iv) > 0 ? (uint64_t)json_integer_value(iv)
								  : 100) *
	       1000000ULL;
}

/* The minor faults getrusage counted and perf did not: the program's
 * kernel-mode and GUP faults. Where the trace says when perf started and
 * what the shim took in kernel mode itself, both counts are taken from the
 * same counters line, the faults before perf started (the loader's and the
 * shim's set-up, in user mode mostly) are left out, and so are the shim's
 * own copies into its buffers: what is left is the program's. The
 * program's kernel-mode faults before perf started (the kernel loading it:
 * exec_kernel_minflt, counted from the exec by record) are added back. */
static int64_t program_gap(const struct fl_counters *c, int64_t ru_min, int64_t pmin)
{
	int64_t gap;
	if (!c || c->ru_minflt_base < 0 || c->ru_minflt < 0 || pmin < 0)
		return ru_min >= 0 && pmin >= 0 ? ru_min - pmin : -1;
	gap = c->ru_minflt - c->ru_minflt_base - pmin -
	      (c->shim_kernel_minflt > 0 ? c->shim_kernel_minflt : 0) +
	      (c->exec_kernel_minflt > 0 ? c->exec_kernel_minflt : 0);
	return gap > 0 ? gap : 0;
}

static int64_t ru_minflt_of(const struct fl_proc *p, const struct fl_counters *c)
{
	return p->exit.present && p->exit.ru_minflt >= 0 ? p->exit.ru_minflt
	       : c					 ? c->ru_minflt
							 : -1;
}

int64_t fl_report_kernel_minflt(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	return program_gap(c, ru_minflt_of(p, c), c ? c->minflt : -1);
}

/* getrusage against perf: how many faults perf did not see, and why. */
static json_t *gap_obj(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	int64_t ru_min = ru_minflt_of(p, c);
	int64_t ru_maj = p->exit.present && p->exit.ru_majflt >= 0 ? p->exit.ru_majflt
			 : c					   ? c->ru_majflt
								   : -1;
	int64_t pmin = c ? c->minflt : -1, pmaj = c ? c->majflt : -1;
	int64_t track = c ? c->tracking_faults : -1;
	uint64_t gup = 0, reads = 0;
	json_t *causes = json_array();
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *k = &p->calls[i];
		if (k->err)
			continue;
		if ((k->fn == FL_FN_MMAP && k->flags >= 0 && (k->flags & MAP_POPULATE_FLAG)) ||
		    (k->fn == FL_FN_MADVISE &&
		     (k->advice == MADV_POPULATE_READ_ADV || k->advice == MADV_POPULATE_WRITE_ADV)))
			gup += (k->size + 4095) / 4096;
	}
	if (p->nio) {
		const struct fl_io *io = fl_io_last(&p->io);
		for (size_t j = 0; j < io->nfds; j++)
			reads += io->fds[j].calls;
	}
	int64_t gap = program_gap(c, ru_min, pmin);
	if (gap > 0 && gup)
		json_array_append_new(causes, json_pack("{s:s, s:I}", "cause", "gup_populate",
							"pages_max", (json_int_t)gup));
	if (gap > 0 && reads)
		json_array_append_new(causes,
				      json_pack("{s:s, s:I}", "cause", "kernel_mode_copy_to_user",
						"read_calls", (json_int_t)reads));
	if (gap > 0 && !gup && !reads)
		json_array_append_new(causes, json_pack("{s:s}", "cause", "kernel_mode"));
	json_t *shim_kernel =
	    c && c->shim_kernel_minflt >= 0 ? json_integer(c->shim_kernel_minflt) : json_null();
	json_t *before =
	    c && c->ru_minflt_base >= 0 ? json_integer(c->ru_minflt_base) : json_null();
	json_t *exec_kernel =
	    c && c->exec_kernel_minflt >= 0 ? json_integer(c->exec_kernel_minflt) : json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o}",
			 "shim_kernel_minflt", shim_kernel, "ru_minflt_before_perf", before,
			 "kernel_minflt_before_perf", exec_kernel, "perf_minflt",
			 pmin >= 0 ? json_integer(pmin) : json_null(), "perf_majflt",
			 pmaj >= 0 ? json_integer(pmaj) : json_null(), "ru_minflt",
			 ru_min >= 0 ? json_integer(ru_min) : json_null(), "ru_majflt",
			 ru_maj >= 0 ? json_integer(ru_maj) : json_null(), "tracking_faults",
			 track >= 0 ? json_integer(track) : json_null(), "gap_minor",
			 gap >= 0 ? json_integer(gap) : json_null(), "gup_pages", (json_int_t)gup,
			 "read_calls", (json_int_t)reads, "causes", causes);
}

/*
 * Minor and major faults per counters tick (the differences of the running
 * totals: perf's, else getrusage's), null where neither was read. Without
 * fault samples this is all the trace says of faults over time. A long run
 * has FL_SERIES_ROWS rows at most: adjacent ticks merge, their faults add
 * up and "ticks" says how many a row holds.
 */
static json_t *int_or_unknown(int64_t v)
{
	return v != FL_SERIES_UNKNOWN ? json_integer(v) : json_null();
}

static json_t *per_tick(const struct fl_proc *p)
{
	static const enum fl_merge merge[2] = {FL_MERGE_SUM, FL_MERGE_SUM};
	struct fl_series s;
	json_t *ticks = json_array();
	int64_t prev_min = 0, prev_maj = 0;
	struct fl_counters_cursor cur;
	const struct fl_counters *k;
	fl_series_init(&s, merge, 2, FL_SERIES_ROWS);
	fl_counters_begin(&cur, &p->counters);
	while ((k = fl_counters_next(&cur)) != NULL) {
		int64_t min = k->minflt >= 0 ? k->minflt : k->ru_minflt;
		int64_t maj = k->majflt >= 0 ? k->majflt : k->ru_majflt;
		int64_t v[2] = {min >= 0 ? min - prev_min : FL_SERIES_UNKNOWN,
				maj >= 0 ? maj - prev_maj : FL_SERIES_UNKNOWN};
		fl_series_add(&s, k->t, 0, v);
		prev_min = min >= 0 ? min : prev_min;
		prev_maj = maj >= 0 ? maj : prev_maj;
	}
	for (size_t i = 0; i < s.nrows; i++) {
		const struct fl_series_row *r = &s.rows[i];
		json_t *row = json_pack("{s:I, s:o, s:o}", "t", (json_int_t)r->t, "minor",
					int_or_unknown(r->v[0]), "major", int_or_unknown(r->v[1]));
		if (r->ticks > 1)
			json_object_set_new(row, "ticks", json_integer((json_int_t)r->ticks));
		json_array_append_new(ticks, row);
	}
	fl_series_release(&s);
	return ticks;
}

/* The largest shim_resident of the run, -1 when no line carries it. */
static int64_t shim_resident_peak(const struct fl_proc *p)
{
	int64_t peak = -1;
	struct fl_counters_cursor k;
	const struct fl_counters *c;
	fl_counters_begin(&k, &p->counters);
	while ((c = fl_counters_next(&k)) != NULL)
		if (c->shim_resident > peak)
			peak = c->shim_resident;
	return peak;
}

static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

json_t *fl_report_shim(const struct fl_proc *p, uint64_t shim_samples)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	const struct fl_maps_snap *ms = p->nmaps ? &p->maps[p->nmaps - 1] : NULL;
	uint64_t period = p->faults_period ? p->faults_period : 1;
	int64_t kernel = c && c->shim_kernel_minflt > 0 ? c->shim_kernel_minflt : 0;
	json_t *libs = json_array();
	/* the samples in its image and libraries (shim_samples, classified
	 * here) and those in its regions, which it left out of the trace */
	if (c && c->shim_fault_samples > 0)
		shim_samples += (uint64_t)c->shim_fault_samples;
	for (size_t i = 0; ms && i < ms->nvmas; i++)
		if (ms->vmas[i].kind == FL_VMA_SHIM && ms->vmas[i].path &&
		    ms->vmas[i].path[0] == '/' && /* not a .bss (load.c) */
		    (!json_array_size(libs) ||
		     strcmp(json_string_value(json_array_get(libs, json_array_size(libs) - 1)),
			    ms->vmas[i].path)))
			json_array_append_new(libs, json_string(ms->vmas[i].path));
	json_t *o =
	    json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "faults",
		      (json_int_t)(shim_samples * period + (uint64_t)kernel), "sampled_faults",
		      (json_int_t)(shim_samples * period), "kernel_mode_faults", (json_int_t)kernel,
		      "mapped_bytes", (json_int_t)(ms ? ms->shim_bytes : 0), "threads",
		      c && c->shim_threads >= 0 ? json_integer(c->shim_threads) : json_null(),
		      "libraries", libs);
	/* of what it mapped, what was in memory: at the last line, and at most */
	json_object_set_new(o, "resident_bytes", int_or_null(c ? c->shim_resident : -1));
	json_object_set_new(o, "private_bytes", int_or_null(c ? c->shim_private : -1));
	json_object_set_new(o, "unwind_resident_bytes", int_or_null(c ? c->unwind_resident : -1));
	json_object_set_new(o, "resident_peak_bytes", int_or_null(shim_resident_peak(p)));
	/* its ticks' and reads' CPU time, to the process's end */
	json_object_set_new(o, "cpu_ns", int_or_null(fl_proc_shim_cpu_ns(p)));
	return o;
}

static json_t *bpf_obj(uint64_t v[2])
{
	if (!v[0])
		return json_null();
	return json_pack("{s:I, s:I, s:f, s:f}", "faults", (json_int_t)v[0], "pages",
			 (json_int_t)v[1], "pages_per_fault", (double)v[1] / (double)v[0],
			 "bytes_per_fault", 4096.0 * (double)v[1] / (double)v[0]);
}

/*
 * Whether a class that dominates a process's faults is something to act on:
 * disk reads (the data was not in memory), swap-ins (memory pressure) and
 * copy-on-write copies (a fork that writes). First touches and page-cache
 * hits are what any program that allocates or maps a file does: information.
 */
static int worth_acting(enum fl_fclass c)
{
	return c == FL_FC_DISK || c == FL_FC_SWAP_IN || c == FL_FC_COW;
}

static void proc_findings(json_t *sec, const struct fl_proc *p, const uint64_t *cnt,
			  uint64_t period, json_t *gap, uint64_t bpf[2][2])
{
	uint64_t total = 0;
	char b[64], b1[32], b2[32];
	for (int c = 0; c < FL_FC_COUNT; c++)
		if (c != FL_FC_SHIM && c != FL_FC_TRACKING)
			total += cnt[c];
	if (!total)
		return;
	for (int c = 0; c < FL_FC_COUNT; c++) {
		if (c == FL_FC_SHIM || c == FL_FC_TRACKING || c == FL_FC_OTHER ||
		    c == FL_FC_UNKNOWN || !cnt[c])
			continue;
		double pct = 100.0 * (double)cnt[c] / (double)total;
		int rare = c == FL_FC_DISK || c == FL_FC_SWAP_IN || c == FL_FC_COW;
		/* a few hundred start-up faults are not worth a finding */
		if ((pct < 5 && !rare) || cnt[c] * period < (rare ? 16 : 256))
			continue;
		snprintf(b, sizeof(b), "faults.%s", fl_fclass_name(c));
		fl_explain_add(sec, b, pct >= 50 && worth_acting(c) ? FL_SEV_WARN : FL_SEV_INFO,
			       fl_fclass_mech(c), "pid %d: %s faults: %s, %.1f%% of its %s faults",
			       p->pid, fl_fclass_title(c),
			       fl_fmt_count(b1, sizeof(b1), cnt[c] * period), pct,
			       fl_fmt_count(b2, sizeof(b2), total * period));
	}
	if (bpf[1][0] && bpf[1][1] > bpf[1][0] * 3 / 2)
		fl_explain_add(sec, "faults.fault_around", FL_SEV_INFO, FL_MECH_FAULT_AROUND,
			       "pid %d: each file fault mapped %.1f pages (%.0f KiB) on average",
			       p->pid, (double)bpf[1][1] / (double)bpf[1][0],
			       4.0 * (double)bpf[1][1] / (double)bpf[1][0]);
	if (cnt[FL_FC_DISK] && cnt[FL_FC_CACHE_HIT] > cnt[FL_FC_DISK] * 10)
		fl_explain_add(sec, "faults.readahead", FL_SEV_INFO, FL_MECH_READAHEAD,
			       "pid %d: few major faults next to many minor file faults", p->pid);
	json_t *g = json_object_get(gap, "gap_minor");
	json_int_t ru = json_integer_value(json_object_get(gap, "ru_minflt"));
	if (json_integer_value(g) >= 256 && json_integer_value(g) * 10 >= ru)
		fl_explain_add(sec, "faults.perf_gap", FL_SEV_INFO, FL_MECH_KERNEL_FAULTS,
			       "pid %d: getrusage counted %lld more minor faults than perf saw",
			       p->pid, (long long)json_integer_value(g));
	if (cnt[FL_FC_TRACKING])
		fl_explain_add(
		    sec, "faults.tracking", FL_SEV_INFO, FL_MECH_WRITE_TRACKING,
		    "pid %d: %llu faults were the tracer's write tracking, not the program's",
		    p->pid, (unsigned long long)(cnt[FL_FC_TRACKING] * period));
	if (period > 1)
		fl_explain_add(sec, "faults.sampled", FL_SEV_INFO, FL_MECH_SAMPLING,
			       "pid %d: one fault in %llu was sampled", p->pid,
			       (unsigned long long)period);
	if (p->faults_lost)
		fl_explain_add(sec, "faults.lost", FL_SEV_WARN, FL_MECH_SAMPLING,
			       "pid %d: the kernel dropped %llu fault samples (a sample buffer was "
			       "full): the per-class, per-VMA, per-site and over-time figures miss "
			       "about %llu faults; the counted totals do not",
			       p->pid, (unsigned long long)p->faults_lost,
			       (unsigned long long)(p->faults_lost * period));
}

/*
 * The program's faults for the flame graph: process, then the faulting
 * code's frame, then the class. NEEDSWORK: a fault sample carries its
 * instruction pointer only (no callchain), so the code "stack" is one frame.
 */
static void flame_add(struct fl_flame *fl, const struct fl_report_opts *o, const struct fl_proc *p,
		      const struct rows *code, uint64_t period)
{
	char proc[256], frame[512];
	const char *exe = p->exe ? p->exe : "?", *base = strrchr(exe, '/');
	snprintf(proc, sizeof(proc), "%s [%d]", base ? base + 1 : exe, p->pid);
	for (size_t i = 0; i < code->n; i++) {
		const struct row *w = &code->v[i];
		struct fl_sym sym;
		fl_symbols_lookup(o->syms, p, w->key, w->first_t, 0, &sym);
		if (sym.func) /* by function, as flame graphs merge frames */
			snprintf(frame, sizeof(frame), "%s", sym.func);
		else
			fl_symbols_format(&sym, w->key, frame, sizeof(frame));
		for (int c = 0; c < FL_FC_COUNT; c++) {
			const char *text[] = {proc, frame, fl_fclass_title(c)};
			const char *name[] = {NULL, sym.func, fl_fclass_name(c)};
			double v = (double)(w->cnt[c] * period);
			if (c != FL_FC_SHIM && c != FL_FC_TRACKING && w->cnt[c])
				fl_flame_add(fl, text, name, 3, &v, 0);
		}
	}
}

static json_t *proc_faults(const struct fl_model *m, const struct fl_report_opts *o,
			   const struct fl_proc *p, json_t *sec, uint64_t *tot, struct fl_flame *fl)
{
	const struct fl_fault_summary *fs = fl_faults_summary(m, p);
	struct rows vmas = rows_copy(fs ? &fs->by_vma : NULL);
	struct rows sites = rows_copy(fs ? &fs->by_site : NULL);
	struct rows code = rows_copy(fs ? &fs->by_code : NULL);
	uint64_t cnt[FL_FC_COUNT] = {0}, first = fs ? fs->first : 0, bpf[2][2] = {{0}};
	uint64_t period = p->faults_period ? p->faults_period : 1;
	json_t *by_class = json_object();
	if (fs)
		memcpy(cnt, fs->cnt, sizeof(cnt));
	uint64_t prog = 0; /* the program's own faults: not the shim's, not the tracker's */
	for (int c = 0; c < FL_FC_COUNT; c++)
		prog += c == FL_FC_SHIM || c == FL_FC_TRACKING ? 0 : cnt[c];
	for (int c = 0; c < FL_FC_COUNT; c++) {
		tot[c] += cnt[c] * period;
		json_object_set_new(by_class, fl_fclass_name(c),
				    json_pack("{s:I, s:I, s:f}", "faults",
					      (json_int_t)(cnt[c] * period), "samples",
					      (json_int_t)cnt[c], "pct",
					      prog && c != FL_FC_SHIM && c != FL_FC_TRACKING
						  ? 100.0 * (double)cnt[c] / (double)prog
						  : 0.0));
	}
	json_t *gap = gap_obj(p);
	json_t *vrows = vma_rows(p, &vmas, period, o->top, bpf);
	json_t *pr = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "pid", p->pid,
			       "key", p->key ? p->key : "", "exe", p->exe ? p->exe : "", "samples",
			       (json_int_t)p->nfaults, "period", (json_int_t)period, "lost",
			       (json_int_t)p->faults_lost, "faults", (json_int_t)(prog * period),
			       "first_touch", (json_int_t)(first * period), "by_class", by_class);
	json_object_set_new(pr, "by_vma", vrows);
	json_object_set_new(pr, "by_site", site_rows(o, p, &sites, period));
	json_object_set_new(pr, "by_code", code_rows(o, p, &code, period));
	json_object_set_new(pr, "over_time", over_time(fs, period, base_bin_ns(p)));
	json_object_set_new(
	    pr, "bytes_per_fault",
	    json_pack("{s:o, s:o}", "file", bpf_obj(bpf[1]), "anon", bpf_obj(bpf[0])));
	json_object_set_new(pr, "counts", gap);
	json_object_set_new(pr, "per_tick", per_tick(p));
	json_object_set_new(pr, "faultline", fl_report_shim(p, cnt[FL_FC_SHIM]));
	proc_findings(sec, p, cnt, period, gap, bpf);
	flame_add(fl, o, p, &code, period);
	rows_release(&vmas);
	rows_release(&sites);
	rows_release(&code);
	return pr;
}

json_t *fl_report_faults(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array(), *classes = json_array();
	uint64_t tot[FL_FC_COUNT] = {0};
	static const char *const flame_keys[] = {"faults"};
	struct fl_flame *fl = fl_flame_new(flame_keys, 1);
	json_object_set_new(sec, "findings", json_array());
	for (int c = 0; c < FL_FC_COUNT; c++)
		json_array_append_new(classes,
				      json_pack("{s:s, s:s, s:s}", "name", fl_fclass_name(c),
						"title", fl_fclass_title(c), "mechanism",
						fl_explain_name(fl_fclass_mech(c))));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		json_array_append_new(procs, proc_faults(m, o, p, sec, tot, fl));
	}
	json_object_set_new(sec, "flame", fl_flame_json(fl));
	json_object_set_new(sec, "classes", classes);
	json_object_set_new(sec, "by_class", class_obj(tot, 1));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

/* ---- text ---- */

#define TEXT_PROCS 8

static void render_rest(FILE *f, size_t n, long long sum, const char *what)
{
	if (n)
		fprintf(f, "... and %zu more processes with %lld %s (see --json or --pid)\n", n,
			sum, what);
}

static void render_classes(json_t *by_class, FILE *f, const char *indent)
{
	const char *name;
	json_t *v;
	char b[32];
	json_object_foreach(by_class, name, v)
	{
		if (!fl_jint(v, "faults"))
			continue;
		int c = 0;
		while (c < FL_FC_COUNT && strcmp(fl_fclass_name(c), name))
			c++;
		fprintf(f, "%s%-26s %12s  ", indent, c < FL_FC_COUNT ? fl_fclass_title(c) : name,
			fl_fmt_count(b, sizeof(b), (uint64_t)fl_jint(v, "faults")));
		/* faultline's own faults are left out of the total and its
		 * percentages (their pct is 0): say so, not "0.0%" */
		if (c == FL_FC_SHIM || c == FL_FC_TRACKING)
			fputs("faultline's, not in the total\n", f);
		else
			fprintf(f, "%5.1f%%\n", json_real_value(json_object_get(v, "pct")));
	}
}

/* The row's top classes, as many as fit in room columns (at least one). */
static void render_row_classes(json_t *bc, FILE *f, int room)
{
	const char *name;
	json_t *v;
	int n = 0, used = 0;
	json_object_foreach(bc, name, v)
	{
		char item[64];
		int len = snprintf(item, sizeof(item), "%s%s %lld", n ? ", " : "", name,
				   (long long)json_integer_value(v));
		if (n >= 3 || (n && used + len > room))
			break;
		fputs(item, f);
		used += len;
		n++;
	}
}

/* Row layouts of 100 columns: figures, then the classes in what is left. */
#define ROW_VMA_PATH 30 /* "    FAULTS  0xSTART PERM PATH  " = 68 */
#define ROW_SITE 44	/* "    FAULTS  SITE  " = 62 */

/* The process's line: faults, samples, the sampling period, samples lost. */
static void render_proc_head(json_t *p, FILE *f)
{
	char b[32], b2[32], lost[48] = "";
	if (fl_jint(p, "lost"))
		snprintf(lost, sizeof(lost), ", %s LOST",
			 fl_fmt_count(b, sizeof(b), (uint64_t)fl_jint(p, "lost")));
	fl_text_printf(f, "  ", "pid %lld %s: %s faults (%s samples, 1 in %lld%s%s)",
		       fl_jint(p, "pid"), json_string_value(json_object_get(p, "exe")),
		       fl_fmt_count(b, sizeof(b), (uint64_t)fl_jint(p, "faults")),
		       fl_fmt_count(b2, sizeof(b2), (uint64_t)fl_jint(p, "samples")),
		       fl_jint(p, "period"), lost,
		       fl_jint(p, "period") > 1 ? "; figures below are estimates" : "");
}

static void render_by_vma(json_t *rows, FILE *f)
{
	char fit[128];
	json_t *r;
	size_t j;
	fprintf(f, "  by VMA:\n");
	json_array_foreach(rows, j, r)
	{
		const char *path = json_string_value(json_object_get(r, "path"));
		const char *kind = json_string_value(json_object_get(r, "kind"));
		int w;
		if (kind && !strcmp(kind, "unknown")) /* no VMA known: no address to show */
			w = fprintf(f, "    %10lld  %-*s  ", fl_jint(r, "faults"),
				    20 + ROW_VMA_PATH, "(no VMA known)");
		else
			w = fprintf(f, "    %10lld  %-14s %-4s %-*.*s  ", fl_jint(r, "faults"),
				    json_string_value(json_object_get(r, "start")),
				    json_string_value(json_object_get(r, "perms")), ROW_VMA_PATH,
				    ROW_VMA_PATH,
				    *path ? fl_fit_path(fit, sizeof(fit), path, ROW_VMA_PATH)
					  : kind);
		render_row_classes(json_object_get(r, "by_class"), f, 100 - w);
		fputc('\n', f);
	}
}

static void render_by_site(json_t *rows, FILE *f)
{
	char fit[128];
	json_t *r;
	size_t j;
	fprintf(f, "  by allocation site:\n");
	json_array_foreach(rows, j, r)
	{
		json_t *site = json_object_get(json_object_get(r, "site"), "site");
		const char *txt = json_string_value(json_object_get(site, "text"));
		const char *via = fl_report_parting_caller(rows, j, "site");
		fprintf(f, "    %10lld  %-*.*s  ", fl_jint(r, "faults"), ROW_SITE, ROW_SITE,
			txt ? fl_fit_site(fit, sizeof(fit), txt, ROW_SITE)
			    : (fl_jint(r, "stack") ? "(unknown)" : "(no allocation)"));
		render_row_classes(json_object_get(r, "by_class"), f, 100 - 18 - ROW_SITE);
		fputc('\n', f);
		if (via) /* two rows of one code location */
			fprintf(f, "%16svia %s\n", "",
				fl_fit_site(fit, sizeof(fit), via, ROW_SITE - 4));
	}
}

static void render_by_code(json_t *rows, FILE *f)
{
	char fit[128];
	json_t *r;
	size_t j;
	fprintf(f, "  by code location:\n");
	json_array_foreach(rows, j, r)
	{
		const char *txt =
		    json_string_value(json_object_get(json_object_get(r, "frame"), "text"));
		fprintf(f, "    %10lld  %-*.*s  ", fl_jint(r, "faults"), ROW_SITE, ROW_SITE,
			txt ? fl_fit_site(fit, sizeof(fit), txt, ROW_SITE)
			    : json_string_value(json_object_get(r, "ip")));
		render_row_classes(json_object_get(r, "by_class"), f, 100 - 18 - ROW_SITE);
		fputc('\n', f);
	}
}

/* getrusage against perf: the faults the samples could not see. */
static void render_counts(json_t *c, FILE *f)
{
	char b[32], b2[32], b3[32];
	if (!json_is_integer(json_object_get(c, "ru_minflt")))
		return;
	/* gap_minor is not the difference of the two: the faults before perf
	 * started and the shim's own are taken out of it (program_gap) */
	fl_text_printf(f, "    ",
		       "  getrusage: %s minor, %lld major; perf (user mode): %s minor; the "
		       "program's own in kernel mode: %s",
		       fl_fmt_count(b3, sizeof(b3), (uint64_t)fl_jint(c, "ru_minflt")),
		       fl_jint(c, "ru_majflt"),
		       json_is_integer(json_object_get(c, "perf_minflt"))
			   ? fl_fmt_count(b, sizeof(b), (uint64_t)fl_jint(c, "perf_minflt"))
			   : "n/a",
		       json_is_integer(json_object_get(c, "gap_minor"))
			   ? fl_fmt_count(b2, sizeof(b2), (uint64_t)fl_jint(c, "gap_minor"))
			   : "n/a");
}

void fl_report_shim_text(json_t *s, FILE *f, const char *indent)
{
	char b[32], b2[32], b3[32], b4[32], b5[32], b6[32],
	    thr[40] = "", libs[512] = "", res[128] = "", cpu[80] = "", unw[96] = "";
	size_t i, n = 0;
	json_t *l;
	if (!json_is_object(s))
		return;
	json_array_foreach(json_object_get(s, "libraries"), i, l)
	{
		const char *path = json_string_value(l), *base = strrchr(path, '/');
		if (n < sizeof(libs))
			n += (size_t)snprintf(libs + n, sizeof(libs) - n, "%s%s", i ? ", " : "",
					      base ? base + 1 : path);
	}
	/* Traces from before the shim ticked on the program's own threads name
	 * its sampler thread; a shim without threads says nothing of them. */
	if (json_is_integer(json_object_get(s, "threads")) && fl_jint(s, "threads") > 0)
		snprintf(thr, sizeof(thr), ", %lld thread%s", fl_jint(s, "threads"),
			 fl_jint(s, "threads") == 1 ? "" : "s");
	/* The summary sums the processes' last figures and takes the largest
	 * single peak: say so, or a sum above the peak reads as a contradiction. */
	if (json_is_integer(json_object_get(s, "resident_bytes")))
		snprintf(res, sizeof(res),
			 fl_jint(s, "processes") > 1 ? " (%s resident at the processes' ends, "
						       "largest peak %s)"
						     : " (%s resident, peak %s)",
			 fl_fmt_bytes(b3, sizeof(b3), (double)fl_jint(s, "resident_bytes")),
			 fl_fmt_bytes(b4, sizeof(b4), (double)fl_jint(s, "resident_peak_bytes")));
	/* the program's pages its stack unwinding read in (in the RSS) */
	if (json_is_integer(json_object_get(s, "unwind_resident_bytes")) &&
	    fl_jint(s, "unwind_resident_bytes") > 0)
		snprintf(unw, sizeof(unw), ", the program's unwind tables in memory %s",
			 fl_fmt_bytes(b6, sizeof(b6), (double)fl_jint(s, "unwind_resident_bytes")));
	if (json_is_integer(json_object_get(s, "cpu_ns")))
		snprintf(cpu, sizeof(cpu), ", %s of CPU in its ticks and reads",
			 fl_fmt_ns(b5, sizeof(b5), (double)fl_jint(s, "cpu_ns")));
	fl_text_printf(f, indent, "%sfaultline itself: %s faults, %s mapped%s%s%s%s%s%s", indent,
		       fl_fmt_count(b, sizeof(b), (uint64_t)fl_jint(s, "faults")),
		       fl_fmt_bytes(b2, sizeof(b2), (double)fl_jint(s, "mapped_bytes")), res, unw,
		       cpu, thr, libs[0] ? ", libraries " : "", libs);
}

void fl_report_faults_text(json_t *sec, FILE *f)
{
	size_t idx[TEXT_PROCS], rn;
	long long rs;
	char b1[32];
	json_t *procs = json_object_get(sec, "processes");
	size_t np = fl_report_top_procs(procs, "faults", idx, TEXT_PROCS, &rn, &rs);
	for (size_t i = 0; i < np; i++) {
		json_t *p = json_array_get(procs, idx[i]);
		json_t *bpf = json_object_get(json_object_get(p, "bytes_per_fault"), "file");
		render_proc_head(p, f);
		render_classes(json_object_get(p, "by_class"), f, "  ");
		if (json_is_object(bpf))
			fprintf(
			    f, "  file faults mapped %.1f pages (%s) each on average\n",
			    json_real_value(json_object_get(bpf, "pages_per_fault")),
			    fl_fmt_bytes(b1, sizeof(b1),
					 json_real_value(json_object_get(bpf, "bytes_per_fault"))));
		render_by_vma(json_object_get(p, "by_vma"), f);
		render_by_site(json_object_get(p, "by_site"), f);
		render_by_code(json_object_get(p, "by_code"), f);
		render_counts(json_object_get(p, "counts"), f);
		fl_report_shim_text(json_object_get(p, "faultline"), f, "  ");
	}
	render_rest(f, rn, rs, "faults");
	fl_findings_render(sec, f);
}
