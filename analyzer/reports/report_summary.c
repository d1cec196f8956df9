/*
 * The summary: one screen about the whole run (every selected process),
 * then one line per process.
 */
#include <string.h>

#include "faultline/schema.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "model/residency.h"
#include "model/shimlibs.h"
#include "reports/report.h"
#include "reports/report_faults.h"
#include "reports/report_summary.h"
#include "reports/rss.h"

struct pfacts {
	uint64_t runtime;
	int64_t peak_rss, peak_vsz, maxrss;
	int64_t vm_peak; /* VmPeak as the kernel counts it, the shim's mappings included */
	/* where each peak came from: the kernel's high-water mark (exact) or
	 * the largest tick (older traces) */
	const char *peak_rss_from, *peak_vsz_from;
	/* the shim's resident bytes at the counters line with the largest RSS:
	 * VmHWM counts them, so the peak says how much of it was faultline's */
	int64_t shim_at_peak, rss_at_shim_sample;
	uint64_t t_shim_sample; /* the counters line of rss_at_shim_sample */
	uint64_t calls[FL_FN_COUNT], bytes[FL_FN_COUNT], peak_live, live_end;
	uint64_t mapped, unmapped, nmmap, nmunmap;
	int64_t minflt, majflt, ru_minflt, ru_majflt, cpu_ns;
};

/* A value from an exec image's rusage minus what earlier images of the pid used. */
static int64_t ru_own(const struct fl_proc *p, int64_t (*get)(const struct fl_proc *))
{
	int64_t v = get(p);
	if (v >= 0 && p->link == FL_LINK_EXEC && p->parent) {
		int64_t before = get(p->parent);
		if (before >= 0 && before <= v)
			v -= before;
	}
	return v;
}

static int64_t get_ru_min(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	return p->exit.present && p->exit.ru_minflt >= 0 ? p->exit.ru_minflt
	       : c					 ? c->ru_minflt
							 : -1;
}
static int64_t get_ru_maj(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	return p->exit.present && p->exit.ru_majflt >= 0 ? p->exit.ru_majflt
	       : c					 ? c->ru_majflt
							 : -1;
}
static int64_t get_cpu(const struct fl_proc *p)
{
	if (!p->exit.present || p->exit.ru_utime_ns < 0 || p->exit.ru_stime_ns < 0)
		return -1;
	return p->exit.ru_utime_ns + p->exit.ru_stime_ns;
}

static void raise_peak(int64_t *peak, const char **from, int64_t v, const char *source)
{
	if (v > *peak) {
		*peak = v;
		*from = source;
	}
}

/* The peaks a counters line shows: its RSS and virtual size at the tick,
 * and the kernel's high-water marks VmHWM and VmPeak (which see every
 * moment, however short the run). VmPeak counts the shim's own mappings:
 * they are taken off, as from the virtual size, where they were when
 * VmPeak rose (the shim's vm_peak_less_regions; older traces: at the
 * line). */
static void peaks_of(const struct fl_proc *p, const struct fl_counters *c, struct pfacts *f)
{
	/* the kernel's mark first: a tick that saw the same figure adds nothing */
	raise_peak(&f->peak_rss, &f->peak_rss_from, c->vm_hwm, "VmHWM");
	raise_peak(&f->peak_rss, &f->peak_rss_from, fl_rss_of_sample(c), "ticks");
	if (c->shim_resident >= 0 && fl_rss_of_sample(c) > f->rss_at_shim_sample) {
		f->rss_at_shim_sample = fl_rss_of_sample(c);
		/* and the program's unwind tables its unwinding read in */
		f->shim_at_peak =
		    c->shim_resident + (c->unwind_resident > 0 ? c->unwind_resident : 0);
		f->t_shim_sample = c->t;
	}
	if (c->vm_peak > f->vm_peak)
		f->vm_peak = c->vm_peak;
	if (c->vm_peak_less_regions >= 0) /* the shim's reading, at each rise */
		raise_peak(&f->peak_vsz, &f->peak_vsz_from, fl_vm_peak_of_sample(p, c), "VmPeak");
	else if (c->vm_peak >= 0) {
		int64_t shim = fl_shim_bytes_of_sample(p, c);
		raise_peak(&f->peak_vsz, &f->peak_vsz_from,
			   c->vm_peak > shim ? c->vm_peak - shim : c->vm_peak, "VmPeak");
	}
	raise_peak(&f->peak_vsz, &f->peak_vsz_from, fl_vsz_of_sample(p, c), "ticks");
}

/*
 * The resident bytes, near time t, of the libraries only the shim loaded
 * (libunwind, libzstd, ...): the shim's own count (shim_resident) covers
 * its buffers and its own image, and VmHWM counts these pages too. 0 when
 * unknown.
 *
 * Read from the residency state replayed to each group of lines (model/
 * residency.h), not from one line: a tick's line lists only the VMAs that
 * changed, and a line written before an unmap lists only the VMAs that
 * unmap takes, so the line nearest t could hold none of the libraries
 * (sort, whose first tick came 26 ms before the read of its 123 MiB
 * buffer's unmap and 28 ms before its exit tick: "of which faultline
 * 516 KiB" where its libraries held 1.2 MiB more). The state nearest t
 * that knows any of the libraries' pages counts.
 */
struct libs_near {
	const struct fl_proc *p;
	const struct fl_shimlibs *libs;
	uint64_t t, best; /* best: distance to t of the state taken */
	int64_t sum;
};

static int libs_state(const struct fl_res_state *s, void *ctx)
{
	struct libs_near *k = ctx;
	uint64_t d = s->t > k->t ? s->t - k->t : k->t - s->t;
	int64_t sum = 0;
	int known = 0;
	struct fl_vma v;
	if (d >= k->best)
		return s->t > k->t; /* states only move away from t from here */
	for (size_t i = 0; i < s->n; i++) {
		const struct fl_res_region *g = &s->v[i];
		if (!s->alive[i] || g->present < 0 ||
		    fl_proc_vma_at(k->p, g->start, s->t, &v) != 0 || !v.path ||
		    !fl_shimlibs_has(k->libs, v.path))
			continue;
		known = 1;
		sum += g->present * 4096;
	}
	if (known) {
		k->best = d;
		k->sum = sum;
	}
	return 0;
}

static int64_t shim_libs_resident(const struct fl_proc *p, uint64_t t)
{
	struct fl_shimlibs libs = fl_shimlibs_of_proc(p);
	struct libs_near k = {.p = p, .libs = &libs, .t = t, .best = UINT64_MAX, .sum = 0};
	if (!libs.n)
		return 0;
	fl_res_walk(p, libs_state, &k);
	return k.sum;
}

static void facts(const struct fl_proc *p, struct pfacts *f)
{
	const struct fl_heap_tick *h = fl_proc_last_heap(p);
	const struct fl_counters *last = fl_proc_last_counters(p), *c;
	struct fl_counters_cursor k;
	memset(f, 0, sizeof(*f));
	f->runtime = p->end_t;
	f->peak_rss = f->peak_vsz = f->vm_peak = -1;
	f->shim_at_peak = f->rss_at_shim_sample = -1;
	fl_counters_begin(&k, &p->counters);
	while ((c = fl_counters_next(&k)) != NULL)
		peaks_of(p, c, f);
	if (f->shim_at_peak >= 0)
		f->shim_at_peak += shim_libs_resident(p, f->t_shim_sample);
	f->maxrss = p->exit.present && p->exit.ru_maxrss_kb >= 0 ? p->exit.ru_maxrss_kb * 1024 : -1;
	if (h) {
		memcpy(f->calls, h->calls, sizeof(f->calls));
		memcpy(f->bytes, h->bytes, sizeof(f->bytes));
		f->peak_live = h->peak;
		f->live_end = h->live;
	}
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		if (c->err)
			continue;
		if (c->fn == FL_FN_MMAP) {
			f->nmmap++;
			f->mapped += c->size;
		} else if (c->fn == FL_FN_MUNMAP) {
			f->nmunmap++;
			f->unmapped += c->size;
		}
	}
	f->minflt = last ? last->minflt : -1;
	f->majflt = last ? last->majflt : -1;
	f->ru_minflt = ru_own(p, get_ru_min);
	f->ru_majflt = ru_own(p, get_ru_maj);
	f->cpu_ns = ru_own(p, get_cpu);
}

static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static uint64_t heap_calls(const struct pfacts *f)
{
	uint64_t n = 0;
	for (int i = 0; i <= FL_FN_PVALLOC; i++)
		n += f->calls[i];
	return n;
}

static uint64_t heap_bytes(const struct pfacts *f)
{
	uint64_t n = 0;
	for (int i = 0; i <= FL_FN_PVALLOC; i++)
		n += f->bytes[i];
	return n;
}

static json_t *proc_json(const struct fl_proc *p, const struct pfacts *f)
{
	json_t *j = json_object();
	json_object_set_new(j, "key", json_string(p->key));
	json_object_set_new(j, "pid", json_integer(p->pid));
	json_object_set_new(j, "exe", p->exe ? json_string(p->exe) : json_null());
	json_object_set_new(j, "runtime_ns", json_integer((json_int_t)f->runtime));
	json_object_set_new(j, "cpu_ns", int_or_null(f->cpu_ns));
	json_object_set_new(j, "peak_rss", int_or_null(f->peak_rss));
	json_object_set_new(j, "peak_rss_source", str_or_null(f->peak_rss_from));
	json_object_set_new(j, "peak_rss_faultline", int_or_null(f->shim_at_peak));
	json_object_set_new(j, "max_rss", int_or_null(f->maxrss));
	json_object_set_new(j, "peak_vsz", int_or_null(f->peak_vsz));
	json_object_set_new(j, "peak_vsz_source", str_or_null(f->peak_vsz_from));
	json_object_set_new(j, "peak_vsz_with_shim", int_or_null(f->vm_peak));
	json_object_set_new(j, "heap_calls", json_integer((json_int_t)heap_calls(f)));
	json_object_set_new(j, "heap_bytes", json_integer((json_int_t)heap_bytes(f)));
	json_object_set_new(j, "frees", json_integer((json_int_t)f->calls[FL_FN_FREE]));
	json_object_set_new(j, "peak_live", json_integer((json_int_t)f->peak_live));
	json_object_set_new(j, "live_at_end", json_integer((json_int_t)f->live_end));
	json_object_set_new(j, "minflt", int_or_null(f->minflt));
	json_object_set_new(j, "majflt", int_or_null(f->majflt));
	json_object_set_new(j, "ru_minflt", int_or_null(f->ru_minflt));
	json_object_set_new(j, "ru_majflt", int_or_null(f->ru_majflt));
	/* where the ru_ figures and cpu_ns end: at the reaper's wait4 (the
	 * process's very end) or at its own exit line */
	json_object_set_new(j, "ru_source",
			    f->ru_minflt < 0	       ? json_null()
			    : p->exit.ru_reaped	       ? json_string("wait4")
			    : fl_proc_ended_by_exec(p) ? json_string("exec")
						       : json_string("exit line"));
	json_object_set_new(j, "killed", json_boolean(!p->exit.present || p->exit.from_wait));
	return j;
}

/* The shim stops recording at the size cap (or a failed write) and notes it;
 * the totals written at exit stay exact, the event-based figures do not. */
static void add_stopped(json_t *r, const struct fl_model *m, const struct fl_report_opts *o)
{
	const struct fl_proc *first = NULL;
	const struct fl_note *note = NULL;
	size_t nstopped = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		for (size_t k = 0; k < p->nnotes; k++) {
			if (!p->notes[k].what || strcmp(p->notes[k].what, "stopped") != 0)
				continue;
			if (!nstopped++) {
				first = p;
				note = &p->notes[k];
			}
			break;
		}
	}
	if (!nstopped)
		return;
	fl_finding_add(r, "summary.trace_stopped", "warn",
		       "The shim stops writing events when a trace file reaches its size cap "
		       "(--max-size, or the file size limit) but keeps counting: call totals and "
		       "counters at exit are exact, per-site, per-event and over-time figures "
		       "cover only the part before the stop.",
		       "recording stopped early in %zu process%s (first: %d after %.1f ms: %s); "
		       "figures from events are cut short",
		       nstopped, nstopped == 1 ? "" : "es", (int)first->pid, (double)note->t / 1e6,
		       note->why ? note->why : "no reason given");
}

/* A thread whose tick timer the kernel refused (timer_create: EAGAIN at
 * RLIMIT_SIGPENDING) ticks only from its heap calls and sleeps: a thread
 * that does neither has no figures over time until it exits. */
static void add_tick_fallback(json_t *r, const struct fl_model *m, const struct fl_report_opts *o)
{
	const struct fl_note *note = NULL;
	const struct fl_proc *first = NULL;
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		for (size_t k = 0; k < p->nnotes; k++) {
			if (!p->notes[k].what || strcmp(p->notes[k].what, "ticks") != 0)
				continue;
			if (!n++) {
				first = p;
				note = &p->notes[k];
			}
			break;
		}
	}
	if (!n)
		return;
	fl_finding_add(r, "summary.tick_fallback", "warn",
		       "Each thread ticks from a timer on its own CPU clock; when the kernel "
		       "refuses the timer, a thread ticks only from its heap calls and sleeps, so "
		       "one that does neither has no counters, heap or residency lines until it "
		       "exits.",
		       "no tick timer in %zu process%s (first: %d: %s)", n, n == 1 ? "" : "es",
		       (int)first->pid, note->why ? note->why : "no reason given");
}

/* Heap events the shim could not keep: one that did not fit a thread's
 * event ring even after the thread wrote the ring out ("dropped"), and the
 * rest of a ring in which a stray write left a record the shim cannot have
 * written ("ring_damaged", in bytes). Totals at exit stay exact; per-site
 * and over-time figures miss those events. */
static void add_events_lost(json_t *r, const struct fl_model *m, const struct fl_report_opts *o)
{
	int64_t dropped = 0, damaged = 0;
	size_t nprocs = 0;
	int first = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		int any = 0;
		if (!fl_report_selected(o, p))
			continue;
		for (size_t k = 0; k < p->nnotes; k++) {
			const char *what = p->notes[k].what;
			if (what && strcmp(what, "dropped") == 0)
				dropped += p->notes[k].n, any = 1;
			else if (what && strcmp(what, "ring_damaged") == 0)
				damaged += p->notes[k].n, any = 1;
		}
		if (any && !nprocs++)
			first = (int)p->pid;
	}
	if (!nprocs)
		return;
	fl_finding_add(
	    r, "summary.events_lost", "warn",
	    "Each thread queues its heap events in a ring that the shim writes out; an "
	    "event that does not fit even after that is dropped, and a ring that a stray "
	    "write damaged is given up from the damaged record on. Call totals and "
	    "counters at exit stay exact; per-site and over-time heap figures miss "
	    "those events.",
	    "heap events lost in %zu process%s (first: %d): %lld dropped, %lld bytes of "
	    "damaged ring given up",
	    nprocs, nprocs == 1 ? "" : "es", first, (long long)dropped, (long long)damaged);
}

static void add_findings(json_t *r, const struct fl_model *m, const struct fl_report_opts *o,
			 const struct pfacts *tot, int64_t peak_rss, int64_t peak_vsz,
			 int64_t kernel_min, int64_t ru_min)
{
	char b1[32], b2[32];
	if (peak_rss > 0 && peak_vsz / 4 > peak_rss)
		fl_finding_add(r, "summary.virtual", "info",
			       "Virtual memory is only a reservation: the kernel backs a page with "
			       "RAM on the first touch (demand paging), so untouched reservations "
			       "cost address space and page tables, not memory.",
			       "peak virtual size %s is %.0fx the peak resident set %s: most "
			       "reserved memory was never touched",
			       fl_fmt_bytes(b1, sizeof(b1), (double)peak_vsz),
			       (double)peak_vsz / (double)peak_rss,
			       fl_fmt_bytes(b2, sizeof(b2), (double)peak_rss));
	/* The programs' own kernel-mode faults (the faults section's
	 * gap_minor), not getrusage less perf: that difference also holds the
	 * loader's and faultline's faults before perf started. */
	if (kernel_min > 0 && ru_min > 0 && kernel_min * 20 > ru_min)
		fl_finding_add(
		    r, "summary.fault_gap", "info",
		    "perf counts faults taken in user mode; getrusage also counts faults "
		    "the kernel takes on the program's behalf (copy_to_user in read(), "
		    "MAP_POPULATE, get_user_pages).",
		    "%lld of %lld minor faults (%.0f%%) happened in kernel mode or through "
		    "get_user_pages, not in the program's own instructions",
		    (long long)kernel_min, (long long)ru_min,
		    100.0 * (double)kernel_min / (double)ru_min);
	if (tot->live_end > 0)
		fl_finding_add(r, "summary.live_at_exit", "info",
			       "Heap memory still allocated at exit is returned to the kernel when "
			       "the address space is torn down; it matters when it grows with the "
			       "run (a leak) rather than staying constant.",
			       "%s of heap was still allocated when the processes ended (see the "
			       "heap section for the sites)",
			       fl_fmt_bytes(b1, sizeof(b1), (double)tot->live_end));
	if (m->nerrors)
		fl_finding_add(r, "summary.trace_errors", "warn",
			       "A trace line that cannot be read is skipped; the figures above "
			       "leave out what it said.",
			       "%lu bad line%s or file%s in the trace were skipped", m->nerrors,
			       m->nerrors == 1 ? "" : "s", m->nerrors == 1 ? "" : "s");
	add_stopped(r, m, o);
	add_tick_fallback(r, m, o);
	add_events_lost(r, m, o);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_probe *pr;
		if (!fl_report_selected(o, m->procs[i]))
			continue;
		pr = fl_proc_probe(m->procs[i], FL_PROBE_PERF_SAMPLE);
		if (pr && !pr->ok) {
			fl_finding_add(r, "summary.no_fault_samples", "info",
				       "Page-fault samples come from a perf software event; the "
				       "kernel refuses it under a strict perf_event_paranoid, "
				       "seccomp or in some containers.",
				       "page-fault sampling was off (%s): fault classes and sites "
				       "are missing",
				       pr->why ? pr->why : "no reason given");
		}
		break;
	}
}

/* What the first selected process could measure, and why not where it could not. */
static json_t *probes_json(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *r = json_object();
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		for (size_t k = 0; k < p->nprobes; k++) {
			json_t *j = json_object();
			json_object_set_new(j, "ok", json_boolean(p->probes[k].ok));
			json_object_set_new(j, "why",
					    p->probes[k].why ? json_string(p->probes[k].why)
							     : json_null());
			json_object_set_new(r, p->probes[k].name, j);
		}
		break;
	}
	return r;
}

/* faultline's own share over the selected processes: kept out of the
 * program's figures above, shown apart in one line. */
static json_t *shim_json(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_int_t faults = 0, kernel = 0, mapped = 0, threads = -1;
	/* summed over processes like mapped; the peak is the largest single one */
	json_int_t resident = -1, private = -1, resident_peak = -1, nprocs = 0, cpu = -1;
	json_int_t unwind = -1;
	json_t *libs = json_array();
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		const struct fl_fault_summary *fs;
		uint64_t shim_samples = 0;
		size_t k;
		json_t *one, *l;
		if (!fl_report_selected(o, p))
			continue;
		fs = fl_faults_summary(m, p);
		shim_samples = fs ? fs->cnt[FL_FC_SHIM] : 0;
		one = fl_report_shim(p, shim_samples);
		nprocs++;
		faults += json_integer_value(json_object_get(one, "faults"));
		kernel += json_integer_value(json_object_get(one, "kernel_mode_faults"));
		mapped += json_integer_value(json_object_get(one, "mapped_bytes"));
#define SUM(acc, key)                                                                              \
	if (json_is_integer(json_object_get(one, key)))                                            \
	acc = (acc < 0 ? 0 : acc) + json_integer_value(json_object_get(one, key))
		SUM(resident, "resident_bytes");
		SUM(private, "private_bytes");
		SUM(cpu, "cpu_ns");
		SUM(unwind, "unwind_resident_bytes");
#undef SUM
		if (json_integer_value(json_object_get(one, "resident_peak_bytes")) > resident_peak)
			resident_peak =
			    json_integer_value(json_object_get(one, "resident_peak_bytes"));
		if (json_is_integer(json_object_get(one, "threads")))
			threads = (threads < 0 ? 0 : threads) +
				  json_integer_value(json_object_get(one, "threads"));
		json_array_foreach(json_object_get(one, "libraries"), k, l)
		{
			size_t x;
			json_t *have;
			int seen = 0;
			json_array_foreach(libs, x, have) seen |= json_equal(have, l);
			if (!seen)
				json_array_append(libs, l);
		}
		json_decref(one);
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "processes",
			 nprocs, "faults", faults, "kernel_mode_faults", kernel, "mapped_bytes",
			 mapped, "threads", threads >= 0 ? json_integer(threads) : json_null(),
			 "libraries", libs, "resident_bytes", int_or_null(resident),
			 "private_bytes", int_or_null(private), "resident_peak_bytes",
			 int_or_null(resident_peak), "unwind_resident_bytes", int_or_null(unwind),
			 "cpu_ns", int_or_null(cpu));
}

json_t *fl_report_summary(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *r = json_object(), *procs = json_array(), *calls = json_object(),
	       *bytes = json_object(), *heap = json_object(), *maps = json_object(),
	       *faults = json_object();
	struct pfacts tot, f;
	uint64_t t0 = UINT64_MAX, t1 = 0, nfaults = 0;
	int64_t peak_rss = -1, peak_vsz = -1, vm_peak = -1, perf_min = -1, perf_maj = -1,
		ru_min = -1, ru_maj = -1, cpu = -1, kernel_min = -1;
	int64_t rss_shim = -1;		  /* faultline's resident bytes in the peak RSS process */
	size_t n_ru = 0, n_ru_reaped = 0; /* processes with ru_ figures; from wait4 */
	const char *rss_key = NULL, *rss_from = NULL, *vsz_from = NULL;
	size_t n = 0;
	memset(&tot, 0, sizeof(tot));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		n++;
		facts(p, &f);
		if (p->start_realtime_ns < t0)
			t0 = p->start_realtime_ns;
		if (p->start_realtime_ns + p->end_t > t1)
			t1 = p->start_realtime_ns + p->end_t;
		for (int k = 0; k < FL_FN_COUNT; k++) {
			tot.calls[k] += f.calls[k];
			tot.bytes[k] += f.bytes[k];
		}
		if (f.peak_live > tot.peak_live)
			tot.peak_live = f.peak_live;
		tot.live_end += f.live_end;
		tot.nmmap += f.nmmap;
		tot.nmunmap += f.nmunmap;
		tot.mapped += f.mapped;
		tot.unmapped += f.unmapped;
		if (f.peak_rss > peak_rss) {
			peak_rss = f.peak_rss;
			rss_key = p->key;
			rss_from = f.peak_rss_from;
			rss_shim = f.shim_at_peak;
		}
		raise_peak(&peak_vsz, &vsz_from, f.peak_vsz, f.peak_vsz_from);
		if (f.vm_peak > vm_peak)
			vm_peak = f.vm_peak;
#define ADD(acc, v)                                                                                \
	if ((v) >= 0)                                                                              \
	acc = (acc < 0 ? 0 : acc) + (v)
		ADD(perf_min, f.minflt);
		ADD(perf_maj, f.majflt);
		ADD(ru_min, f.ru_minflt);
		ADD(ru_maj, f.ru_majflt);
		ADD(cpu, f.cpu_ns);
		ADD(kernel_min, fl_report_kernel_minflt(p));
#undef ADD
		if (f.ru_minflt >= 0 && !fl_proc_ended_by_exec(p))
			n_ru_reaped += p->exit.ru_reaped, n_ru++;
		nfaults += p->nfaults;
		json_array_append_new(procs, proc_json(p, &f));
	}
	json_object_set_new(r, "processes", json_integer((json_int_t)n));
	json_object_set_new(r, "runtime_ns", json_integer(n ? (json_int_t)(t1 - t0) : 0));
	json_object_set_new(r, "cpu_ns", int_or_null(cpu));
	json_object_set_new(r, "peak_rss", int_or_null(peak_rss));
	json_object_set_new(r, "peak_rss_process", rss_key ? json_string(rss_key) : json_null());
	json_object_set_new(r, "peak_rss_source", str_or_null(rss_from));
	json_object_set_new(r, "peak_rss_faultline", int_or_null(rss_shim));
	json_object_set_new(r, "peak_vsz", int_or_null(peak_vsz));
	json_object_set_new(r, "peak_vsz_source", str_or_null(vsz_from));
	json_object_set_new(r, "peak_vsz_with_shim", int_or_null(vm_peak));
	/* Processes peak at different times: a sum would be no moment's. */
	json_object_set_new(r, "peak_scope",
			    json_string(n > 1 ? "largest single process" : "process"));
	for (int k = 0; k < FL_FN_COUNT; k++) {
		if (k >= FL_FN_MMAP)
			break;
		json_object_set_new(calls, fl_fn_name(k), json_integer((json_int_t)tot.calls[k]));
		if (FL_FN_IS_ALLOC(k))
			json_object_set_new(bytes, fl_fn_name(k),
					    json_integer((json_int_t)tot.bytes[k]));
	}
	json_object_set_new(heap, "calls", calls);
	json_object_set_new(heap, "bytes", bytes);
	json_object_set_new(heap, "peak_live", json_integer((json_int_t)tot.peak_live));
	json_object_set_new(heap, "live_at_end", json_integer((json_int_t)tot.live_end));
	json_object_set_new(r, "heap", heap);
	json_object_set_new(maps, "mmap", json_integer((json_int_t)tot.nmmap));
	json_object_set_new(maps, "munmap", json_integer((json_int_t)tot.nmunmap));
	json_object_set_new(maps, "mapped_bytes", json_integer((json_int_t)tot.mapped));
	json_object_set_new(maps, "unmapped_bytes", json_integer((json_int_t)tot.unmapped));
	for (int k = FL_FN_MREMAP; k < FL_FN_COUNT; k++)
		json_object_set_new(maps, fl_fn_name(k), json_integer((json_int_t)tot.calls[k]));
	json_object_set_new(r, "mappings", maps);
	json_object_set_new(faults, "perf_minor", int_or_null(perf_min));
	json_object_set_new(faults, "perf_major", int_or_null(perf_maj));
	json_object_set_new(faults, "rusage_minor", int_or_null(ru_min));
	json_object_set_new(faults, "rusage_major", int_or_null(ru_maj));
	/* where the processes' getrusage figures end (per_process ru_source) */
	json_object_set_new(faults, "rusage_source",
			    !n_ru		  ? json_null()
			    : n_ru_reaped == n_ru ? json_string("wait4")
			    : n_ru_reaped	  ? json_string("mixed")
						  : json_string("exit line"));
	json_object_set_new(faults, "samples", json_integer((json_int_t)nfaults));
	json_object_set_new(r, "faults", faults);
	json_object_set_new(r, "per_process", procs);
	json_object_set_new(r, "faultline", shim_json(m, o));
	json_object_set_new(r, "probes", probes_json(m, o));
	json_object_set_new(r, "findings", json_array());
	add_findings(r, m, o, &tot, peak_rss, peak_vsz, kernel_min, ru_min);
	return r;
}

static const char *opt_bytes(char *b, size_t len, json_t *v)
{
	return json_is_integer(v) ? fl_fmt_bytes(b, len, (double)json_integer_value(v)) : "n/a";
}

static const char *opt_count(char *b, size_t len, json_t *v)
{
	return json_is_integer(v) ? fl_fmt_count(b, len, (uint64_t)json_integer_value(v)) : "n/a";
}

const char *fl_report_rusage_span(const json_t *faults)
{
	const char *src = json_string_value(json_object_get(faults, "rusage_source"));
	if (!src)
		return "getrusage";
	if (!strcmp(src, "wait4"))
		return "getrusage, exec to exit";
	if (!strcmp(src, "mixed"))
		return "getrusage, some processes to their exit lines only";
	return "getrusage, to the exit lines";
}

/* Processes, times and peak memory. */
static void render_run(json_t *sec, FILE *f)
{
	char b1[32], b2[32], b3[32];
	fprintf(f, "Processes: %lld   wall time: %s   CPU time: %s\n",
		(long long)json_integer_value(json_object_get(sec, "processes")),
		fl_fmt_ns(b1, sizeof(b1),
			  (double)json_integer_value(json_object_get(sec, "runtime_ns"))),
		json_is_integer(json_object_get(sec, "cpu_ns"))
		    ? fl_fmt_ns(b2, sizeof(b2),
				(double)json_integer_value(json_object_get(sec, "cpu_ns")))
		    : "n/a");
	const char *rss_from = json_string_value(json_object_get(sec, "peak_rss_source"));
	const char *vsz_from = json_string_value(json_object_get(sec, "peak_vsz_source"));
	int several = json_integer_value(json_object_get(sec, "processes")) > 1;
	/* several processes: the largest single one's (their peaks are at
	 * different moments, a sum would be none's) */
	/* VmHWM counts the shim's own pages: said, not subtracted (the
	 * kernel's mark is one figure, the shim's share a tick's) */
	json_t *shim = json_object_get(sec, "peak_rss_faultline");
	char of_shim[64] = "";
	if (json_is_integer(shim))
		snprintf(of_shim, sizeof(of_shim), ", of which faultline ≈%s",
			 fl_fmt_bytes(b3, sizeof(b3), (double)json_integer_value(shim)));
	char rss[160], vsz[96];
	snprintf(rss, sizeof(rss), "Peak RSS: %s (%s %s%s%s%s)",
		 opt_bytes(b1, sizeof(b1), json_object_get(sec, "peak_rss")),
		 several ? "largest single process:" : "process",
		 json_string_value(json_object_get(sec, "peak_rss_process")) ?: "?",
		 rss_from ? ", " : "", rss_from ? rss_from : "", of_shim);
	snprintf(vsz, sizeof(vsz), "peak virtual: %s%s%s%s",
		 opt_bytes(b2, sizeof(b2), json_object_get(sec, "peak_vsz")), vsz_from ? " (" : "",
		 vsz_from ? vsz_from : "", vsz_from ? ")" : "");
	/* one line when both fit the 100 columns (bytes: "≈" counts 3) */
	if (strlen(rss) + 3 + strlen(vsz) <= 100)
		fprintf(f, "%s   %s\n", rss, vsz);
	else
		fprintf(f, "%s\n          %s\n", rss, vsz);
}

/* Heap calls by function, three to a line, and the live heap. */
static void render_heap(json_t *heap, FILE *f)
{
	json_t *calls = json_object_get(heap, "calls"), *bytes = json_object_get(heap, "bytes");
	char b1[32], b2[32];
	int col = 0;
	fprintf(f, "Heap calls:");
	for (int k = 0; k < FL_FN_MMAP; k++) {
		json_int_t c = json_integer_value(json_object_get(calls, fl_fn_name(k)));
		json_t *by = json_object_get(bytes, fl_fn_name(k));
		if (!c)
			continue;
		if (col && col % 3 == 0)
			fprintf(f, "\n           ");
		col++;
		fprintf(f, "  %s %s", fl_fn_name(k), fl_fmt_count(b1, sizeof(b1), (uint64_t)c));
		if (by)
			fprintf(f, " (%s)",
				fl_fmt_bytes(b2, sizeof(b2), (double)json_integer_value(by)));
	}
	fprintf(f, "%s\n", col ? "" : "  none");
	fprintf(f, "Peak live heap: %s   still live at end: %s\n",
		opt_bytes(b1, sizeof(b1), json_object_get(heap, "peak_live")),
		opt_bytes(b2, sizeof(b2), json_object_get(heap, "live_at_end")));
}

/* The program's own mapping calls, then the page-fault counts from both
 * sources; perf's count has faultline's own faults in it (shim: the
 * section's "faultline" object), said on its line. */
static void render_maps_and_faults(json_t *maps, json_t *faults, json_t *shim, FILE *f)
{
	json_t *own = json_object_get(shim, "faults");
	char b1[32], b2[32], b3[32], b4[32];
	/* Calls through the PLT only: glibc's malloc maps and grows its arenas
	 * with internal calls, which the heap lines above account for. */
	fprintf(f, "Mapping calls (the program's, not malloc's): %s mmap (%s), ",
		opt_count(b1, sizeof(b1), json_object_get(maps, "mmap")),
		opt_bytes(b2, sizeof(b2), json_object_get(maps, "mapped_bytes")));
	fprintf(f, "%s munmap (%s),\n", opt_count(b1, sizeof(b1), json_object_get(maps, "munmap")),
		opt_bytes(b2, sizeof(b2), json_object_get(maps, "unmapped_bytes")));
	fprintf(f, "             %s mremap, %s mprotect, ",
		opt_count(b1, sizeof(b1), json_object_get(maps, "mremap")),
		opt_count(b2, sizeof(b2), json_object_get(maps, "mprotect")));
	fprintf(f, "%s madvise, %s brk\n",
		opt_count(b1, sizeof(b1), json_object_get(maps, "madvise")),
		opt_count(b2, sizeof(b2), json_object_get(maps, "brk")));
	fprintf(f, "Page faults: minor %s / major %s (%s);",
		opt_count(b1, sizeof(b1), json_object_get(faults, "rusage_minor")),
		opt_count(b2, sizeof(b2), json_object_get(faults, "rusage_major")),
		fl_report_rusage_span(faults));
	fprintf(f, "\n             minor %s / major %s (perf, user mode",
		opt_count(b3, sizeof(b3), json_object_get(faults, "perf_minor")),
		opt_count(b4, sizeof(b4), json_object_get(faults, "perf_major")));
	if (json_integer_value(own) > 0)
		fprintf(f, ", ≈%s of them faultline's", opt_count(b2, sizeof(b2), own));
	fprintf(f, "); %s samples\n",
		opt_count(b1, sizeof(b1), json_object_get(faults, "samples")));
}

/* The probes that did not work here, each with why. */
static void render_unmeasured(json_t *probes, FILE *f)
{
	json_t *pr;
	const char *name;
	int any = 0;
	json_object_foreach(probes, name, pr)
	{
		char lead[64];
		if (json_is_true(json_object_get(pr, "ok")))
			continue;
		if (!any)
			fprintf(f, "Not measured here:\n");
		any = 1;
		snprintf(lead, sizeof(lead), "  %-19s ", name);
		fl_text_wrap(f, lead, "                      ",
			     json_string_value(json_object_get(pr, "why")) ?: "no reason given",
			     100);
	}
}

/* One line per process (the first 40), when there is more than one. */
static void render_procs(json_t *procs, FILE *f)
{
	char b1[32], b2[32], b3[32], b4[32], c1[32];
	json_t *p;
	size_t i;
	if (json_array_size(procs) <= 1)
		return;
	fprintf(f, "\n  %-12s %9s %10s %10s %10s %12s  %s\n", "PROCESS", "TIME", "PEAK RSS",
		"PEAK LIVE", "MINFLT", "HEAP CALLS", "EXE");
	json_array_foreach(procs, i, p)
	{
		const char *exe = json_string_value(json_object_get(p, "exe"));
		const char *base = exe ? strrchr(exe, '/') : NULL;
		if ((int)i >= 40) {
			fprintf(f, "  ... %zu more (use --pid N or --json)\n",
				json_array_size(procs) - i);
			break;
		}
		fprintf(f, "  %-12s %9s %10s %10s %10s %12s  %s\n",
			json_string_value(json_object_get(p, "key")),
			fl_fmt_ns(b1, sizeof(b1),
				  (double)json_integer_value(json_object_get(p, "runtime_ns"))),
			opt_bytes(b2, sizeof(b2), json_object_get(p, "peak_rss")),
			opt_bytes(b3, sizeof(b3), json_object_get(p, "peak_live")),
			opt_count(b4, sizeof(b4), json_object_get(p, "ru_minflt")),
			opt_count(c1, sizeof(c1), json_object_get(p, "heap_calls")),
			base  ? base + 1
			: exe ? exe
			      : "?");
	}
}

void fl_report_summary_text(json_t *sec, FILE *f)
{
	render_run(sec, f);
	render_heap(json_object_get(sec, "heap"), f);
	render_maps_and_faults(json_object_get(sec, "mappings"), json_object_get(sec, "faults"),
			       json_object_get(sec, "faultline"), f);
	fl_report_shim_text(json_object_get(sec, "faultline"), f, "");
	render_unmeasured(json_object_get(sec, "probes"), f);
	render_procs(json_object_get(sec, "per_process"), f);
	/* The other sections' most important findings, collected by the registry. */
	fl_findings_render_top(json_object_get(sec, "top_findings"),
			       "Top findings (details in each section):", f);
	fl_findings_render(sec, f);
}
