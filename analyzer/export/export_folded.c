/*
 * Folded stacks. Identical stacks are merged (sorted, then summed), so the
 * output is small and stable: the same trace always gives the same file.
 * One measure per file: a flame graph adds up its weights, so bytes and
 * fault counts in one file would be summed into a meaningless figure.
 */
#include "export/export.h"

#include <stdlib.h>
#include <string.h>

#include "export/stacks.h"
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
		fl_stacks_frame_name(ro, p, st->frames[i], t, 1, buf, sizeof(buf));
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

static const char *const roots[] = {"alloc", "peak", "leaked", "fault"};

static int64_t site_weight(const struct fl_heap_site *s, enum fl_folded_what what)
{
	return what == FL_FOLDED_ALLOC	? s->bytes
	       : what == FL_FOLDED_PEAK ? s->peak_live
					: s->leaked_bytes;
}

/* The heap report's sites, each under its whole allocation stack. */
static void heap_sites(struct out *o, const struct fl_model *m, const struct fl_report_opts *ro,
		       enum fl_folded_what what)
{
	size_t n;
	struct fl_heap_site *sites = fl_stacks_heap_sites(m, ro, &n);
	for (size_t i = 0; i < n; i++) {
		reset(o, roots[what], sites[i].p);
		stack_frames(o, ro, sites[i].p, sites[i].stack, sites[i].t);
		emit(o, (double)site_weight(&sites[i], what));
	}
	free(sites);
}

/* Memory the program mapped itself, by length: bytes allocated outside the heap. */
static void map_calls(struct out *o, const struct fl_report_opts *ro, const struct fl_proc *p)
{
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		if ((c->fn != FL_FN_MMAP && c->fn != FL_FN_MREMAP) || c->err ||
		    c->result == UINT64_MAX)
			continue;
		reset(o, roots[FL_FOLDED_ALLOC], p);
		stack_frames(o, ro, p, c->stack, c->t);
		put_frame(o, c->fn == FL_FN_MMAP ? (c->path ? "mmap (file)" : "mmap (anonymous)")
						 : "mremap");
		emit(o, (double)c->size);
	}
}

static void faults(struct out *o, const struct fl_report_opts *ro, const struct fl_proc *p)
{
	double w = (double)(p->faults_period ? p->faults_period : 1);
	char buf[512];
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *ft = &p->faults[i];
		const struct fl_block *b = fl_proc_block_at(p, ft->addr, ft->t);
		reset(o, roots[FL_FOLDED_FAULTS], p);
		fl_stacks_region_name(p, ft->addr, ft->t, buf, sizeof(buf));
		put_frame(o, buf);
		if (b) {
			put_frame(o, "allocated at");
			stack_frames(o, ro, p, b->stack, b->t_alloc);
			put_frame(o, "touched by");
		}
		fl_stacks_frame_name(ro, p, ft->ip, ft->t, 0, buf, sizeof(buf));
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

int fl_export_folded(FILE *f, const struct fl_model *m, const struct fl_report_opts *ro,
		     enum fl_folded_what what)
{
	struct out o = {0};
	if (what != FL_FOLDED_FAULTS)
		heap_sites(&o, m, ro, what);
	for (size_t i = 0; i < m->nprocs; i++) {
		if (!fl_report_selected(ro, m->procs[i]))
			continue;
		if (what == FL_FOLDED_ALLOC)
			map_calls(&o, ro, m->procs[i]);
		if (what == FL_FOLDED_FAULTS)
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
