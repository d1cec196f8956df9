/* The io lines of a trace file into the io store (model/load_io.h). */
#include "model/load_io.h"

#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"
#include "util/xalloc.h"

const char *fl_load_flat_str(struct fl_model *m, const struct fl_flat_val *v)
{
	char buf[4096];
	size_t n;
	if (!v || v->type != 's')
		return NULL;
	n = v->slen < sizeof(buf) - 1 ? v->slen : sizeof(buf) - 1;
	memcpy(buf, v->s, n);
	buf[n] = 0;
	return fl_model_intern(m, buf);
}

size_t fl_load_flat_rows(const struct fl_flat_val *v)
{
	struct fl_flat_row r;
	size_t pos = 0, n = 0;
	while (v && fl_flat_row_next(v, &pos, &r))
		n++;
	return n;
}

/* The line of nfds fds, its rows zeroed, to fill then add. */
static struct fl_io *io_line(struct fl_load_io *r, uint64_t t, size_t nfds)
{
	if (nfds > r->cap) {
		free(r->line.fds);
		r->line.fds = fl_xmalloc(nfds * sizeof(*r->line.fds));
		r->cap = nfds;
	}
	if (nfds)
		memset(r->line.fds, 0, nfds * sizeof(*r->line.fds));
	r->line.t = t;
	r->line.nfds = nfds;
	return &r->line;
}

static void add_io(struct fl_load_io *r, struct fl_proc *p)
{
	fl_io_store_add(&p->io, &r->line);
	p->nio++;
}

void fl_load_io_flat(struct fl_load_io *r, struct fl_model *m, struct fl_proc *p,
		     const struct fl_flat *f, uint64_t t)
{
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_FDS);
	struct fl_io *s = io_line(r, t, fl_load_flat_rows(rows));
	struct fl_flat_row row;
	size_t pos = 0, i = 0;
	while (rows && fl_flat_row_next(rows, &pos, &row) && i < s->nfds) {
		struct fl_io_fd *d = &s->fds[i++];
		d->fd = (int32_t)fl_flat_row_int(&row, 0, -1);
		d->path = row.n > 1 ? fl_load_flat_str(m, &row.v[1]) : NULL;
		d->calls = (uint64_t)fl_flat_row_int(&row, 2, 0);
		d->bytes = (uint64_t)fl_flat_row_int(&row, 3, 0);
	}
	add_io(r, p);
}

void fl_load_io_json(struct fl_load_io *r, struct fl_model *m, struct fl_proc *p, json_t *o,
		     uint64_t t)
{
	json_t *rows = json_object_get(o, FL_K_FDS), *x;
	struct fl_io *s = io_line(r, t, json_array_size(rows));
	size_t i;
	json_array_foreach(rows, i, x)
	{
		s->fds[i].fd = (int32_t)json_integer_value(json_array_get(x, 0));
		s->fds[i].path = fl_model_intern(m, json_string_value(json_array_get(x, 1)));
		s->fds[i].calls = (uint64_t)json_integer_value(json_array_get(x, 2));
		s->fds[i].bytes = (uint64_t)json_integer_value(json_array_get(x, 3));
	}
	add_io(r, p);
}

void fl_load_io_release(struct fl_load_io *r)
{
	free(r->line.fds);
	memset(r, 0, sizeof(*r));
}
