/*
 * A stack tree for flame graphs: stacks added outermost frame first, the
 * same frame text under the same parent merged, each node carrying the sum
 * of up to FL_FLAME_MAX_VALUES figures of the stacks through it. The heap
 * and faults sections put it in their JSON ("flame"), so that a renderer
 * only lays it out.
 */
#ifndef FL_REPORT_FLAME_H
#define FL_REPORT_FLAME_H

#include <jansson.h>
#include <stddef.h>

#define FL_FLAME_MAX_VALUES 4

struct fl_flame;

/* A tree whose nodes carry the figures named by keys (at most
 * FL_FLAME_MAX_VALUES; the strings must outlive the tree). */
struct fl_flame *fl_flame_new(const char *const *keys, size_t nkeys);

/*
 * Adds the figures v along a path of n frames: text[0] is the outermost,
 * name[i] is a short label for text[i] (NULL: the text). keep marks every
 * node of the path as one a report lists, so fl_flame_json() never folds it.
 */
void fl_flame_add(struct fl_flame *fl, const char *const *text, const char *const *name, size_t n,
		  const double *v, int keep);

/*
 * The tree as JSON (a new reference), and frees it:
 *   {KEY: N..., "children": [NODE...]}, NODE = {"name", "text", KEY: N...,
 *   "children": [NODE...]} (no "children" on a leaf), children largest first
 *   by the first key. A node that is not kept and whose every figure is below
 *   1/1000 of the root's is folded, with its siblings alike, into one
 *   "(smaller stacks)" leaf, so the tree stays small and every parent's
 *   figures are still the sum of its children's and its own stacks'.
 */
json_t *fl_flame_json(struct fl_flame *fl);

#endif
