/*
 * The process tree: every trace file of a directory loaded into a process
 * image, then each image linked to its parent (fork, spawn, exec) and given
 * the exit its parent saw when its own trace ends without one.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "model/load.h"
#include "model/reaped.h"
#include "read/reader.h"
#include "util/diag.h"
#include "util/xalloc.h"

static int cmp_start(const void *a, const void *b)
{
	const struct fl_proc *x = *(struct fl_proc *const *)a, *y = *(struct fl_proc *const *)b;
	if (x->start_realtime_ns != y->start_realtime_ns)
		return x->start_realtime_ns < y->start_realtime_ns ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The image of pid that was running when procs[before] started: the latest
 * one sorted before it. Only earlier entries qualify, so links never cycle.
 */
static struct fl_proc *image_before(struct fl_model *m, int32_t pid, size_t before)
{
	for (size_t i = before; i-- > 0;)
		if (m->procs[i]->pid == pid)
			return m->procs[i];
	return NULL;
}

static void add_child(struct fl_proc *parent, struct fl_proc *c)
{
	parent->children =
	    fl_xrealloc(parent->children, (parent->nchildren + 1) * sizeof(*parent->children));
	parent->children[parent->nchildren++] = c;
}

static void link_tree(struct fl_model *m)
{
	qsort(m->procs, m->nprocs, sizeof(*m->procs), cmp_start);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i], *par = NULL;
		struct fl_proc *prev = image_before(m, p->pid, i);
		switch (p->link) {
		case FL_LINK_EXEC:
			par = prev;
			break;
		case FL_LINK_FORK:
		case FL_LINK_VFORK:
		case FL_LINK_CLONE:
		case FL_LINK_SPAWN:
			par = image_before(m, p->parent_pid, i);
			break;
		default:
			/* Older shims do not link exec images: the same pid, an image that
			 * exec'd (or never said how it ended) just before. */
			if (prev && (!prev->exit.present ||
				     (prev->exit.how && !strcmp(prev->exit.how, "exec")))) {
				par = prev;
				p->link = FL_LINK_EXEC;
			} else if (p->parent_pid > 0 && p->parent_pid != p->pid) {
				par = image_before(m, p->parent_pid, i);
				if (par)
					p->link = FL_LINK_CHILD;
			}
			break;
		}
		p->parent = par;
		/* A later image of the pid proves the earlier one ended by exec. */
		if (par && p->link == FL_LINK_EXEC && !par->exit.present) {
			par->exit.present = 1;
			par->exit.how = "exec";
			par->exit.t = par->end_t;
			par->exit.status = par->exit.signal = -1;
			fl_exit_forget_rusage(&par->exit);
		}
		if (par)
			add_child(par, p);
		else {
			m->roots = fl_xrealloc(m->roots, (m->nroots + 1) * sizeof(*m->roots));
			m->roots[m->nroots++] = p;
		}
	}
}

int fl_model_load(struct fl_model *m, const char *path)
{
	char **files;
	long n;
	size_t cap = 0;
	fl_model_init(m, path);
	n = fl_reader_list(path, &files);
	if (n < 0) {
		m->nerrors++;
		return -1;
	}
	for (long i = 0; i < n; i++) {
		struct fl_proc *p = fl_model_load_file(m, files[i]);
		if (!p)
			continue;
		m->nerrors += p->nerrors;
		m->nevents += p->nevents;
		FL_GROW(m->procs, cap, m->nprocs + 1);
		m->procs[m->nprocs++] = p;
	}
	fl_reader_list_free(files);
	if (!m->nprocs)
		return fl_error("no usable trace in '%s'", path);
	link_tree(m);
	fl_model_load_reaped(m, path);
	fl_model_ends_from_reapers(m);
	return 0;
}
