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

/* The last image of p's pid: an image that ended by exec has a successor. */
static int is_last_image(const struct fl_proc *p)
{
	return !(p->exit.present && p->exit.how && !strcmp(p->exit.how, "exec"));
}

static int has_figures(const struct fl_rusage *r)
{
	return r->minflt >= 0 && r->majflt >= 0 && r->utime_ns >= 0 && r->stime_ns >= 0 &&
	       r->inblock >= 0;
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

static const struct fl_wait_ev *reaping(const struct fl_model *m, const struct fl_proc *p)
{
	const struct fl_wait_ev *best = NULL, *w;
	uint64_t best_at = UINT64_MAX;
	for (size_t j = 0; j < m->nprocs; j++) {
		const struct fl_proc *r = m->procs[j];
		if (r->pid != p->ppid)
			continue;
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

void fl_rusage_unknown(struct fl_rusage *r)
{
	r->minflt = r->majflt = r->utime_ns = r->stime_ns = r->inblock = -1;
}

/* A process killed by SIGKILL writes no exit line; the parent (or record)
 * that reaped it saw how it ended. */
void fl_model_exits_from_waits(struct fl_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i];
		const struct fl_wait_ev *best;
		if (p->exit.present || !(best = reaping(m, p)))
			continue;
		p->exit.present = 1;
		p->exit.from_wait = 1;
		p->exit.how = best->signal > 0 ? "signal" : "exit";
		p->exit.t = p->end_t;
		p->exit.status = best->signal > 0 ? -1 : best->status;
		p->exit.signal = best->signal;
		p->exit.ru_minflt = p->exit.ru_majflt = -1;
		p->exit.ru_utime_ns = p->exit.ru_stime_ns = p->exit.ru_maxrss_kb = -1;
		p->exit.ru_inblock = -1;
		fl_rusage_unknown(&p->exit.children);
	}
}

void fl_model_apply_reaped(struct fl_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i];
		struct fl_exit *e = &p->exit;
		struct fl_rusage own, kids = {0, 0, 0, 0, 0};
		const struct fl_wait_ev *w;
		if (!is_last_image(p) || !(w = reaping(m, p)) || !has_figures(&w->ru))
			continue;
		if (e->present && !e->from_wait && has_figures(&e->children))
			kids = e->children;
		else if (pid_made_children(p))
			continue; /* its children's share is unknown */
		own.minflt = w->ru.minflt - kids.minflt;
		own.majflt = w->ru.majflt - kids.majflt;
		own.utime_ns = w->ru.utime_ns - kids.utime_ns;
		own.stime_ns = w->ru.stime_ns - kids.stime_ns;
		own.inblock = w->ru.inblock - kids.inblock;
		/* Never less than the exit line saw: a wait that is not this
		 * process's (a reused pid) is not taken. */
		if (e->present && !e->from_wait &&
		    (own.minflt < e->ru_minflt || own.majflt < e->ru_majflt ||
		     own.utime_ns < e->ru_utime_ns || own.stime_ns < e->ru_stime_ns ||
		     own.inblock < e->ru_inblock))
			continue;
		if (own.minflt < 0 || own.majflt < 0 || own.utime_ns < 0 || own.stime_ns < 0 ||
		    own.inblock < 0)
			continue;
		e->ru_minflt = own.minflt;
		e->ru_majflt = own.majflt;
		e->ru_utime_ns = own.utime_ns;
		e->ru_stime_ns = own.stime_ns;
		e->ru_inblock = own.inblock;
		e->ru_reaped = 1;
	}
}
