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
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/u64map.h"
#include "util/xalloc.h"

struct pf {
	FILE *f;
	uint64_t t0;
	size_t n;
	uint64_t flows; /* flow ids given so far */
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
	if (first_image) {
		snprintf(buf, sizeof(buf), "%s (pid %d)", exe, p->pid);
		meta(pf, "process_name", p->pid, p->pid, buf);
	}
	meta(pf, "thread_name", p->pid, p->pid, "main");
}

/* A thread other than the main one, and when the trace saw it first and last. */
struct thread {
	int32_t tid;
	uint64_t first, last;
};

static void seen(struct fl_u64map *index, struct thread **ts, size_t *n, size_t *cap,
		 const struct fl_proc *p, int32_t tid, uint64_t t)
{
	uint64_t *slot;
	struct thread *th;
	if (tid <= 0 || tid == p->pid)
		return;
	slot = fl_u64map_slot(index, (uint64_t)tid);
	if (!*slot) {
		FL_GROW(*ts, *cap, *n + 1);
		(*ts)[(*n)++] = (struct thread){tid, t, t};
		*slot = *n;
	}
	th = &(*ts)[*slot - 1];
	th->first = t < th->first ? t : th->first;
	th->last = t > th->last ? t : th->last;
}

static int by_first(const void *a, const void *b)
{
	const struct thread *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * A track per thread: the trace lines carry the tid of the thread that made
 * the call (heap records, mapping calls, forks, fault samples), so each
 * thread gets a name and a slice from the first to the last line it made
 * (its real start and end are not traced); its instants land on it. The
 * tracks come in the order the threads were first seen (the order of the
 * kinds of line read above, or which blocks the load folded early, does
 * not change it).
 */
static void threads(struct pf *pf, const struct fl_proc *p)
{
	struct fl_u64map index; /* tid -> 1 + index into ts */
	struct thread *list = NULL;
	size_t n = 0, cap = 0;
	char name[64];
	fl_u64map_init(&index);
	for (size_t i = 0; i < p->nblocks; i++)
		seen(&index, &list, &n, &cap, p, fl_block_tid(p, &p->blocks[i]),
		     p->blocks[i].t_alloc);
	/* the blocks the load folded early, by their threads' spans */
	for (size_t i = 0; i < p->nearly_tids; i++) {
		seen(&index, &list, &n, &cap, p, p->early_tids[i].tid, p->early_tids[i].first);
		seen(&index, &list, &n, &cap, p, p->early_tids[i].tid, p->early_tids[i].last);
	}
	for (size_t i = 0; i < p->ncalls; i++)
		seen(&index, &list, &n, &cap, p, p->calls[i].tid, p->calls[i].t);
	for (size_t i = 0; i < p->nforks; i++)
		seen(&index, &list, &n, &cap, p, p->forks[i].tid, p->forks[i].t);
	for (size_t i = 0; i < p->nfaults; i++)
		seen(&index, &list, &n, &cap, p, p->faults[i].tid, p->faults[i].t);
	if (n > 1)
		qsort(list, n, sizeof(*list), by_first);
	for (size_t i = 0; i < n; i++) {
		json_t *ev;
		snprintf(name, sizeof(name), "thread %d", list[i].tid);
		meta(pf, "thread_name", p->pid, list[i].tid, name);
		ev = event("X", name, p->pid, list[i].tid);
		json_object_set_new(ev, "ts", json_real(ts(pf, p, list[i].first)));
		json_object_set_new(ev, "dur",
				    json_real((double)(list[i].last - list[i].first) / 1e3));
		put(pf, ev);
	}
	fl_u64map_release(&index);
	free(list);
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
	struct fl_residency_cursor rc;
	const struct fl_residency *r;
	int64_t pmi = 0, pma = 0;
	double ps = (double)(p->page_size > 0 ? p->page_size : 4096);
	struct fl_counters_cursor cur;
	const struct fl_counters *k;
	fl_counters_begin(&cur, &p->counters);
	while ((k = fl_counters_next(&cur)) != NULL) {
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
	for (size_t i = 0; i < p->nheap; i++)
		counter(pf, p, p->heap[i].t, "heap live",
			json_pack("{s:I}", "live", (json_int_t)p->heap[i].live));
	for (size_t i = 0; i < p->nwss; i++)
		if (p->wss[i].written >= 0)
			counter(pf, p, p->wss[i].t, "working set",
				json_pack("{s:f}", "written", (double)p->wss[i].written * ps));
	fl_residency_begin(&rc, &p->residency);
	while ((r = fl_residency_next(&rc)) != NULL) {
		double present = 0, shared = 0;
		for (size_t j = 0; j < r->nregions; j++) {
			present += (double)nn(r->regions[j].present);
			shared += (double)nn(r->regions[j].anon_shared);
		}
		counter(
		    pf, p, r->t, "resident pages (pagemap)",
		    json_pack("{s:f, s:f}", "present", present * ps, "cow shared", shared * ps));
	}
	fl_residency_end(&rc);
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

/*
 * The fork arrows: a flow from the fork in the parent (on the thread that
 * forked) to the start of the child, for every child the trace followed.
 */
static void flows(struct pf *pf, const struct fl_proc *p, const struct fl_report_opts *o)
{
	for (size_t i = 0; i < p->nforks; i++) {
		const struct fl_fork_ev *fk = &p->forks[i];
		const struct fl_proc *child = NULL;
		json_t *ev;
		for (size_t j = 0; j < p->nchildren && !child; j++)
			if (p->children[j]->pid == fk->child &&
			    p->children[j]->link != FL_LINK_EXEC &&
			    fl_report_selected(o, p->children[j]))
				child = p->children[j];
		if (!child)
			continue;
		ev = event("s", "fork", p->pid, fk->tid > 0 ? fk->tid : p->pid);
		json_object_set_new(ev, "cat", json_string("fork"));
		json_object_set_new(ev, "id", json_integer((json_int_t)++pf->flows));
		json_object_set_new(ev, "ts", json_real(ts(pf, p, fk->t)));
		put(pf, ev);
		ev = event("f", "fork", child->pid, child->pid);
		json_object_set_new(ev, "cat", json_string("fork"));
		json_object_set_new(ev, "id", json_integer((json_int_t)pf->flows));
		json_object_set_new(ev, "ts", json_real(ts(pf, child, 0)));
		json_object_set_new(ev, "bp", json_string("e"));
		put(pf, ev);
	}
}

int fl_export_perfetto(FILE *f, const struct fl_model *m, const struct fl_report_opts *o)
{
	struct pf pf = {f, UINT64_MAX, 0, 0};
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
		threads(&pf, p);
		counters(&pf, p);
		instants(&pf, p);
		flows(&pf, p, o);
	}
	fputs("\n]}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return fl_error("error writing the trace events");
	return 0;
}
