/*
 * Entries are sorted by start address; a lookup takes the last entry
 * starting at or before the address and looks back over a bounded number
 * of earlier ones for the most recently written that covers it.
 */
#include "model/perfmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* How far back a lookup looks for an enclosing entry: JIT functions are
 * small and rarely nest, so a covering entry is never far. */
#define LOOK_BACK 64

struct entry {
	uint64_t start, size;
	size_t order; /* line number: later lines replace earlier ones */
	char *name;
};

struct fl_perfmap {
	char *path;
	struct entry *e;
	size_t n, cap;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* "START SIZE name": 0 when the line is one, -1 otherwise. */
static int parse_line(char *line, struct entry *out)
{
	char *end, *name;
	size_t len;
	out->start = strtoull(line, &end, 16);
	if (end == line || *end != ' ')
		return -1;
	line = end + 1;
	out->size = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || !out->size)
		return -1;
	name = end + 1;
	len = strcspn(name, "\r\n");
	if (!len)
		return -1;
	name[len] = '\0';
	out->name = fl_xstrdup(name);
	return 0;
}

struct fl_perfmap *fl_perfmap_load(const char *path)
{
	FILE *f = fopen(path, "re");
	struct fl_perfmap *m;
	char *line = NULL;
	size_t linecap = 0;
	if (!f)
		return NULL;
	m = fl_xcalloc(1, sizeof(*m));
	m->path = fl_xstrdup(path);
	while (getline(&line, &linecap, f) > 0) {
		struct entry e;
		if (parse_line(line, &e) < 0)
			continue;
		e.order = m->n;
		FL_GROW(m->e, m->cap, m->n + 1);
		m->e[m->n++] = e;
	}
	free(line);
	fclose(f);
	if (m->n > 1)
		qsort(m->e, m->n, sizeof(*m->e), cmp_entry);
	return m;
}

void fl_perfmap_free(struct fl_perfmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	free(m->path);
	free(m);
}

const char *fl_perfmap_find(const struct fl_perfmap *m, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = m ? m->n : 0;
	const struct entry *best = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->e[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0 && lo - i <= LOOK_BACK;) {
		const struct entry *c = &m->e[i];
		if (addr - c->start < c->size && (!best || c->order > best->order))
			best = c;
	}
	if (!best)
		return NULL;
	*off = addr - best->start;
	return best->name;
}

const char *fl_perfmap_path(const struct fl_perfmap *m)
{
	return m->path;
}
