/*
 * The second read of a trace file, for its fault samples only (see
 * model/load_faults.h). The loader read the file once already and reported
 * its bad lines and progress then: this pass keeps quiet (stderr is set
 * aside while it runs) and leaves the error count as it was.
 */
#include "model/load_faults.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read/reader.h"
#include "util/diag.h"
#include "model/push.h"
#include "util/xalloc.h"

void fl_load_faults_flat(struct fl_fault_batch *b, const struct fl_flat *f)
{
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_SAMPLES);
	struct fl_flat_row r;
	size_t pos = 0;
	b->n = 0;
	while (rows && fl_flat_row_next(rows, &pos, &r)) {
		struct fl_fault *x = FL_PUSH(b->v, b->n, b->cap);
		x->addr = fl_flat_row_addr(&r, 0);
		x->ip = fl_flat_row_addr(&r, 1);
		x->tid = (int32_t)fl_flat_row_int(&r, 2, 0);
		x->t = (uint64_t)fl_flat_row_int(&r, 3, 0);
		x->major = fl_flat_row_int(&r, 4, 0) != 0;
	}
}

void fl_load_faults_json(struct fl_fault_batch *b, json_t *o)
{
	json_t *rows = json_object_get(o, FL_K_SAMPLES), *r;
	size_t i;
	b->n = 0;
	json_array_foreach(rows, i, r)
	{
		struct fl_fault *x = FL_PUSH(b->v, b->n, b->cap);
		x->addr = fl_json_addr(json_array_get(r, 0));
		x->ip = fl_json_addr(json_array_get(r, 1));
		x->tid = (int32_t)json_integer_value(json_array_get(r, 2));
		x->t = (uint64_t)json_integer_value(json_array_get(r, 3));
		x->major = json_integer_value(json_array_get(r, 4)) != 0;
	}
}

struct reread {
	int (*fn)(void *ctx, const struct fl_fault *v, size_t n);
	void *ctx;
	int sorted; /* the file has them in time order: hand each line's on */
	int stop;
	struct fl_fault_batch line;
	struct fl_fault_batch all; /* when not sorted: every sample, sorted at the end */
	size_t seen;
};

static void take(struct reread *r)
{
	r->seen += r->line.n;
	if (r->stop || !r->line.n)
		return;
	if (r->sorted) {
		r->stop = r->fn(r->ctx, r->line.v, r->line.n);
		return;
	}
	FL_GROW(r->all.v, r->all.cap, r->all.n + r->line.n);
	memcpy(r->all.v + r->all.n, r->line.v, r->line.n * sizeof(*r->line.v));
	r->all.n += r->line.n;
}

static int on_flat(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	(void)loc;
	if (f->ev == FL_E_FAULTS) {
		fl_load_faults_flat(&((struct reread *)ctx)->line, f);
		take(ctx);
	}
	return 0;
}

static int on_event(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	(void)loc;
	if (ev == FL_E_FAULTS) {
		fl_load_faults_json(&((struct reread *)ctx)->line, o);
		take(ctx);
	}
	return 0;
}

static int cmp_fault_t(const void *a, const void *b)
{
	const struct fl_fault *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* Reads path's fault lines into r, quietly: the loader reported the file's
 * bad lines already, and the error count is left as it was. */
static void read_quietly(const char *path, struct reread *r)
{
	/* the same events on the fast path as the first read, so the same
	 * values; the heap calls, most of a big trace, passed over unread */
	struct fl_reader_ops ops = {
	    on_event,
	    on_flat,
	    0,
	    1u << FL_E_FAULTS | 1u << FL_E_COUNTERS | 1u << FL_E_RESIDENCY | 1u << FL_E_IO,
	    NULL,
	    1};
	unsigned long errors = fl_error_count;
	int quiet = -1, saved = -1;
	fflush(stderr);
	quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (quiet >= 0 && (saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) >= 0)
		dup2(quiet, STDERR_FILENO);
	fl_reader_read_file_ops(path, &ops, r);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (quiet >= 0)
		close(quiet);
	fl_error_count = errors;
}

int fl_load_faults_reread(const struct fl_proc *p,
			  int (*fn)(void *ctx, const struct fl_fault *v, size_t n), void *ctx)
{
	struct reread r;
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.ctx = ctx;
	r.sorted = p->faults_sorted;
	read_quietly(p->file, &r);
	if (!r.sorted && !r.stop && r.all.n) {
		/* as the loader sorts a file's samples when they came out of order */
		qsort(r.all.v, r.all.n, sizeof(*r.all.v), cmp_fault_t);
		r.stop = fn(ctx, r.all.v, r.all.n);
	}
	free(r.line.v);
	free(r.all.v);
	if (!r.stop && r.seen != p->nfaults)
		fl_warn("%s: %zu fault samples on the second read, %zu on the first: the file "
			"changed while it was read",
			p->file, r.seen, p->nfaults);
	return r.stop;
}

void fl_load_faults_scan(const char *path, int (*fn)(void *ctx, const struct fl_fault *v, size_t n),
			 void *ctx)
{
	struct reread r;
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.ctx = ctx;
	r.sorted = 1; /* each line's as it comes */
	read_quietly(path, &r);
	free(r.line.v);
}
