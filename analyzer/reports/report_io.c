/*
 * How a run got at its file data: read() copies, mmap() maps. The profile
 * here is one of the parts `faultline compare` weighs (reports/compare.c).
 */
#include <string.h>

#include "analysis/explain.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "model/residency.h"
#include "reports/report.h"
#include "reports/report_io.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define MIB (1024.0 * 1024.0)

/* Read calls and bytes of p, summed over its fds (the io lines are cumulative per fd). */
static void proc_reads(const struct fl_proc *p, uint64_t *calls, uint64_t *bytes, json_t *files)
{
	struct fl_u64map last; /* (fd, path) -> index of its last (calls, bytes) */
	struct {
		int32_t fd;
		const char *path;
		uint64_t calls, bytes;
	} *v = NULL;
	size_t n = 0, cap = 0;
	struct fl_io_cursor k;
	const struct fl_io *io;
	fl_u64map_init(&last);
	fl_io_begin(&k, &p->io);
	while ((io = fl_io_next(&k)) != NULL)
		for (size_t j = 0; j < io->nfds; j++) {
			const struct fl_io_fd *d = &io->fds[j];
			uint64_t key = (uint64_t)(uint32_t)d->fd ^
				       ((uint64_t)(uintptr_t)d->path * 0x9e3779b97f4a7c15ULL);
			uint64_t *slot = fl_u64map_slot(&last, key);
			if (!*slot) {
				FL_GROW(v, cap, n + 1);
				v[n].fd = d->fd;
				v[n].path = d->path;
				v[n].calls = v[n].bytes = 0;
				*slot = ++n;
			}
			/* a cumulative counter that drops means the fd was reopened */
			if (d->calls < v[*slot - 1].calls) {
				*calls += v[*slot - 1].calls;
				*bytes += v[*slot - 1].bytes;
			}
			v[*slot - 1].calls = d->calls;
			v[*slot - 1].bytes = d->bytes;
		}
	fl_io_end(&k);
	for (size_t i = 0; i < n; i++) {
		*calls += v[i].calls;
		*bytes += v[i].bytes;
		if (files)
			json_array_append_new(
			    files,
			    json_pack("{s:i, s:s, s:I, s:I, s:f}", "fd", v[i].fd, "path",
				      v[i].path ? v[i].path : "", "calls", (json_int_t)v[i].calls,
				      "bytes", (json_int_t)v[i].bytes, "bytes_per_call",
				      v[i].calls ? (double)v[i].bytes / (double)v[i].calls : 0.0));
	}
	free(v);
	fl_u64map_release(&last);
}

static int file_state(const struct fl_res_state *s, void *ctx)
{
	int64_t *peak = ctx, v = fl_res_sum(s, FL_RES_FILE, 0, UINT64_MAX);
	if (v > *peak)
		*peak = v;
	return 0;
}

/* Peak file-backed pages mapped at once (-1 without residency). */
static int64_t file_pages_peak(const struct fl_proc *p)
{
	int64_t peak = -1;
	fl_res_walk(p, file_state, &peak);
	return peak;
}

static void add_max(int64_t *acc, int64_t v)
{
	if (v > *acc)
		*acc = v;
}

static void add_sum(int64_t *acc, int64_t v)
{
	if (v >= 0)
		*acc = (*acc < 0 ? 0 : *acc) + v;
}

/* An empty profile: nothing counted, every optional figure unknown. */
static void profile_init(struct fl_io_profile *out)
{
	memset(out, 0, sizeof(*out));
	out->cpu_ns = out->utime_ns = out->stime_ns = -1;
	out->ru_minflt = out->ru_majflt = out->file_pages_peak = -1;
	out->rss_anon_peak = out->rss_file_peak = out->dtlb_misses = out->tlb_entries_4k = -1;
}

static void set_data_bytes(struct fl_io_profile *out)
{
	uint64_t mapped = out->file_pages_peak > 0 ? (uint64_t)out->file_pages_peak * 4096 : 0;
	out->data_bytes = out->read_bytes > mapped ? out->read_bytes : mapped;
}

/* The profile of p alone; its files into files when not NULL. */
static void proc_profile(const struct fl_model *m, const struct fl_proc *p,
			 struct fl_io_profile *out, json_t *files)
{
	const struct fl_fault_summary *fs = fl_faults_summary(m, p);
	uint64_t period = p->faults_period ? p->faults_period : 1;
	const struct fl_counters *c = fl_proc_last_counters(p);
	int64_t rss_anon = -1, rss_file = -1, fp = file_pages_peak(p);
	profile_init(out);
	out->nprocs = 1;
	out->wall_ns = p->end_t;
	for (int c = 0; fs && c < FL_FC_COUNT; c++)
		out->faults[c] += fs->cnt[c] * period;
	proc_reads(p, &out->read_calls, &out->read_bytes, files);
	if (p->exit.present && p->exit.ru_utime_ns >= 0) {
		add_sum(&out->utime_ns, p->exit.ru_utime_ns);
		add_sum(&out->stime_ns, p->exit.ru_stime_ns);
		add_sum(&out->cpu_ns,
			p->exit.ru_utime_ns + (p->exit.ru_stime_ns > 0 ? p->exit.ru_stime_ns : 0));
	}
	add_sum(&out->ru_minflt, p->exit.present ? p->exit.ru_minflt : c ? c->ru_minflt : -1);
	add_sum(&out->ru_majflt, p->exit.present ? p->exit.ru_majflt : c ? c->ru_majflt : -1);
	struct fl_counters_cursor k;
	const struct fl_counters *ck;
	fl_counters_begin(&k, &p->counters);
	while ((ck = fl_counters_next(&k)) != NULL) {
		add_max(&rss_anon, ck->rss_anon);
		add_max(&rss_file, ck->rss_file);
	}
	add_sum(&out->rss_anon_peak, rss_anon);
	add_sum(&out->rss_file_peak, rss_file);
	add_sum(&out->file_pages_peak, fp);
	if (c && c->dtlb_load >= 0)
		add_sum(&out->dtlb_misses, c->dtlb_load + (c->dtlb_store > 0 ? c->dtlb_store : 0));
	int64_t e = p->tlb.l2_4k > 0 ? p->tlb.l2_4k : p->tlb.l1d_4k;
	add_max(&out->tlb_entries_4k, e);
	set_data_bytes(out);
}

/*
 * A trace's profile, summed from its processes' profiles as they are made:
 * the io section lists each process too, and profiling one (classifying its
 * faults, replaying its residency) twice doubled the section's time.
 */
struct profile_sum {
	struct fl_io_profile all;
	uint64_t first, last; /* realtime span of the processes added */
};

static void sum_init(struct profile_sum *s)
{
	profile_init(&s->all);
	s->first = UINT64_MAX;
	s->last = 0;
}

/* Adds the profile one of p: the same sums and maxima as profiling p into the total. */
static void sum_add(struct profile_sum *s, const struct fl_proc *p, const struct fl_io_profile *one)
{
	struct fl_io_profile *out = &s->all;
	out->nprocs++;
	for (int c = 0; c < FL_FC_COUNT; c++)
		out->faults[c] += one->faults[c];
	out->read_calls += one->read_calls;
	out->read_bytes += one->read_bytes;
	add_sum(&out->utime_ns, one->utime_ns);
	add_sum(&out->stime_ns, one->stime_ns);
	add_sum(&out->cpu_ns, one->cpu_ns);
	add_sum(&out->ru_minflt, one->ru_minflt);
	add_sum(&out->ru_majflt, one->ru_majflt);
	add_sum(&out->rss_anon_peak, one->rss_anon_peak);
	add_sum(&out->rss_file_peak, one->rss_file_peak);
	add_sum(&out->file_pages_peak, one->file_pages_peak);
	add_sum(&out->dtlb_misses, one->dtlb_misses);
	add_max(&out->tlb_entries_4k, one->tlb_entries_4k);
	if (p->start_realtime_ns < s->first)
		s->first = p->start_realtime_ns;
	if (p->start_realtime_ns + p->end_t > s->last)
		s->last = p->start_realtime_ns + p->end_t;
}

static void sum_finish(struct profile_sum *s, struct fl_io_profile *out)
{
	*out = s->all;
	out->wall_ns = s->last > s->first ? s->last - s->first : 0;
	set_data_bytes(out);
}

void fl_io_profile(const struct fl_model *m, const struct fl_report_opts *o,
		   struct fl_io_profile *out)
{
	struct profile_sum sum;
	sum_init(&sum);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		struct fl_io_profile one;
		if (o && !fl_report_selected(o, p))
			continue;
		proc_profile(m, p, &one, NULL);
		sum_add(&sum, p, &one);
	}
	sum_finish(&sum, out);
}

static json_t *opt_int(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

json_t *fl_io_profile_json(const struct fl_io_profile *p)
{
	json_t *fc = json_object(), *pm = json_object();
	double mib = (double)p->data_bytes / MIB;
	uint64_t total = 0;
	for (int c = 0; c < FL_FC_COUNT; c++) {
		if (c == FL_FC_SHIM)
			continue;
		total += p->faults[c];
		json_object_set_new(fc, fl_fclass_name(c), json_integer((json_int_t)p->faults[c]));
		json_object_set_new(pm, fl_fclass_name(c),
				    mib > 0 ? json_real((double)p->faults[c] / mib) : json_null());
	}
	json_t *o = json_pack(
	    "{s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:I, s:o, s:o}", "wall_ns",
	    (json_int_t)p->wall_ns, "cpu_ns", opt_int(p->cpu_ns), "utime_ns", opt_int(p->utime_ns),
	    "stime_ns", opt_int(p->stime_ns), "read_calls", (json_int_t)p->read_calls, "read_bytes",
	    (json_int_t)p->read_bytes, "data_bytes", (json_int_t)p->data_bytes, "faults", fc,
	    "faults_per_mib", pm, "faults_total", (json_int_t)total, "ru_minflt",
	    opt_int(p->ru_minflt), "ru_majflt", opt_int(p->ru_majflt));
	json_object_set_new(o, "file_pages_mapped", opt_int(p->file_pages_peak));
	json_object_set_new(o, "rss_anon_peak", opt_int(p->rss_anon_peak));
	json_object_set_new(o, "rss_file_peak", opt_int(p->rss_file_peak));
	json_object_set_new(o, "dtlb_misses", opt_int(p->dtlb_misses));
	json_object_set_new(o, "tlb_entries_4k", opt_int(p->tlb_entries_4k));
	json_object_set_new(o, "processes", json_integer(p->nprocs));
	/* the TLB model: pages of file data mapped against the 4 KiB entries */
	if (p->dtlb_misses < 0 && p->tlb_entries_4k > 0 && p->file_pages_peak >= 0)
		json_object_set_new(o, "tlb_model",
				    json_pack("{s:I, s:I, s:b}", "pages_mapped",
					      (json_int_t)p->file_pages_peak, "entries",
					      (json_int_t)p->tlb_entries_4k, "beyond_reach",
					      p->file_pages_peak > p->tlb_entries_4k));
	else
		json_object_set_new(o, "tlb_model", json_null());
	return o;
}

/* ---- the io section (one trace) ---- */

static const char *count_or_na(char *buf, size_t n, json_t *v)
{
	return json_is_number(v) ? fl_fmt_count(buf, n, (uint64_t)json_number_value(v)) : "n/a";
}

json_t *fl_report_io(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array();
	struct fl_io_profile all;
	struct profile_sum sum;
	char b1[32];
	sum_init(&sum);
	json_object_set_new(sec, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		struct fl_io_profile one;
		uint64_t calls, bytes;
		json_t *files;
		if (!fl_report_selected(o, p))
			continue;
		files = json_array();
		proc_profile(m, p, &one, files);
		sum_add(&sum, p, &one);
		calls = one.read_calls;
		bytes = one.read_bytes;
		json_t *pj = fl_io_profile_json(&one);
		json_object_set_new(pj, "pid", json_integer(p->pid));
		json_object_set_new(pj, "exe", json_string(p->exe ? p->exe : ""));
		json_object_set_new(pj, "files", files);
		json_array_append_new(procs, pj);
		if (calls >= 1000 && bytes / calls < 16384)
			fl_explain_add(sec, "io.small_reads", FL_SEV_INFO, FL_MECH_READ_COPY,
				       "pid %d: %llu read() calls of %.1f KiB on average copied %s",
				       p->pid, (unsigned long long)calls,
				       (double)bytes / (double)calls / 1024,
				       fl_fmt_bytes(b1, sizeof(b1), (double)bytes));
		if (one.file_pages_peak > 0 && one.faults[FL_FC_CACHE_HIT] + one.faults[FL_FC_DISK])
			fl_explain_add(
			    sec, "io.mapped", FL_SEV_INFO, FL_MECH_MMAP_IO,
			    "pid %d: %s of file pages mapped with %llu faults", p->pid,
			    fl_fmt_bytes(b1, sizeof(b1), 4096.0 * (double)one.file_pages_peak),
			    (unsigned long long)(one.faults[FL_FC_CACHE_HIT] +
						 one.faults[FL_FC_DISK]));
	}
	sum_finish(&sum, &all);
	json_object_set_new(sec, "total", fl_io_profile_json(&all));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

void fl_report_io_text(json_t *sec, FILE *f)
{
	size_t j, idx[8], rn;
	long long rs;
	json_t *procs = json_object_get(sec, "processes"), *p, *r;
	char b1[32], b2[32], b3[32], b4[32], fit[256];
	size_t np = fl_report_top_procs(procs, "read_bytes", idx, 8, &rn, &rs);
	for (size_t i = 0; i < np; i++) {
		p = json_array_get(procs, idx[i]);
		fl_text_printf(
		    f, "  ",
		    "pid %lld %s: %s read() calls, %s copied to user space, %s file "
		    "pages mapped",
		    (long long)json_integer_value(json_object_get(p, "pid")),
		    json_string_value(json_object_get(p, "exe")),
		    fl_fmt_count(b1, sizeof(b1),
				 (uint64_t)json_integer_value(json_object_get(p, "read_calls"))),
		    fl_fmt_bytes(b2, sizeof(b2),
				 (double)json_integer_value(json_object_get(p, "read_bytes"))),
		    count_or_na(b3, sizeof(b3), json_object_get(p, "file_pages_mapped")));
		json_array_foreach(json_object_get(p, "files"), j, r)
		    fprintf(f, "  fd %-3lld %-44.44s %10lld calls %10s (%s/call)\n",
			    (long long)json_integer_value(json_object_get(r, "fd")),
			    fl_fit_path(fit, sizeof(fit),
					json_string_value(json_object_get(r, "path")), 44),
			    (long long)json_integer_value(json_object_get(r, "calls")),
			    fl_fmt_bytes(b1, sizeof(b1),
					 (double)json_integer_value(json_object_get(r, "bytes"))),
			    fl_fmt_bytes(b4, sizeof(b4),
					 json_number_value(json_object_get(r, "bytes_per_call"))));
	}
	if (rn)
		fprintf(f,
			"... and %zu more processes with %lld bytes read (see --json or --pid)\n",
			rn, rs);
	fl_findings_render(sec, f);
}
