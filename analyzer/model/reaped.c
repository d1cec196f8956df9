/*
 * A process's resource figures to its very end. The exit line's getrusage
 * is taken when the shim finishes, and the process goes on a little after
 * it: exit handlers and destructors that run later, the shim's last write,
 * the exit itself. A page a reclaimer took back from a library in between
 * is then a major fault the exit line never sees. The parent that reaps
 * the process (wait4 in a traced parent, or record for the program it
 * ran) gets the kernel's final figures: those, less what the process's own
 * reaped children added to them, replace the exit line's.
 */
#include "model/reaped.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/schema.h"
#include "model/load.h"
#include "read/reader.h"
#include "util/diag.h"
#include "util/xalloc.h"

/* ---- record's file: one line per program it reaped ---- */

static int read_line(struct fl_model *m, const char *file, long lineno, const char *line)
{
	json_error_t err;
	json_t *o = json_loads(line, 0, &err);
	int32_t reaper;
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return fl_error_at(file, lineno, "not a JSON object: %s",
				   o ? "another JSON value" : err.text);
	}
	reaper = (int32_t)fl_json_get_int(o, FL_K_PID, -1);
	if (reaper <= 0 || fl_json_get_int(o, FL_K_CHILD, -1) <= 0) {
		json_decref(o);
		return fl_error_at(file, lineno, "a reaped line needs \"%s\" and \"%s\"", FL_K_PID,
				   FL_K_CHILD);
	}
	FL_GROW(m->reaped, m->capreaped, m->nreaped + 1);
	memset(&m->reaped[m->nreaped], 0, sizeof(m->reaped[m->nreaped]));
	fl_model_wait_of(o, (uint64_t)fl_json_get_int(o, FL_K_REALTIME, 0), &m->reaped[m->nreaped]);
	m->reaped[m->nreaped++].reaper = reaper;
	json_decref(o);
	return 0;
}

void fl_model_load_reaped(struct fl_model *m, const char *dir)
{
	struct stat st;
	char *path, *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	FILE *f;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	path = fl_xmalloc(strlen(dir) + sizeof("/" FL_TRACE_REAPED_FILE));
	sprintf(path, "%s/%s", dir, FL_TRACE_REAPED_FILE);
	f = fopen(path, "r");
	if (!f) {
		/* Absent: a trace from before this file, or not made by record. */
		if (errno != ENOENT) {
			fl_error("cannot open '%s': %s", path, strerror(errno));
			m->nerrors++;
		}
		free(path);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '\n')
			continue;
		if (read_line(m, path, lineno, line) < 0)
			m->nerrors++;
	}
	free(line);
	fclose(f);
	free(path);
}

/* ---- the figures ---- */

static int has_figures(const struct fl_rusage *r)
{
	return r->minflt >= 0 && r->majflt >= 0 && r->utime_ns >= 0 && r->stime_ns >= 0 &&
	       r->inblock >= 0;
}

void fl_exit_forget_rusage(struct fl_exit *e)
{
	e->ru_minflt = e->ru_majflt = e->ru_utime_ns = e->ru_stime_ns = e->ru_maxrss_kb = -1;
	e->ru_inblock = -1;
	e->children.minflt = e->children.majflt = e->children.utime_ns = -1;
	e->children.stime_ns = e->children.inblock = -1;
}

/* The images sorted by pid, for finding a process's reapers without a
 * pass over every image per process (a build makes thousands). */
static int cmp_pid(const void *a, const void *b)
{
	const struct fl_proc *x = *(struct fl_proc *const *)a, *y = *(struct fl_proc *const *)b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The first image of pid in the index (n long), or n. */
static size_t first_of_pid(struct fl_proc *const *idx, size_t n, int32_t pid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The wait, among n, that reaped p: the first for its pid at or after it
 * started (times in realtime: base is the reaper's start, 0 for record's). */
static const struct fl_wait_ev *first_wait(const struct fl_proc *p, const struct fl_wait_ev *w,
					   size_t n, uint64_t base, uint64_t *best_at)
{
	const struct fl_wait_ev *best = NULL;
	for (size_t k = 0; k < n; k++) {
		uint64_t at = base + w[k].t;
		if (w[k].child == p->pid && at >= p->start_realtime_ns && at < *best_at) {
			best = &w[k];
			*best_at = at;
		}
	}
	return best;
}

/* The wait that reaped p: by an image of its parent's pid, or by record. */
static const struct fl_wait_ev *reaping(const struct fl_model *m, struct fl_proc *const *idx,
					const struct fl_proc *p)
{
	const struct fl_wait_ev *best = NULL, *w;
	uint64_t best_at = UINT64_MAX;
	for (size_t j = first_of_pid(idx, m->nprocs, p->ppid);
	     j < m->nprocs && idx[j]->pid == p->ppid; j++) {
		const struct fl_proc *r = idx[j];
		w = first_wait(p, r->waits, r->nwaits, r->start_realtime_ns, &best_at);
		if (w)
			best = w;
	}
	for (size_t k = 0; k < m->nreaped; k++)
		if (m->reaped[k].reaper == p->ppid) {
			w = first_wait(p, &m->reaped[k], 1, 0, &best_at);
			if (w)
				best = w;
		}
	return best;
}

/* Whether any image of p's pid made a child: then the reaped figures hold
 * children's that only the exit line's RUSAGE_CHILDREN can take off. */
static int pid_made_children(const struct fl_proc *p)
{
	for (const struct fl_proc *q = p; q; q = q->link == FL_LINK_EXEC ? q->parent : NULL)
		if (q->nforks || q->nchildren)
			return 1;
	return 0;
}

/* A process killed by SIGKILL writes no exit line; its reaper saw how it
 * ended. */
static void exit_from_wait(struct fl_proc *p, const struct fl_wait_ev *w)
{
	p->exit.present = 1;
	p->exit.from_wait = 1;
	p->exit.how = w->signal > 0 ? "signal" : "exit";
	p->exit.t = p->end_t;
	p->exit.status = w->signal > 0 ? -1 : w->status;
	p->exit.signal = w->signal;
	fl_exit_forget_rusage(&p->exit);
}

/* The reaper's figures, less the children's, as p's own where both are
 * known. */
static void figures_from_wait(struct fl_proc *p, const struct fl_wait_ev *w)
{
	struct fl_exit *e = &p->exit;
	struct fl_rusage own, kids = {0, 0, 0, 0, 0};
	if (fl_proc_ended_by_exec(p) || !has_figures(&w->ru))
		return;
	if (!e->from_wait && has_figures(&e->children))
		kids = e->children;
	else if (pid_made_children(p))
		return; /* its children's share is unknown */
	own.minflt = w->ru.minflt - kids.minflt;
	own.majflt = w->ru.majflt - kids.majflt;
	own.utime_ns = w->ru.utime_ns - kids.utime_ns;
	own.stime_ns = w->ru.stime_ns - kids.stime_ns;
	own.inblock = w->ru.inblock - kids.inblock;
	/* Never less than the exit line saw: a wait that is not this
	 * process's (a reused pid) is not taken. */
	if (!e->from_wait && (own.minflt < e->ru_minflt || own.majflt < e->ru_majflt ||
			      own.utime_ns < e->ru_utime_ns || own.stime_ns < e->ru_stime_ns ||
			      own.inblock < e->ru_inblock))
		return;
	if (!has_figures(&own))
		return;
	e->ru_minflt = own.minflt;
	e->ru_majflt = own.majflt;
	e->ru_utime_ns = own.utime_ns;
	e->ru_stime_ns = own.stime_ns;
	e->ru_inblock = own.inblock;
	e->ru_reaped = 1;
}

void fl_model_ends_from_reapers(struct fl_model *m)
{
	struct fl_proc **idx;
	if (!m->nprocs)
		return;
	idx = fl_xmalloc(m->nprocs * sizeof(*idx));
	memcpy(idx, m->procs, m->nprocs * sizeof(*idx));
	qsort(idx, m->nprocs, sizeof(*idx), cmp_pid);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i];
		const struct fl_wait_ev *w = reaping(m, idx, p);
		if (!w)
			continue;
		if (!p->exit.present)
			exit_from_wait(p, w);
		figures_from_wait(p, w);
	}
	free(idx);
}
