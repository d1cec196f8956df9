/*
 * The io lines, encoded as they load (see struct fl_io_store): a line is
 * its t, its number of fds, then per fd its fd, path, calls and bytes,
 * each the difference from the same slot of the line before (zero past
 * that line's fds), zigzag-encoded in 7-bit groups. The differences wrap
 * in uint64_t arithmetic (the path is its interned pointer's value), so
 * every line comes back exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/varint.h"
#include "util/xalloc.h"

/* An fd's four fields as differences are taken: as uint64_t values. */
static void fd_fields(uint64_t v[4], const struct fl_io_fd *d)
{
	static const struct fl_io_fd zero;
	if (!d)
		d = &zero;
	v[0] = (uint64_t)(int64_t)d->fd;
	v[1] = (uint64_t)(uintptr_t)d->path;
	v[2] = d->calls;
	v[3] = d->bytes;
}

static void put(struct fl_io_store *s, uint64_t x)
{
	s->len += fl_varint_put(s->buf + s->len, x);
}

/* Makes room for n fds in *fds (capacity *cap), keeping those there. */
static void fds_room(struct fl_io_fd **fds, size_t *cap, size_t n)
{
	if (n > *cap) {
		*fds = fl_xrealloc(*fds, n * sizeof(**fds));
		*cap = n;
	}
}

void fl_io_store_add(struct fl_io_store *s, const struct fl_io *line)
{
	const struct fl_io *base = &s->last;
	if (s->n && line->t < s->last.t)
		s->unsorted = 1;
	fl_varbuf_room(&s->buf, s->len, &s->cap,
		       2 * FL_VARINT_MAX + line->nfds * 4 * FL_VARINT_MAX);
	put(s, fl_zigzag(line->t - (s->n ? base->t : 0)));
	put(s, line->nfds);
	for (size_t j = 0; j < line->nfds; j++) {
		uint64_t a[4], b[4];
		fd_fields(a, s->n && j < base->nfds ? &base->fds[j] : NULL);
		fd_fields(b, &line->fds[j]);
		for (int f = 0; f < 4; f++)
			put(s, fl_zigzag(b[f] - a[f]));
	}
	fds_room(&s->last.fds, &s->caplast, line->nfds);
	if (line->nfds)
		memcpy(s->last.fds, line->fds, line->nfds * sizeof(*line->fds));
	s->last.t = line->t;
	s->last.nfds = line->nfds;
	s->n++;
}

static int cmp_io(const void *a, const void *b)
{
	const struct fl_io *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

void fl_io_store_sort(struct fl_io_store *s)
{
	if (s->unsorted) {
		/* Rare (lines written out of order): the lines once, sorted as the
		 * loader sorted the array before, then encoded again. */
		struct fl_io *v = fl_xmalloc(s->n * sizeof(*v));
		struct fl_io_cursor k;
		const struct fl_io *c;
		size_t n = 0;
		fl_io_begin(&k, s);
		while ((c = fl_io_next(&k)) != NULL) {
			v[n] = *c;
			v[n].fds = fl_xmalloc((c->nfds ? c->nfds : 1) * sizeof(*c->fds));
			if (c->nfds)
				memcpy(v[n].fds, c->fds, c->nfds * sizeof(*c->fds));
			n++;
		}
		fl_io_end(&k);
		qsort(v, n, sizeof(*v), cmp_io);
		fl_io_store_release(s);
		for (size_t i = 0; i < n; i++) {
			fl_io_store_add(s, &v[i]);
			free(v[i].fds);
		}
		free(v);
	}
	fl_varbuf_trim(&s->buf, s->len, &s->cap);
}

void fl_io_store_release(struct fl_io_store *s)
{
	free(s->buf);
	free(s->last.fds);
	memset(s, 0, sizeof(*s));
}

const struct fl_io *fl_io_last(const struct fl_io_store *s)
{
	return s->n ? &s->last : NULL;
}

void fl_io_begin(struct fl_io_cursor *k, const struct fl_io_store *s)
{
	memset(k, 0, sizeof(*k));
	k->s = s;
}

const struct fl_io *fl_io_next(struct fl_io_cursor *k)
{
	const unsigned char *b = k->s->buf;
	size_t nfds, prev;
	if (k->i >= k->s->n)
		return NULL;
	k->c.t += fl_unzigzag(fl_varint_get(b, &k->pos));
	nfds = (size_t)fl_varint_get(b, &k->pos);
	prev = k->c.nfds;
	fds_room(&k->c.fds, &k->cap, nfds);
	for (size_t j = 0; j < nfds; j++) {
		uint64_t v[4];
		fd_fields(v, j < prev ? &k->c.fds[j] : NULL);
		for (int f = 0; f < 4; f++)
			v[f] += fl_unzigzag(fl_varint_get(b, &k->pos));
		k->c.fds[j].fd = (int32_t)(int64_t)v[0];
		k->c.fds[j].path = (const char *)(uintptr_t)v[1];
		k->c.fds[j].calls = v[2];
		k->c.fds[j].bytes = v[3];
	}
	k->c.nfds = nfds;
	k->i++;
	return &k->c;
}

void fl_io_end(struct fl_io_cursor *k)
{
	free(k->c.fds);
	k->c.fds = NULL;
	k->cap = 0;
}
