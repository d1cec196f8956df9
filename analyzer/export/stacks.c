/*
 * Heap sites are taken from the heap section's JSON rather than a second replay, so
 * that an export can never disagree with the report. The section lists each
 * table's top sites; with top unbounded its tables hold every site with a
 * non-zero figure, and the union of "by_bytes" and "by_count" is every site
 * that allocated (a malloc(0) site has calls but no bytes).
 */
#include "export/stacks.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_heap.h"
#include "util/u64map.h"
#include "util/xalloc.h"

/* The index in m->procs of the image the report names key; m->nprocs when none. */
static size_t proc_index(const struct fl_model *m, const char *key)
{
	size_t i;
	for (i = 0; key && i < m->nprocs; i++)
		if (!strcmp(m->procs[i]->key, key))
			return i;
	return m->nprocs;
}

/*
 * The time the report symbolizes a site at: its first block's allocation
 * (blocks are in allocation order), or the end for the shim's aggregates.
 */
static void site_times(const struct fl_proc *p, struct fl_heap_site *sites, size_t n)
{
	struct fl_u64map first; /* stack -> index of its first block */
	fl_u64map_init(&first);
	for (size_t i = 0; !p->nsites && i < p->nblocks; i++)
		if (fl_u64map_add(&first, p->blocks[i].stack))
			*fl_u64map_get(&first, p->blocks[i].stack) = i;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *b = sites[i].p == p ? fl_u64map_get(&first, sites[i].stack) : NULL;
		if (sites[i].p == p)
			sites[i].t = b ? p->blocks[*b].t_alloc : p->end_t;
	}
	fl_u64map_release(&first);
}

static void add_list(const struct fl_model *m, json_t *list, struct fl_u64map *seen,
		     struct fl_heap_site **out, size_t *n, size_t *cap)
{
	json_t *s;
	size_t i;
	json_array_foreach(list, i, s)
	{
		size_t pidx = proc_index(m, json_string_value(json_object_get(s, "key")));
		uint32_t stack = (uint32_t)fl_jint(s, "stack");
		if (pidx == m->nprocs || !fl_u64map_add(seen, (uint64_t)pidx << 32 | stack))
			continue;
		FL_GROW(*out, *cap, *n + 1);
		(*out)[(*n)++] = (struct fl_heap_site){
		    .p = m->procs[pidx],
		    .stack = stack,
		    .bytes = fl_jint(s, "bytes"),
		    .allocs = fl_jint(s, "allocs"),
		    .peak_live = fl_jint(s, "peak_live"),
		    .leaked_bytes = fl_jint(s, "leaked_bytes"),
		};
	}
}

struct fl_heap_site *fl_stacks_heap_sites(const struct fl_model *m, const struct fl_report_opts *o,
					  size_t *n)
{
	struct fl_report_opts all = *o;
	struct fl_heap_site *out = NULL;
	struct fl_u64map seen;
	size_t cap = 0;
	json_t *heap;
	all.top = INT_MAX;
	heap = fl_report_heap(m, &all);
	*n = 0;
	fl_u64map_init(&seen);
	add_list(m, json_object_get(heap, "by_bytes"), &seen, &out, n, &cap);
	add_list(m, json_object_get(heap, "by_count"), &seen, &out, n, &cap);
	fl_u64map_release(&seen);
	json_decref(heap);
	for (size_t i = 0; i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			site_times(m->procs[i], out, *n);
	return out;
}

void fl_stacks_frame_name(const struct fl_report_opts *o, const struct fl_proc *p, uint64_t addr,
			  uint64_t t, int is_return, char *buf, size_t len)
{
	struct fl_sym s;
	const char *base;
	if (fl_symbols_lookup(o->syms, p, addr, t, is_return, &s) == 0 && s.func) {
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

void fl_stacks_region_name(const struct fl_proc *p, uint64_t addr, uint64_t t, char *buf,
			   size_t len)
{
	struct fl_vma v;
	if (fl_proc_vma_at(p, addr, t, &v) < 0)
		snprintf(buf, len, "[unknown region]");
	else if (v.path && *v.path)
		snprintf(buf, len, "%s", v.path);
	else
		snprintf(buf, len, "[anon %.4s]", v.perms);
}
