/*
 * Chrome trace event format, written one event per line so that a long
 * trace streams out without building one huge document in memory; each
 * event is a jansson object dumped compactly. Timestamps are microseconds
 * (the format's unit) since the earliest process start, so the processes of
 * one trace line up on one timeline.
 */
#include "export/export.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "util/diag.h"

struct pf {
	FILE *f;
	uint64_t t0;
	size_t n;
};

static double ts(const struct pf *pf, const struct fl_proc *p, uint64_t t)
{
	return ((double)p->start_realtime_ns - (double)pf->t0 + (double)t) / 1e3;
}

/* Writes ev (stolen) as the next array element. */
static void put(struct pf *pf, json_t *ev)
{
	fputs(pf->n++ ? ",\n" : "\n", pf->f);
	json_dumpf(ev, pf->f, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
	json_decref(ev);
}

static json_t *event(const char *ph, const char *name, int pid, int tid)
{
	return json_pack("{s:s, s:s, s:i, s:i}", "ph", ph, "name", name, "pid", pid, "tid", tid);
}

static void meta(struct pf *pf, const char *what, int pid, int tid, const char *name)
{
	json_t *ev = event("M", what, pid, tid);
	json_object_set_new(ev, "args", json_pack("{s:s}", "name", name));
	put(pf, ev);
}

static void counter(struct pf *pf, const struct fl_proc *p, uint64_t t, const char *name,
		    json_t *args)
{
	json_t *ev = event("C", name, p->pid, p->pid);
	json_object_set_new(ev, "ts", json_real(ts(pf, p, t)));
	json_object_set_new(ev, "args", args);
	put(pf, ev);
}

static void instant(struct pf *pf, const struct fl_proc *p, int tid, uint64_t t, const char *name,
		    json_t *args)
{
	json_t *ev = event("i", name, p->pid, tid > 0 ? tid : p->pid);
	json_object_set_new(ev, "ts", json_real(ts(pf, p, t)));
	json_object_set_new(ev, "s", json_string("t"));
	json_object_set_new(ev, "args", args);
	put(pf, ev);
}

static int64_t nn(int64_t v)
{
	return v > 0 ? v : 0;
}

static void names(struct pf *pf, const struct fl_proc *p, int first_image)
{
	char buf[512];
	const char *exe = p->exe ? p->exe : "?";
	int tids[64];
	size_t ntids = 0;
	if (first_image) {
		snprintf(buf, sizeof(buf), "%s (pid %d)", exe, p->pid);
		meta(pf, "process_name", p->pid, p->pid, buf);
	}
	meta(pf, "thread_name", p->pid, p->pid, "main");
	for (size_t i = 0; i < p->nfaults && ntids < 64; i++) {
		int tid = p->faults[i].tid;
		size_t j;
		for (j = 0; j < ntids && tids[j] != tid; j++)
			;
		if (j < ntids || tid <= 0 || tid == p->pid)
			continue;
		tids[ntids++] = tid;
		snprintf(buf, sizeof(buf), "thread %d", tid);
		meta(pf, "thread_name", p->pid, tid, buf);
	}
}

static void lifetime(struct pf *pf, const struct fl_proc *p)
{
	json_t *ev = event("X", p->exe ? p->exe : "process", p->pid, p->pid);
	json_object_set_new(ev, "ts", json_real(ts(pf, p, 0)));
	json_object_set_new(ev, "dur", json_real((double)p->end_t / 1e3));
	json_object_set_new(ev, "args",
			    json_pack("{s:o, s:s?}", "argv",
				      p->argv ? json_incref(p->argv) : json_array(), "exit",
				      p->exit.present ? p->exit.how : NULL));
	put(pf, ev);
}

static void counters(struct pf *pf, const struct fl_proc *p)
{
	int64_t pmi = 0, pma = 0;
	double ps = (double)(p->page_size > 0 ? p->page_size : 4096);
	for (size_t i = 0; i < p->ncounters; i++) {
		const struct fl_counters *k = &p->counters[i];
		int64_t mi = k->minflt >= 0 ? k->minflt : k->ru_minflt;
		int64_t ma = k->majflt >= 0 ? k->majflt : k->ru_majflt;
		counter(pf, p, k->t, "RSS",
			json_pack("{s:I, s:I, s:I}", "anon", (json_int_t)nn(k->rss_anon), "file",
				  (json_int_t)nn(k->rss_file), "shmem",
				  (json_int_t)nn(k->rss_shmem)));
		if (k->vsz >= 0)
			counter(pf, p, k->t, "virtual size",
				json_pack("{s:I}", "vsz", (json_int_t)k->vsz));
		if (mi >= 0)
			counter(pf, p, k->t, "page faults",
				json_pack("{s:I, s:I}", "minor", (json_int_t)nn(mi - pmi), "major",
					  (json_int_t)nn(ma - pma)));
		pmi = mi >= 0 ? mi : pmi;
		pma = ma >= 0 ? ma : pma;
	}
	for (size_t i = 0; i < p->nwss; i++)
		if (p->wss[i].written >= 0)
			counter(pf, p, p->wss[i].t, "working set",
				json_pack("{s:f}", "written", (double)p->wss[i].written * ps));
	for (size_t i = 0; i < p->nresidency; i++) {
		const struct fl_residency *r = &p->residency[i];
		double present = 0, shared = 0;
		for (size_t j = 0; j < r->nregions; j++) {
			present += (double)nn(r->regions[j].present);
			shared += (double)nn(r->regions[j].anon_shared);
		}
		counter(
		    pf, p, r->t, "resident pages (pagemap)",
		    json_pack("{s:f, s:f}", "present", present * ps, "cow shared", shared * ps));
	}
}

static void instants(struct pf *pf, const struct fl_proc *p)
{
	for (size_t i = 0; i < p->nforks; i++)
		instant(pf, p, p->forks[i].tid, p->forks[i].t, "fork",
			json_pack("{s:i, s:s}", "child", p->forks[i].child, "kind",
				  fl_link_name((enum fl_link)p->forks[i].kind)));
	for (size_t i = 0; i < p->nexecs; i++)
		instant(pf, p, p->pid, p->execs[i].t, "exec",
			json_pack("{s:s?, s:O?, s:I}", "path", p->execs[i].path, "argv",
				  p->execs[i].argv, "errno", (json_int_t)p->execs[i].err));
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		char addr[32];
		if (c->fn != FL_FN_MMAP && c->fn != FL_FN_MUNMAP && c->fn != FL_FN_MREMAP)
			continue;
		snprintf(addr, sizeof(addr), "0x%llx",
			 (unsigned long long)(c->fn == FL_FN_MUNMAP ? c->addr : c->result));
		instant(pf, p, c->tid, c->t, fl_fn_name((enum fl_fn)c->fn),
			json_pack("{s:s, s:I, s:s?, s:i}", "addr", addr, "size",
				  (json_int_t)c->size, "path", c->path, "errno", c->err));
	}
}

int fl_export_perfetto(FILE *f, const struct fl_model *m, const struct fl_report_opts *o)
{
	struct pf pf = {f, UINT64_MAX, 0};
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->start_realtime_ns < pf.t0)
			pf.t0 = m->procs[i]->start_realtime_ns;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		int first = 1;
		if (!fl_report_selected(o, p))
			continue;
		for (size_t j = 0; j < i; j++)
			if (m->procs[j]->pid == p->pid && fl_report_selected(o, m->procs[j]))
				first = 0;
		names(&pf, p, first);
		lifetime(&pf, p);
		counters(&pf, p);
		instants(&pf, p);
	}
	fputs("\n]}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return fl_error("error writing the trace events");
	return 0;
}
