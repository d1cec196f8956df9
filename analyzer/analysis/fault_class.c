/*
 * The fault classifier: every page-fault sample put in one class (see
 * analysis/fault_class.h), with the VMA it hit and the allocation site of
 * its address. Several reports classify the same process, so the last few
 * results are remembered.
 */
#include "analysis/fault_class.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/fault_summary.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define PAGE_SHIFT 12

/*
 * The classifier's page table: per page, the last fault (0 none yet, else
 * t + 2; 1 stands for "inherited" while classifying) and the list of small live
 * allocation blocks touching it. One open-addressing probe per sample
 * serves both, which is why this is not a struct fl_u64map: that holds one
 * value per key, and two maps (or a map into a side array) would take a
 * second probe per sample on a table far bigger than the caches. It shares
 * the map's hash.
 */
struct pent {
	uint64_t key, last;
	uint32_t head; /* node + 1 of the page's block list, 0 if empty */
	uint32_t pad;
};

struct ptab {
	struct pent *e;
	size_t n, cap; /* cap 0 or a power of two */
};

#define PTAB_EMPTY UINT64_MAX
#define PTAB_AHEAD 8 /* samples to prefetch ahead */

static struct pent *ptab_find(struct pent *e, size_t cap, uint64_t key)
{
	size_t j = fl_u64map_hash(key, cap);
	while (e[j].key != PTAB_EMPTY && e[j].key != key)
		j = (j + 1) & (cap - 1);
	return &e[j];
}

/*
 * The table doubles at three quarters full, not at half as util/u64map
 * does: it holds a slot for every page a sample or a small block touched,
 * and was the classifier's largest allocation (at half full and 24 B an
 * entry, 48 to 96 B a page, and the old table beside the new one while it
 * doubles: the report's peak RSS on a trace of many pages). A sample's
 * lookup nearly always finds its page, and probes a few neighbours more.
 */
static void ptab_grow(struct ptab *t)
{
	size_t ocap = t->cap, cap = ocap ? ocap * 2 : 1024;
	struct pent *o = t->e;
	t->e = fl_xmalloc(cap * sizeof(*t->e));
	for (size_t i = 0; i < cap; i++)
		t->e[i].key = PTAB_EMPTY;
	for (size_t i = 0; i < ocap; i++)
		if (o[i].key != PTAB_EMPTY)
			*ptab_find(t->e, cap, o[i].key) = o[i];
	t->cap = cap;
	free(o);
}

/* The entry of page key, inserted empty when absent; pointers die at the next insert. */
static struct pent *ptab_slot(struct ptab *t, uint64_t key)
{
	struct pent *x = t->cap ? ptab_find(t->e, t->cap, key) : NULL;
	if (x && x->key == key)
		return x;
	if ((t->n + 1) * 4 > t->cap * 3) {
		ptab_grow(t);
		x = ptab_find(t->e, t->cap, key);
	}
	x->key = key;
	x->last = 0;
	x->head = 0;
	x->pad = 0;
	t->n++;
	return x;
}

static const char *const class_names[FL_FC_COUNT] = {
    "zero_fill",    "cache_hit",      "disk",  "swap_in", "cow",
    "stack_growth", "write_tracking", "other", "unknown", "shim",
};
static const char *const class_titles[FL_FC_COUNT] = {
    "demand-zero first touch",
    "page-cache hit",
    "read from disk",
    "swap-in",
    "copy-on-write",
    "stack growth",
    "write tracking",
    "other",
    "unknown VMA",
    "shim buffers",
};

const char *fl_fclass_name(int c)
{
	return c >= 0 && c < FL_FC_COUNT ? class_names[c] : "unknown";
}

const char *fl_fclass_title(int c)
{
	return c >= 0 && c < FL_FC_COUNT ? class_titles[c] : "unknown VMA";
}

enum fl_mech fl_fclass_mech(int c)
{
	static const enum fl_mech mech[FL_FC_COUNT] = {
	    FL_MECH_DEMAND_PAGING,  FL_MECH_PAGE_CACHE,	   FL_MECH_DISK_READ,
	    FL_MECH_SWAP,	    FL_MECH_COW,	   FL_MECH_STACK_GROWTH,
	    FL_MECH_WRITE_TRACKING, FL_MECH_DEMAND_PAGING, FL_MECH_DEMAND_PAGING,
	    FL_MECH_WRITE_TRACKING,
	};
	return c >= 0 && c < FL_FC_COUNT ? mech[c] : FL_MECH_DEMAND_PAGING;
}

/* ---- the classifier ---- */

static int is_cow_link(uint8_t link)
{
	return link == FL_LINK_FORK || link == FL_LINK_CLONE;
}

/*
 * The processes p's pages came from by fork (its parent, the parent's
 * parent while that one was forked too, at most INHERIT_DEPTH), each with
 * the time it forked the line leading to p: a page one of them had
 * faulted in by then was inherited.
 */
#define INHERIT_DEPTH 33

struct lineage {
	const struct fl_proc *from[INHERIT_DEPTH];
	uint64_t forked_at[INHERIT_DEPTH];
	int n;
};

static void lineage_of(const struct fl_proc *p, struct lineage *l)
{
	for (l->n = 0; l->n < INHERIT_DEPTH && p->parent && is_cow_link(p->link); p = p->parent) {
		l->from[l->n] = p->parent;
		l->forked_at[l->n++] = p->parent_t;
	}
}

/*
 * Asked per page when the child first faults it, not copied into every
 * child's page table up front: a parent with many children cost their
 * number times its own samples.
 */
static int inherited(const struct fl_model *m, const struct lineage *l, uint64_t page)
{
	for (int i = 0; i < l->n; i++)
		if (fl_faults_faulted_before(m, l->from[i], page, l->forked_at[i]))
			return 1;
	return 0;
}

/*
 * Whether p forked at or after time after and at or before t: a fork event,
 * or a traced child whose header links to that time in p.
 */
static int forked_between(const struct fl_proc *p, uint64_t after, uint64_t t)
{
	for (size_t i = 0; i < p->nforks; i++)
		if (is_cow_link(p->forks[i].kind) && p->forks[i].t >= after && p->forks[i].t <= t)
			return 1;
	for (size_t i = 0; i < p->nchildren; i++)
		if (is_cow_link(p->children[i]->link) && p->children[i]->parent_t >= after &&
		    p->children[i]->parent_t <= t)
			return 1;
	return 0;
}

/*
 * The residency lines that are fork snapshots, decoded once each (the
 * model keeps the lines encoded) and held until the pass ends, in line
 * order: shared_at_fork keys its counts by a region's address. The samples
 * come in time order, so the snapshot asked for moves forward, and a
 * cursor finds it reading on; asked for an earlier one, it reads again
 * from the first line.
 */
struct fork_snaps {
	struct fl_residency_cursor k;
	const struct fl_residency *cur; /* the cursor's line; NULL past the last */
	int started;
	uint64_t last_tf; /* the fork time asked for last */
	struct fl_residency *v;
	size_t *line; /* v[i]'s index among the lines, ascending */
	size_t n, cap;
};

static void fork_snaps_release(struct fork_snaps *fs)
{
	if (fs->started)
		fl_residency_end(&fs->k);
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i].regions);
	free(fs->v);
	free(fs->line);
	memset(fs, 0, sizeof(*fs));
}

/* The first residency line at or after tf (as the binary search over the array found it). */
static const struct fl_residency *first_line_from(struct fork_snaps *fs, const struct fl_proc *p,
						  uint64_t tf)
{
	size_t idx, lo = 0, hi = fs->n;
	if (!fs->started || tf < fs->last_tf) {
		if (fs->started)
			fl_residency_end(&fs->k);
		fl_residency_begin(&fs->k, &p->residency);
		fs->cur = fl_residency_next(&fs->k);
		fs->started = 1;
	}
	fs->last_tf = tf;
	while (fs->cur && fs->cur->t < tf)
		fs->cur = fl_residency_next(&fs->k);
	if (!fs->cur)
		return NULL;
	idx = fl_residency_index(&fs->k);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->line[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < fs->n && fs->line[lo] == idx)
		return &fs->v[lo];
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? 2 * fs->cap : 8;
		fs->v = fl_xrealloc(fs->v, fs->cap * sizeof(*fs->v));
		fs->line = fl_xrealloc(fs->line, fs->cap * sizeof(*fs->line));
	}
	memmove(fs->v + lo + 1, fs->v + lo, (fs->n - lo) * sizeof(*fs->v));
	memmove(fs->line + lo + 1, fs->line + lo, (fs->n - lo) * sizeof(*fs->line));
	fs->n++;
	fs->line[lo] = idx;
	fs->v[lo] = *fs->cur;
	fs->v[lo].regions =
	    fl_xmalloc((fs->cur->nregions ? fs->cur->nregions : 1) * sizeof(*fs->cur->regions));
	if (fs->cur->nregions)
		memcpy(fs->v[lo].regions, fs->cur->regions,
		       fs->cur->nregions * sizeof(*fs->cur->regions));
	return &fs->v[lo];
}

/*
 * The residency snapshot of the pages p held at its last fork at or before
 * t (parent and child both take one at the fork; a forked child's first
 * snapshot is its fork's): the first one at or after that fork. NULL when
 * p did not fork by t (and is no forked child) or has no snapshot. The
 * pointer lasts until the next call; its regions, until the pass ends.
 */
static const struct fl_residency *fork_snapshot(struct fork_snaps *fs, const struct fl_proc *p,
						int forked_child, uint64_t t)
{
	uint64_t tf = 0;
	int have = forked_child;
	for (size_t i = 0; i < p->nforks; i++)
		if (is_cow_link(p->forks[i].kind) && p->forks[i].t <= t && p->forks[i].t >= tf)
			tf = p->forks[i].t, have = 1;
	for (size_t i = 0; i < p->nchildren; i++)
		if (is_cow_link(p->children[i]->link) && p->children[i]->parent_t <= t &&
		    p->children[i]->parent_t >= tf)
			tf = p->children[i]->parent_t, have = 1;
	if (!have)
		return NULL;
	return first_line_from(fs, p, tf);
}

static const struct fl_res_region *region_at(const struct fl_residency *s, uint64_t addr)
{
	for (size_t j = 0; s && j < s->nregions; j++)
		if (addr >= s->regions[j].start && addr < s->regions[j].end)
			return &s->regions[j];
	return NULL;
}

/*
 * Whether a page the lineage had faulted before the fork still existed at
 * the fork: memory unmapped before the fork (and a new mapping later at its
 * address) was never shared, however often its old pages faulted. Without
 * a fork snapshot, the samples alone decide.
 */
static int existed_at_fork(struct fork_snaps *fs, const struct fl_proc *p, int forked_child,
			   uint64_t addr, uint64_t t)
{
	const struct fl_residency *s = fork_snapshot(fs, p, forked_child, t);
	const struct fl_res_region *g;
	if (!s)
		return 1;
	g = region_at(s, addr);
	return g && g->anon_shared != 0;
}

/*
 * With one fault in N sampled (N > 1) a page's earlier faults are mostly
 * unseen, so "the page faulted before the fork" cannot tell a COW fault
 * from a first touch. For a fault on a page with no earlier sample, the
 * region the page lay in at the fork decides (an estimate, counted apart
 * in cow_estimated): COW when at least half of its pages were shared
 * anonymous pages, and only while the region's COW samples stand for no
 * more pages than it shared (N each): memory mapped but not yet touched at
 * the fork, written afterwards, is a first touch. Memory mapped after the
 * fork lies in no region of the snapshot and is never a copy.
 */
static int shared_at_fork(struct fork_snaps *fs, const struct fl_proc *p, int forked_child,
			  uint64_t addr, uint64_t t, struct fl_u64map *spent)
{
	const struct fl_res_region *g = region_at(fork_snapshot(fs, p, forked_child, t), addr);
	uint64_t *used, period = p->faults_period;
	if (!g || g->anon_shared <= 0 ||
	    (uint64_t)g->anon_shared * 2 < (g->end - g->start) >> PAGE_SHIFT)
		return 0;
	used = fl_u64map_slot(spent, (uint64_t)(uintptr_t)g);
	if (*used + period > (uint64_t)g->anon_shared + period / 2)
		return 0;
	*used += period;
	return 1;
}

static int is_file_vma(const struct fl_vma *v)
{
	return v->path && v->path[0] && v->path[0] != '[';
}

static uint64_t vma_key(const struct fl_vma *v)
{
	if (!v->path || !v->path[0]) /* one anonymous VMA over time, however it grew */
		return v->life_start ? v->life_start : v->start ? v->start : 1;
	/* Hash the path's text, not its interned address: the address moves
	 * with ASLR and would reorder equal rows from run to run. The last
	 * path's hash is remembered (samples come in runs of one mapping). */
	static const char *last_path;
	static uint64_t last_hash;
	if (v->path != last_path) {
		uint64_t f = 0xcbf29ce484222325ULL;
		for (const char *c = v->path; *c; c++)
			f = (f ^ (unsigned char)*c) * 0x100000001b3ULL;
		last_path = v->path;
		last_hash = f;
	}
	uint64_t h = last_hash * 0x9e3779b97f4a7c15ULL;
	h ^= v->offset + ((uint64_t)(unsigned char)v->perms[2] << 56);
	return h ? h : 1;
}

struct stack_cache {
	const struct fl_maps_snap *snap;
	const struct fl_vma *vma; /* [stack] in snap, NULL if none */
};

static const struct fl_vma *stack_vma(struct stack_cache *sc, const struct fl_maps_snap *s)
{
	if (s == sc->snap)
		return sc->vma;
	sc->snap = s;
	sc->vma = NULL;
	for (size_t i = 0; s && i < s->nvmas; i++)
		if (s->vmas[i].kind == FL_VMA_STACK)
			sc->vma = &s->vmas[i];
	return sc->vma;
}

static int in_snap(const struct fl_maps_snap *s, uint64_t addr)
{
	for (size_t i = 0; s && i < s->nvmas; i++)
		if (s->vmas[i].start <= addr && addr < s->vmas[i].end)
			return 1;
	return 0;
}

/* The [stack] VMA when addr lies below its lowest page (within RLIMIT_STACK), else NULL. */
static const struct fl_vma *below_stack(const struct fl_proc *p, struct stack_cache *sc,
					uint64_t addr, uint64_t t)
{
	const struct fl_maps_snap *s = fl_proc_maps_at(p, t);
	const struct fl_vma *st = stack_vma(sc, s);
	uint64_t limit = p->rlimit_stack > 0 ? (uint64_t)p->rlimit_stack : 256ULL << 20;
	if (st && addr < st->start && addr + limit >= st->start && !in_snap(s, addr))
		return st;
	return NULL;
}

static int tracking_on(const struct fl_proc *p)
{
	json_t *w = p->options ? json_object_get(p->options, "wss") : NULL;
	return p->nwss > 0 || json_is_true(w);
}

struct sweep;
static uint32_t site_swept(struct sweep *w, struct pent *x, uint64_t addr, uint64_t t);

/*
 * The allocation block under each fault, found by a sweep over time instead
 * of one interval-map query per sample: faults come sorted by t and blocks
 * by t_alloc, so blocks enter the page table as time passes and leave it
 * lazily once freed. Blocks spanning more than SWEEP_PAGES pages stay in a
 * small interval map of their own. The answer is the one fl_proc_block_at
 * gives over every recorded block: among the live blocks containing the
 * address, the highest (start, end, index). The blocks are read as the
 * heap fold's spans (struct fl_block_span), every block's, in allocation
 * order: the fold runs first, so that the blocks themselves are gone.
 */
#define SWEEP_PAGES 2

struct snode {
	uint64_t addr, end, t_free;
	uint32_t blk, next; /* block index; next node + 1 (0: end) */
};

struct sweep {
	const struct fl_proc *p;
	const struct fl_block_span *b; /* every block, in allocation order */
	size_t nb;
	struct snode *nodes;
	size_t nn, ncap;
	uint32_t free_node; /* + 1; 0: none */
	size_t next_block;  /* blocks [0, next_block) entered */
	struct fl_imap big;
};

static int sweep_init(struct sweep *w, const struct fl_proc *p, const struct fl_block_span *b,
		      size_t nb)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->b = b;
	w->nb = nb;
	if (nb >= UINT32_MAX / 4)
		return -1;
	for (size_t i = 1; i < nb; i++)
		if (b[i].t_alloc < b[i - 1].t_alloc)
			return -1;
	fl_imap_init(&w->big);
	for (size_t i = 0; i < nb; i++) {
		uint64_t e = b[i].end;
		if (e > b[i].addr &&
		    ((e - 1) >> PAGE_SHIFT) - (b[i].addr >> PAGE_SHIFT) >= SWEEP_PAGES)
			fl_imap_add(&w->big, b[i].addr, e, i);
	}
	fl_imap_build(&w->big);
	return 0;
}

static void sweep_release(struct sweep *w)
{
	free(w->nodes);
	fl_imap_release(&w->big);
}

static void sweep_push(struct sweep *w, struct ptab *pt, uint64_t pg, uint32_t blk)
{
	const struct fl_block_span *b = &w->b[blk];
	struct pent *x = ptab_slot(pt, pg);
	uint32_t n;
	if (w->free_node) {
		n = w->free_node - 1;
		w->free_node = w->nodes[n].next;
	} else {
		FL_GROW(w->nodes, w->ncap, w->nn + 1);
		n = (uint32_t)w->nn++;
	}
	w->nodes[n].addr = b->addr;
	w->nodes[n].end = b->end;
	w->nodes[n].t_free = b->t_free;
	w->nodes[n].blk = blk;
	w->nodes[n].next = x->head;
	x->head = n + 1;
}

/* Enters the small blocks allocated at or before t. */
static void sweep_advance(struct sweep *w, struct ptab *pt, uint64_t t)
{
	while (w->next_block < w->nb && w->b[w->next_block].t_alloc <= t) {
		const struct fl_block_span *b = &w->b[w->next_block];
		uint64_t e = b->end;
		if (e > b->addr && b->t_free > b->t_alloc &&
		    ((e - 1) >> PAGE_SHIFT) - (b->addr >> PAGE_SHIFT) < SWEEP_PAGES)
			for (uint64_t pg = b->addr >> PAGE_SHIFT; pg <= (e - 1) >> PAGE_SHIFT; pg++)
				sweep_push(w, pt, pg, (uint32_t)w->next_block);
		w->next_block++;
	}
}

struct big_q {
	const struct fl_block_span *b;
	uint64_t t;
	const struct fl_block_span *found;
};

/* As model/query.c's fl_proc_block_at: the first live block the map visits. */
static int big_live(const struct fl_interval *iv, void *ctx)
{
	struct big_q *q = ctx;
	const struct fl_block_span *b = &q->b[iv->val];
	if (b->t_alloc <= q->t && q->t < b->t_free) {
		q->found = b;
		return 1;
	}
	return 0;
}

/*
 * The block at addr at time t (sweep_advance(t) done; x is addr's page
 * entry). Nodes freed by t are unlinked on the way: t never goes back.
 */
static const struct fl_block_span *sweep_block_at(struct sweep *w, struct pent *x, uint64_t addr,
						  uint64_t t)
{
	const struct fl_block_span *best = NULL;
	uint64_t best_end = 0;
	uint32_t best_i = 0;
	if (w->big.n) {
		struct big_q q = {w->b, t, NULL};
		fl_imap_each(&w->big, addr, big_live, &q);
		if ((best = q.found) != NULL) {
			best_end = best->end;
			best_i = (uint32_t)(best - w->b);
		}
	}
	for (uint32_t n = x->head, prev = 0; n;) {
		struct snode *c = &w->nodes[n - 1];
		uint32_t nxt = c->next;
		if (c->t_free <= t) {
			if (prev)
				w->nodes[prev - 1].next = nxt;
			else
				x->head = nxt;
			c->next = w->free_node;
			w->free_node = n;
		} else {
			if (c->addr <= addr && addr < c->end &&
			    (!best || c->addr > best->addr ||
			     (c->addr == best->addr &&
			      (c->end > best_end || (c->end == best_end && c->blk > best_i))))) {
				best = &w->b[c->blk];
				best_end = c->end;
				best_i = c->blk;
			}
			prev = n;
		}
		n = nxt;
	}
	return best;
}

/* The classifier's state across the batches of samples fl_proc_faults_each hands out. */
struct classifier {
	const struct fl_model *m;
	const struct fl_proc *p;
	void (*fn)(void *ctx, const struct fl_fault *f, const struct fl_fault_info *fi);
	void *ctx;
	struct ptab pages;
	struct stack_cache sc;
	int forked_child, tracking, sampled, swept;
	struct sweep sw;
	const struct fl_block_span *spans; /* p->spans, or own when p was not folded */
	size_t nspans;
	struct fl_block_span *own;
	struct fl_imap span_index; /* when the blocks cannot be swept */
	struct lineage lin;
	struct fl_u64map spent; /* pages a region's estimated COW samples stand for */
	struct fork_snaps snaps;
};

static uint32_t site_of(const struct fl_proc *p, const struct fl_block_span *b, uint64_t addr,
			uint64_t t);

/* The spans the fold kept; made here from p->blocks when p was not folded (every block there). */
static void take_spans(struct classifier *k)
{
	const struct fl_proc *p = k->p;
	fl_imap_init(&k->span_index);
	if (p->heap_folded) {
		k->spans = p->spans;
		k->nspans = p->nspans;
		return;
	}
	k->own = fl_xmalloc((p->nblocks ? p->nblocks : 1) * sizeof(*k->own));
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		k->own[i] = (struct fl_block_span){
		    b->addr, b->addr + (fl_block_size(p, b) ? fl_block_size(p, b) : 1), b->t_alloc,
		    b->t_free, b->stack};
	}
	k->spans = k->own;
	k->nspans = p->nblocks;
}

/* The spans in an interval map, as model/query.c indexes the blocks, for site_indexed. */
static void index_spans(struct classifier *k)
{
	for (size_t i = 0; i < k->nspans; i++)
		fl_imap_add(&k->span_index, k->spans[i].addr, k->spans[i].end, i);
	fl_imap_build(&k->span_index);
}

/* fl_faults_site_at over the spans, when they cannot be swept (allocation times out of order). */
static uint32_t site_indexed(struct classifier *k, uint64_t addr, uint64_t t)
{
	struct big_q q = {k->spans, t, NULL};
	fl_imap_each(&k->span_index, addr, big_live, &q);
	return site_of(k->p, q.found, addr, t);
}

/* The heap block live at addr at t, or NULL (x: addr's page entry). */
static const struct fl_block_span *block_at(struct classifier *k, struct pent *x, uint64_t addr,
					    uint64_t t)
{
	struct big_q q = {k->spans, t, NULL};
	if (k->swept)
		return sweep_block_at(&k->sw, x, addr, t);
	fl_imap_each(&k->span_index, addr, big_live, &q);
	return q.found;
}

/* The class of a fault in anonymous private memory; lv as in classify_one. */
static int anon_class(struct classifier *k, const struct fl_fault *f, uint64_t lv,
		      struct fl_fault_info *fi)
{
	const struct fl_proc *p = k->p;
	if (f->major)
		return FL_FC_SWAP_IN;
	if (lv && ((lv == 1 && k->forked_child) ||
		   (forked_between(p, lv - 1, f->t) &&
		    existed_at_fork(&k->snaps, p, k->forked_child, f->addr, f->t))))
		return FL_FC_COW;
	if (!lv && k->sampled &&
	    shared_at_fork(&k->snaps, p, k->forked_child, f->addr, f->t, &k->spent)) {
		fi->first = 0;
		fi->cow_estimated = 1;
		return FL_FC_COW;
	}
	if (lv && k->tracking)
		return FL_FC_TRACKING;
	return FL_FC_ZERO_FILL;
}

static void classify_one(struct classifier *k, const struct fl_fault *f)
{
	const struct fl_proc *p = k->p;
	struct fl_fault_info info, *fi = &info;
	struct fl_vma v;
	const struct fl_vma *st;
	uint64_t pg = f->addr >> PAGE_SHIFT;
	struct pent *x;
	uint64_t lv;
	memset(fi, 0, sizeof(*fi));
	if (k->swept)
		sweep_advance(&k->sw, &k->pages, f->t);
	x = ptab_slot(&k->pages, pg); /* one probe: the last fault and the blocks */
	/* lv 1: not faulted here yet, but inherited */
	lv = x->last;
	if (!lv && inherited(k->m, &k->lin, pg) &&
	    existed_at_fork(&k->snaps, p, k->forked_child, f->addr, f->t))
		lv = 1;
	fi->first = lv == 0;
	fi->vkind = FL_VMA_KIND_COUNT;
	if (!f->major && (st = below_stack(p, &k->sc, f->addr, f->t)) != NULL) {
		fi->cls = FL_FC_STACK_GROWTH;
		fi->vkind = FL_VMA_STACK;
		fi->vkey = vma_key(st);
	} else if (fl_proc_vma_at(p, f->addr, f->t, &v) != 0) {
		/* No VMA known here: mapped and unmapped between two maps
		 * snapshots by code the shim does not hook (glibc's own mmap
		 * of a large block). Inside a live heap block the memory is
		 * the allocator's, anonymous and private: classified so, in
		 * a VMA of unknown extent (vkey 0). */
		if (block_at(k, x, f->addr, f->t)) {
			fi->vkind = FL_VMA_ANON;
			fi->cls = anon_class(k, f, lv, fi);
		} else {
			fi->cls = FL_FC_UNKNOWN;
		}
	} else {
		fi->vma = &v;
		fi->vkind = v.kind;
		fi->vkey = vma_key(&v);
		if (v.kind == FL_VMA_SHIM)
			fi->cls = FL_FC_SHIM;
		else if (v.kind == FL_VMA_SPECIAL)
			fi->cls = FL_FC_OTHER;
		else if (is_file_vma(&v))
			fi->cls = f->major ? FL_FC_DISK : FL_FC_CACHE_HIT;
		else
			fi->cls = anon_class(k, f, lv, fi);
	}
	x->last = f->t + 2;
	if (fi->cls != FL_FC_SHIM && fi->cls != FL_FC_UNKNOWN)
		fi->site = k->swept ? site_swept(&k->sw, x, f->addr, f->t)
				    : site_indexed(k, f->addr, f->t);
	k->fn(k->ctx, f, fi);
}

static int classify_batch(void *ctx, const struct fl_fault *v, size_t n)
{
	struct classifier *k = ctx;
	for (size_t i = 0; i < n; i++) {
		/* The table is far bigger than the caches: fetch a later sample's entry now. */
		if (i + PTAB_AHEAD < n && k->pages.cap)
			__builtin_prefetch(&k->pages.e[fl_u64map_hash(
			    v[i + PTAB_AHEAD].addr >> PAGE_SHIFT, k->pages.cap)]);
		if (k->swept && i + PTAB_AHEAD / 2 < n && k->pages.cap) {
			uint64_t ap = v[i + PTAB_AHEAD / 2].addr >> PAGE_SHIFT;
			const struct pent *y = &k->pages.e[fl_u64map_hash(ap, k->pages.cap)];
			if (y->key == ap && y->head)
				__builtin_prefetch(&k->sw.nodes[y->head - 1]);
		}
		classify_one(k, &v[i]);
	}
	return 0;
}

void fl_faults_classify_each(const struct fl_model *m, const struct fl_proc *p,
			     void (*fn)(void *ctx, const struct fl_fault *f,
					const struct fl_fault_info *fi),
			     void *ctx)
{
	struct classifier k;
	if (!p->nfaults)
		return;
	memset(&k, 0, sizeof(k));
	k.m = m;
	k.p = p;
	k.fn = fn;
	k.ctx = ctx;
	k.forked_child = is_cow_link(p->link) && p->parent;
	k.tracking = tracking_on(p);
	k.sampled = p->faults_period > 1;
	take_spans(&k);
	k.swept = sweep_init(&k.sw, p, k.spans, k.nspans) == 0;
	if (!k.swept)
		index_spans(&k);
	lineage_of(p, &k.lin);
	fl_u64map_init(&k.spent);
	fl_proc_faults_each(p, classify_batch, &k);
	if (k.swept)
		sweep_release(&k.sw);
	fl_imap_release(&k.span_index);
	free(k.own);
	fl_u64map_release(&k.spent);
	fork_snaps_release(&k.snaps);
	free(k.pages.e);
}

/* ---- lookups shared with the reports ---- */

struct call_q {
	const struct fl_proc *p;
	uint64_t t;
	const struct fl_map_call *best;
};

static int latest_map(const struct fl_interval *iv, void *ctx)
{
	struct call_q *q = ctx;
	const struct fl_map_call *c = &q->p->calls[iv->val];
	if (c->t <= q->t && (!q->best || c->seq > q->best->seq))
		q->best = c;
	return 0;
}

const struct fl_map_call *fl_faults_map_call_at(const struct fl_proc *p, uint64_t addr, uint64_t t)
{
	struct call_q q = {p, t, NULL};
	fl_imap_each(&p->map_index, addr, latest_map, &q);
	return q.best;
}

uint32_t fl_faults_site_at(const struct fl_proc *p, uint64_t addr, uint64_t t)
{
	const struct fl_block *b = fl_proc_block_at(p, addr, t);
	const struct fl_map_call *c;
	if (b && b->stack)
		return b->stack;
	c = fl_faults_map_call_at(p, addr, t);
	return c ? c->stack : 0;
}

/* fl_faults_site_at, with the block b found among the spans. */
static uint32_t site_of(const struct fl_proc *p, const struct fl_block_span *b, uint64_t addr,
			uint64_t t)
{
	const struct fl_map_call *c;
	if (b && b->stack)
		return b->stack;
	c = fl_faults_map_call_at(p, addr, t);
	return c ? c->stack : 0;
}

static uint32_t site_swept(struct sweep *w, struct pent *x, uint64_t addr, uint64_t t)
{
	return site_of(w->p, sweep_block_at(w, x, addr, t), addr, t);
}
