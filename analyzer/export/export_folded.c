/*
 * Folded stacks. Identical stacks are merged (sorted, then summed), so the
 * output is small and stable: the same trace always gives the same file.
 */
#include "export/export.h"

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/xalloc.h"

struct line {
	char *stack;
	double weight;
};

struct out {
	struct line *lines;
	size_t n, cap;
	char *buf; /* the stack being built */
	size_t len, bufcap;
};

static void put_frame(struct out *o, const char *name)
{
	size_t n = strlen(name);
	FL_GROW(o->buf, o->bufcap, o->len + n + 2);
	if (o->len)
		o->buf[o->len++] = ';';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		o->buf[o->len++] = ch == ';' ? ':' : (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	o->buf[o->len] = 0;
}

static void emit(struct out *o, double weight)
{
	if (weight <= 0 || !o->len)
		return;
	FL_GROW(o->lines, o->cap, o->n + 1);
	o->lines[o->n++] = (struct line){fl_xstrdup(o->buf), weight};
}

/* A name for the frame at addr: the function, else object+offset, else the address. */
static void frame_name(const struct fl_report_opts *ro, const struct fl_proc *p, uint64_t addr,
		       uint64_t t, int is_return, char *buf, size_t len)
{
	struct fl_sym s;
	const char *base;
	if (fl_symbols_lookup(ro->syms, p, addr, t, is_return, &s) == 0 && s.func) {
		snprintf(buf, len, "%s", s.func);
		return;
	}
	if (s.object) {
		base = strrchr(s.object, '/');
		snprintf(buf, len, "%s+0x%llx", base ? base + 1 : s.object,
			 (unsigned long long)s.obj_off);
		return;
	}
	snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

static void proc_frame(struct out *o, const struct fl_proc *p)
{
	char buf[512];
	const char *exe = p->exe ? p->exe : "?", *base = strrchr(exe, '/');
	snprintf(buf, sizeof(buf), "%s [%d]", base ? base + 1 : exe, p->pid);
	put_frame(o, buf);
}

/* Caller frames of stack id, outermost first. */
static void stack_frames(struct out *o, const struct fl_report_opts *ro, const struct fl_proc *p,
			 uint32_t id, uint64_t t)
{
	const struct fl_stack *st = fl_proc_stack(p, id);
	char buf[512];
	if (!st || st->nframes == 0) {
		put_frame(o, "[no backtrace]");
		return;
	}
	for (uint32_t i = st->nframes, first = fl_symbols_first_frame(p, st, t); i-- > first;) {
		frame_name(ro, p, st->frames[i], t, 1, buf, sizeof(buf));
		put_frame(o, buf);
	}
}

static void reset(struct out *o, const char *root, const struct fl_proc *p)
{
	o->len = 0;
	if (o->buf)
		o->buf[0] = 0;
	put_frame(o, root);
	proc_frame(o, p);
}

static void allocs(struct out *o, const struct fl_report_opts *ro, const struct fl_proc *p)
{
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		reset(o, "alloc", p);
		stack_frames(o, ro, p, b->stack, b->t_alloc);
		put_frame(o, fl_fn_name((enum fl_fn)b->fn));
		emit(o, (double)b->weight);
	}
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		if ((c->fn != FL_FN_MMAP && c->fn != FL_FN_MREMAP) || c->err ||
		    c->result == UINT64_MAX)
			continue;
		reset(o, "alloc", p);
		stack_frames(o, ro, p, c->stack, c->t);
		put_frame(o, c->fn == FL_FN_MMAP ? (c->path ? "mmap (file)" : "mmap (anonymous)")
						 : "mremap");
		emit(o, (double)c->size);
	}
}

static void region_name(const struct fl_vma *v, char *buf, size_t len)
{
	if (v->path && *v->path)
		snprintf(buf, len, "%s", v->path);
	else
		snprintf(buf, len, "[anon %.4s]", v->perms);
}

static void faults(struct out *o, const struct fl_report_opts *ro, const struct fl_proc *p)
{
	double w = (double)(p->faults_period ? p->faults_period : 1);
	char buf[512];
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *ft = &p->faults[i];
		const struct fl_block *b = fl_proc_block_at(p, ft->addr, ft->t);
		struct fl_vma v;
		reset(o, "fault", p);
		if (fl_proc_vma_at(p, ft->addr, ft->t, &v) == 0)
			region_name(&v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "[unknown region]");
		put_frame(o, buf);
		if (b) {
			put_frame(o, "allocated at");
			stack_frames(o, ro, p, b->stack, b->t_alloc);
			put_frame(o, "touched by");
		}
		frame_name(ro, p, ft->ip, ft->t, 0, buf, sizeof(buf));
		if (ft->major)
			strncat(buf, " (major)", sizeof(buf) - strlen(buf) - 1);
		put_frame(o, buf);
		emit(o, w);
	}
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->stack, ((const struct line *)b)->stack);
}

int fl_export_folded(FILE *f, const struct fl_model *m, const struct fl_report_opts *ro)
{
	struct out o = {0};
	for (size_t i = 0; i < m->nprocs; i++) {
		if (!fl_report_selected(ro, m->procs[i]))
			continue;
		allocs(&o, ro, m->procs[i]);
		faults(&o, ro, m->procs[i]);
	}
	if (o.n > 1)
		qsort(o.lines, o.n, sizeof(*o.lines), cmp_line);
	for (size_t i = 0; i < o.n; i++) {
		double w = o.lines[i].weight;
		while (i + 1 < o.n && !strcmp(o.lines[i].stack, o.lines[i + 1].stack)) {
			free(o.lines[i].stack);
			w += o.lines[++i].weight;
		}
		fprintf(f, "%s %.0f\n", o.lines[i].stack, w);
		free(o.lines[i].stack);
	}
	free(o.lines);
	free(o.buf);
	if (fflush(f) != 0 || ferror(f))
		return fl_error("error writing folded stacks");
	return 0;
}
