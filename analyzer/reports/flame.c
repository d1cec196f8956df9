/*
 * The stack tree behind the flame graphs. Children are found through one
 * hash of (parent, frame text), so a process with thousands of distinct
 * callers under one frame still builds in linear time.
 */
#include "reports/flame.h"

#include <stdlib.h>
#include <string.h>

#include "util/u64map.h"
#include "util/xalloc.h"

#define FOLD_SHARE 1000 /* a node under 1/FOLD_SHARE of the root may be folded */

struct node {
	char *text, *name;
	double v[FL_FLAME_MAX_VALUES];
	int keep;
	size_t *kids, nkids, kidcap; /* indexes into fl_flame.nodes */
};

struct fl_flame {
	const char *const *keys;
	size_t nkeys;
	struct node *nodes; /* nodes[0] is the root */
	size_t n, cap;
	struct fl_u64map index; /* hash(parent, text) -> node index + 1 */
};

struct fl_flame *fl_flame_new(const char *const *keys, size_t nkeys)
{
	struct fl_flame *fl = fl_xcalloc(1, sizeof(*fl));
	fl->keys = keys;
	fl->nkeys = nkeys < FL_FLAME_MAX_VALUES ? nkeys : FL_FLAME_MAX_VALUES;
	fl_u64map_init(&fl->index);
	FL_GROW(fl->nodes, fl->cap, 1);
	memset(&fl->nodes[0], 0, sizeof(fl->nodes[0]));
	fl->nodes[0].keep = 1;
	fl->n = 1;
	return fl;
}

static uint64_t text_hash(size_t parent, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)parent * 0x9e3779b97f4a7c15ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h == UINT64_MAX ? 0 : h;
}

static size_t child(struct fl_flame *fl, size_t parent, const char *text, const char *name)
{
	uint64_t *slot = fl_u64map_slot(&fl->index, text_hash(parent, text));
	struct node *p;
	size_t i;
	if (*slot && !strcmp(fl->nodes[*slot - 1].text, text))
		return (size_t)*slot - 1;
	p = &fl->nodes[parent];
	for (i = 0; *slot && i < p->nkids; i++) /* a hash collision: look the slow way */
		if (!strcmp(fl->nodes[p->kids[i]].text, text))
			return p->kids[i];
	FL_GROW(p->kids, p->kidcap, p->nkids + 1);
	p->kids[p->nkids++] = fl->n;
	FL_GROW(fl->nodes, fl->cap, fl->n + 1);
	memset(&fl->nodes[fl->n], 0, sizeof(fl->nodes[0]));
	fl->nodes[fl->n].text = fl_xstrdup(text);
	fl->nodes[fl->n].name = fl_xstrdup(name ? name : text);
	if (!*slot)
		*slot = fl->n + 1;
	return fl->n++;
}

void fl_flame_add(struct fl_flame *fl, const char *const *text, const char *const *name, size_t n,
		  const double *v, int keep)
{
	size_t at = 0;
	for (size_t k = 0; k < fl->nkeys; k++)
		fl->nodes[0].v[k] += v[k];
	for (size_t i = 0; i < n; i++) {
		at = child(fl, at, text[i], name ? name[i] : NULL);
		for (size_t k = 0; k < fl->nkeys; k++)
			fl->nodes[at].v[k] += v[k];
		fl->nodes[at].keep |= keep;
	}
}

static int small(const struct fl_flame *fl, const struct node *x)
{
	if (x->keep)
		return 0;
	for (size_t k = 0; k < fl->nkeys; k++)
		if (x->v[k] * FOLD_SHARE >= fl->nodes[0].v[k])
			return 0;
	return 1;
}

static int by_first_value(const void *a, const void *b, void *ctx)
{
	const struct fl_flame *fl = ctx;
	const struct node *x = &fl->nodes[*(const size_t *)a], *y = &fl->nodes[*(const size_t *)b];
	if (x->v[0] != y->v[0])
		return x->v[0] > y->v[0] ? -1 : 1;
	return strcmp(x->text, y->text);
}

static void set_values(json_t *j, const struct fl_flame *fl, const double *v)
{
	for (size_t k = 0; k < fl->nkeys; k++)
		json_object_set_new(j, fl->keys[k], json_integer((json_int_t)(v[k] + 0.5)));
}

static json_t *node_json(struct fl_flame *fl, size_t at)
{
	const struct node *x = &fl->nodes[at];
	json_t *j = json_object(), *kids = json_array();
	double folded[FL_FLAME_MAX_VALUES] = {0};
	size_t nfolded = 0, last_folded = 0;
	if (at) {
		json_object_set_new(j, "name", json_string(x->name));
		json_object_set_new(j, "text", json_string(x->text));
	}
	set_values(j, fl, x->v);
	if (x->nkids > 1)
		qsort_r(x->kids, x->nkids, sizeof(*x->kids), by_first_value, fl);
	for (size_t i = 0; i < x->nkids; i++) {
		const struct node *c = &fl->nodes[x->kids[i]];
		if (!small(fl, c)) {
			json_array_append_new(kids, node_json(fl, x->kids[i]));
			continue;
		}
		for (size_t k = 0; k < fl->nkeys; k++)
			folded[k] += c->v[k];
		nfolded++;
		last_folded = x->kids[i];
	}
	if (nfolded == 1) { /* one node alone folds into nothing smaller: keep its name */
		json_t *o = json_pack("{s:s, s:s}", "name", fl->nodes[last_folded].name, "text",
				      fl->nodes[last_folded].text);
		set_values(o, fl, folded);
		json_array_append_new(kids, o);
	} else if (nfolded) {
		json_t *o =
		    json_pack("{s:s, s:s}", "name", "(smaller stacks)", "text", "(smaller stacks)");
		set_values(o, fl, folded);
		json_array_append_new(kids, o);
	}
	if (json_array_size(kids) || !at)
		json_object_set_new(j, "children", kids);
	else
		json_decref(kids);
	return j;
}

json_t *fl_flame_json(struct fl_flame *fl)
{
	json_t *j = node_json(fl, 0);
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->nodes[i].text);
		free(fl->nodes[i].name);
		free(fl->nodes[i].kids);
	}
	free(fl->nodes);
	fl_u64map_release(&fl->index);
	free(fl);
	return j;
}
