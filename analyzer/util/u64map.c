/* Open addressing with linear probing; the table doubles at 50 % load. */
#include <stdlib.h>
#include <string.h>

#include "util/u64map.h"
#include "util/xalloc.h"

#define EMPTY UINT64_MAX

void fl_u64map_init(struct fl_u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void fl_u64map_release(struct fl_u64map *m)
{
	free(m->keys);
	free(m->vals);
	fl_u64map_init(m);
}

static void grow(struct fl_u64map *m)
{
	size_t ocap = m->cap, cap = ocap ? ocap * 2 : 1024;
	uint64_t *ok = m->keys, *ov = m->vals;
	m->keys = fl_xmalloc(cap * sizeof(uint64_t));
	m->vals = fl_xcalloc(cap, sizeof(uint64_t));
	memset(m->keys, 0xff, cap * sizeof(uint64_t));
	m->cap = cap;
	for (size_t i = 0; i < ocap; i++) {
		if (ok[i] == EMPTY)
			continue;
		size_t j = fl_u64map_hash(ok[i], cap);
		while (m->keys[j] != EMPTY)
			j = (j + 1) & (cap - 1);
		m->keys[j] = ok[i];
		m->vals[j] = ov[i];
	}
	free(ok);
	free(ov);
}

static size_t find(const struct fl_u64map *m, uint64_t key)
{
	size_t j = fl_u64map_hash(key, m->cap);
	while (m->keys[j] != EMPTY && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	return j;
}

uint64_t *fl_u64map_get(const struct fl_u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = find(m, key);
	return m->keys[j] == key ? &m->vals[j] : NULL;
}

uint64_t *fl_u64map_slot(struct fl_u64map *m, uint64_t key)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	size_t j = find(m, key);
	if (m->keys[j] == EMPTY) {
		m->keys[j] = key;
		m->vals[j] = 0;
		m->n++;
	}
	return &m->vals[j];
}

int fl_u64map_add(struct fl_u64map *m, uint64_t key)
{
	size_t before = m->n;
	fl_u64map_slot(m, key);
	return m->n != before;
}
