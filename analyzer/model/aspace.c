/*
 * The address space over time: the maps snapshots, and between them the
 * mapping calls (indexed by range) that made or removed memory.
 */
#include "model/aspace.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *const vma_kind_names[FL_VMA_KIND_COUNT] = {"anon",	"heap",	   "stack", "file",
							      "shared", "special", "shim"};
const char *fl_vma_kind_name(enum fl_vma_kind k)
{
	return (unsigned)k < FL_VMA_KIND_COUNT ? vma_kind_names[k] : "?";
}

enum fl_vma_kind fl_vma_classify(const char *perms, const char *path, uint64_t inode)
{
	if (perms && perms[0] && perms[1] && perms[2] && perms[3] == 's')
		return FL_VMA_SHARED;
	if (!path || !*path)
		return inode ? FL_VMA_FILE : FL_VMA_ANON;
	if (!strcmp(path, "[heap]"))
		return FL_VMA_HEAP;
	if (!strcmp(path, "[stack]"))
		return FL_VMA_STACK;
	if (!strncmp(path, "[anon", 5))
		return strncmp(path, "[anon_shmem", 11) ? FL_VMA_ANON : FL_VMA_SHARED;
	if (path[0] == '[')
		return FL_VMA_SPECIAL;
	return FL_VMA_FILE;
}

static uint64_t page_up(uint64_t x)
{
	return (x + 4095) & ~(uint64_t)4095;
}

void fl_aspace_index_calls(struct fl_proc *p)
{
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		if (c->err || c->result == UINT64_MAX)
			continue;
		switch (c->fn) {
		case FL_FN_MMAP:
			fl_imap_add(&p->map_index, c->result, c->result + page_up(c->size), i);
			break;
		case FL_FN_MREMAP:
			fl_imap_add(&p->map_index, c->result, c->result + page_up(c->size), i);
			if (c->result != c->old_addr)
				fl_imap_add(&p->unmap_index, c->old_addr,
					    c->old_addr + page_up(c->old_size), i);
			break;
		case FL_FN_MUNMAP:
			fl_imap_add(&p->unmap_index, c->addr, c->addr + page_up(c->size), i);
			break;
		default:
			break;
		}
	}
	fl_imap_build(&p->map_index);
	fl_imap_build(&p->unmap_index);
}

static size_t uf_root(size_t *parent, size_t i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static int same_vma(const struct fl_vma *a, const struct fl_vma *b)
{
	return a->start < b->end && b->start < a->end && a->path == b->path && a->kind == b->kind;
}

/* The snapshot holding flat VMA index r: the last base at or below it. */
static size_t snap_of(const size_t *base, size_t nmaps, size_t r)
{
	size_t lo = 0, hi = nmaps;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (base[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void fl_aspace_timeline(struct fl_proc *p)
{
	size_t total = 0, *parent, *base;
	for (size_t i = 0; i < p->nmaps; i++)
		total += p->maps[i].nvmas;
	if (!total)
		return;
	parent = fl_xcalloc(total, sizeof(*parent));
	base = fl_xcalloc(p->nmaps, sizeof(*base));
	for (size_t i = 0, k = 0; i < p->nmaps; k += p->maps[i].nvmas, i++)
		base[i] = k;
	for (size_t i = 0; i < total; i++)
		parent[i] = i;
	/* Both lists are sorted by start and their VMAs disjoint: one merge pass per pair. */
	for (size_t i = 1; i < p->nmaps; i++) {
		const struct fl_maps_snap *a = &p->maps[i - 1], *b = &p->maps[i];
		for (size_t x = 0, y = 0; x < a->nvmas && y < b->nvmas;) {
			if (same_vma(&a->vmas[x], &b->vmas[y]))
				parent[uf_root(parent, base[i - 1] + x)] =
				    uf_root(parent, base[i] + y);
			if (a->vmas[x].end <= b->vmas[y].end)
				x++;
			else
				y++;
		}
	}
	for (size_t i = 0; i < p->nmaps; i++)
		for (size_t j = 0; j < p->maps[i].nvmas; j++) {
			struct fl_vma *v = &p->maps[i].vmas[j];
			v->life_start = v->start;
			v->life_end = v->end;
		}
	for (size_t pass = 0; pass < 2; pass++) /* gather the extents at the roots, then spread */
		for (size_t i = 0; i < p->nmaps; i++)
			for (size_t j = 0; j < p->maps[i].nvmas; j++) {
				struct fl_vma *v = &p->maps[i].vmas[j];
				size_t r = uf_root(parent, base[i] + j),
				       ri = snap_of(base, p->nmaps, r);
				struct fl_vma *root = &p->maps[ri].vmas[r - base[ri]];
				struct fl_vma *from = pass ? root : v, *to = pass ? v : root;
				if (from->life_start < to->life_start)
					to->life_start = from->life_start;
				if (from->life_end > to->life_end)
					to->life_end = from->life_end;
			}
	free(parent);
	free(base);
}

/* ---- queries ---- */

const struct fl_maps_snap *fl_proc_maps_at(const struct fl_proc *p, uint64_t t)
{
	size_t lo = 0, hi = p->nmaps;
	if (!p->nmaps)
		return NULL;
	while (lo < hi) { /* first snapshot with t > t */
		size_t mid = lo + (hi - lo) / 2;
		if (p->maps[mid].t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &p->maps[lo ? lo - 1 : 0];
}

int fl_maps_is_shim(const struct fl_maps_snap *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; s && i < s->nshim; i++)
		if (start < s->shim[i].end && s->shim[i].start < end)
			return 1;
	return 0;
}

int fl_maps_is_shim_at(const struct fl_maps_snap *s, uint64_t addr, uint64_t t)
{
	for (size_t i = 0; s && i < s->nshim; i++)
		if (addr < s->shim[i].end && s->shim[i].start <= addr && s->shim[i].val <= t)
			return 1;
	return 0;
}

static const struct fl_vma *snap_find(const struct fl_maps_snap *s, uint64_t addr)
{
	size_t lo = 0, hi = s ? s->nvmas : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->vmas[mid].end <= addr)
			lo = mid + 1;
		else if (s->vmas[mid].start > addr)
			hi = mid;
		else
			return &s->vmas[mid];
	}
	return NULL;
}

/* The VMA at addr in snapshot s, for a question about time t: a range the
 * shim mapped only after t was not its own then (-1: the snapshot says
 * nothing of t there). */
static int from_snap(const struct fl_maps_snap *s, uint64_t addr, uint64_t t, struct fl_vma *out)
{
	const struct fl_vma *v = snap_find(s, addr);
	if (!v)
		return -1;
	*out = *v;
	/* The shim's ranges sit inside anonymous VMAs: the address decides. */
	if (fl_maps_is_shim(s, addr, addr + 1)) {
		if (!fl_maps_is_shim_at(s, addr, t))
			return -1;
		out->kind = FL_VMA_SHIM;
	}
	return 0;
}

struct call_query {
	const struct fl_proc *p;
	uint64_t t, best_t;
	const struct fl_map_call *best;
};

static int latest_call(const struct fl_interval *iv, void *ctx)
{
	struct call_query *q = ctx;
	const struct fl_map_call *c = &q->p->calls[iv->val];
	if (c->t <= q->t && (!q->best || c->t >= q->best_t)) {
		q->best = c;
		q->best_t = c->t;
	}
	return 0;
}

static void vma_from_call(const struct fl_map_call *c, struct fl_vma *out)
{
	int shared = c->flags >= 0 && (c->flags & 0x01);
	memset(out, 0, sizeof(*out));
	out->start = c->result;
	out->end = c->result + page_up(c->size);
	out->offset = c->fn == FL_FN_MMAP && c->offset > 0 ? (uint64_t)c->offset : 0;
	out->path = c->path ? c->path : "";
	out->perms[0] = c->prot >= 0 && (c->prot & 1) ? 'r' : '-';
	out->perms[1] = c->prot >= 0 && (c->prot & 2) ? 'w' : '-';
	out->perms[2] = c->prot >= 0 && (c->prot & 4) ? 'x' : '-';
	out->perms[3] = shared ? 's' : 'p';
	out->kind = (uint8_t)fl_vma_classify(out->perms, out->path, 0);
	if (c->path && *c->path && !shared)
		out->kind = FL_VMA_FILE;
	out->life_start = out->start;
	out->life_end = out->end;
}

int fl_proc_vma_at(const struct fl_proc *p, uint64_t addr, uint64_t t, struct fl_vma *out)
{
	const struct fl_maps_snap *s = fl_proc_maps_at(p, t);
	struct call_query q = {p, t, 0, NULL}, u = {p, t, 0, NULL};
	if (s && s->t <= t && from_snap(s, addr, t, out) == 0)
		return 0;
	/* Mapped since the last snapshot: the latest mapping call, unless unmapped after. */
	fl_imap_each(&p->map_index, addr, latest_call, &q);
	if (q.best) {
		fl_imap_each(&p->unmap_index, addr, latest_call, &u);
		if (!u.best || u.best->seq < q.best->seq) {
			vma_from_call(q.best, out);
			if (fl_maps_is_shim_at(s, addr, t))
				out->kind = FL_VMA_SHIM;
			return 0;
		}
	}
	/* Before the first snapshot, or mapped since the last one by code the
	 * shim does not see: the next snapshot, if it still shows it. Only
	 * the next: a VMA first seen in a later one was mapped after that
	 * snapshot, so not at t (the address was reused). */
	for (size_t i = s ? (size_t)(s - p->maps) : 0; i < p->nmaps; i++)
		if (p->maps[i].t > t)
			return from_snap(&p->maps[i], addr, t, out);
	return -1;
}
