/*
 * The faults report: every fault sample classified (see report_faults.h),
 * then counted by class, by VMA, by allocation site, by code location and
 * over time; the perf-vs-getrusage gap named; and the pages each fault
 * mapped, measured from residency rather than assumed to be one.
 */
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/report_faults.h"
#include "util/u64map.h"
#include "util/xalloc.h"

#define PAGE_SHIFT 12
#define MAP_POPULATE_FLAG 0x8000
#define MADV_POPULATE_READ_ADV 22
#define MADV_POPULATE_WRITE_ADV 23

/*
 * The classifier's page table: per page, the last fault (0 none yet, 1
 * inherited from the parent, else t + 2) and the list of small live
 * allocation blocks touching it. One open-addressing probe per sample
 * serves both.
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

static size_t ptab_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static struct pent *ptab_find(struct pent *e, size_t cap, uint64_t key)
{
	size_t j = ptab_hash(key, cap);
	while (e[j].key != PTAB_EMPTY && e[j].key != key)
		j = (j + 1) & (cap - 1);
	return &e[j];
}

/* The entry of page key, inserted empty when absent; pointers die at the next insert. */
static struct pent *ptab_slot(struct ptab *t, uint64_t key)
{
	struct pent *x;
	if ((t->n + 1) * 2 > t->cap) {
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
	x = ptab_find(t->e, t->cap, key);
	if (x->key == PTAB_EMPTY) {
		x->key = key;
		x->last = 0;
		x->head = 0;
		x->pad = 0;
		t->n++;
	}
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

/* Pages the ancestors of p had faulted in before p was forked (value 1). */
static void add_inherited(const struct fl_proc *p, struct ptab *set, int depth)
{
	const struct fl_proc *q = p->parent;
	if (depth > 32 || !q || !is_cow_link(p->link))
		return;
	for (size_t i = 0; i < q->nfaults && q->faults[i].t < p->parent_t; i++)
		ptab_slot(set, q->faults[i].addr >> PAGE_SHIFT)->last = 1;
	add_inherited(q, set, depth + 1);
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
 * With one fault in N sampled (N > 1) a page's earlier faults are mostly
 * unseen, so "the page faulted before the fork" cannot tell a COW fault
 * from a first touch. For a fault on a page with no earlier sample: COW
 * when, in the residency snapshot taken at the last fork before t (parent
 * and child both take one), at least half the pages of its region were
 * shared anonymous pages. Exact for a region written whole before the fork
 * (or never), an estimate for one partly written; the report says the
 * classes are estimates when N > 1.
 */
static int shared_at_fork(const struct fl_proc *p, int forked_child, uint64_t addr, uint64_t t)
{
	uint64_t tf = 0;
	int have = forked_child;
	size_t lo = 0, hi = p->nresidency;
	for (size_t i = 0; i < p->nforks; i++)
		if (is_cow_link(p->forks[i].kind) && p->forks[i].t <= t && p->forks[i].t >= tf)
			tf = p->forks[i].t, have = 1;
	for (size_t i = 0; i < p->nchildren; i++)
		if (is_cow_link(p->children[i]->link) && p->children[i]->parent_t <= t &&
		    p->children[i]->parent_t >= tf)
			tf = p->children[i]->parent_t, have = 1;
	if (!have)
		return 0;
	while (lo < hi) { /* the first snapshot at or after the fork */
		size_t mid = lo + (hi - lo) / 2;
		if (p->residency[mid].t < tf)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->nresidency)
		return 0;
	for (size_t j = 0; j < p->residency[lo].nregions; j++) {
		const struct fl_res_region *g = &p->residency[lo].regions[j];
		if (addr >= g->start && addr < g->end)
			return g->anon_shared > 0 &&
			       (uint64_t)g->anon_shared * 2 >= (g->end - g->start) >> PAGE_SHIFT;
	}
	return 0;
}

static int is_file_vma(const struct fl_vma *v)
{
	return v->path && v->path[0] && v->path[0] != '[';
}

static uint64_t vma_key(const struct fl_vma *v)
{
	if (!v->path || !v->path[0])
		return v->start ? v->start : 1;
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

static struct fl_fault_info *classify(const struct fl_model *m, const struct fl_proc *p);
struct sweep;
static uint32_t site_swept(struct sweep *w, struct pent *x, uint64_t addr, uint64_t t);

/*
 * The allocation block under each fault, found by a sweep over time instead
 * of one interval-map query per sample: faults come sorted by t and blocks
 * by t_alloc, so blocks enter the page table as time passes and leave it
 * lazily once freed. Blocks spanning more than SWEEP_PAGES pages stay in a
 * small interval map of their own. The answer is the one fl_proc_block_at
 * gives: among the live blocks containing the address, the highest
 * (start, end, index).
 */
#define SWEEP_PAGES 2

struct snode {
	uint64_t addr, end, t_free;
	uint32_t blk, next; /* block index; next node + 1 (0: end) */
};

struct sweep {
	const struct fl_proc *p;
	struct snode *nodes;
	size_t nn, ncap;
	uint32_t free_node; /* + 1; 0: none */
	size_t next_block;  /* blocks [0, next_block) entered */
	struct fl_imap big;
};

static uint64_t block_end(const struct fl_block *b)
{
	return b->addr + (b->size ? b->size : 1);
}

static int sweep_init(struct sweep *w, const struct fl_proc *p)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	if (p->nblocks >= UINT32_MAX / 4)
		return -1;
	for (size_t i = 1; i < p->nblocks; i++)
		if (p->blocks[i].t_alloc < p->blocks[i - 1].t_alloc)
			return -1;
	for (size_t i = 1; i < p->nfaults; i++)
		if (p->faults[i].t < p->faults[i - 1].t)
			return -1;
	fl_imap_init(&w->big);
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		uint64_t e = block_end(b);
		if (e > b->addr && ((e - 1) >> PAGE_SHIFT) - (b->addr >> PAGE_SHIFT) >= SWEEP_PAGES)
			fl_imap_add(&w->big, b->addr, e, i);
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
	const struct fl_block *b = &w->p->blocks[blk];
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
	w->nodes[n].end = block_end(b);
	w->nodes[n].t_free = b->t_free;
	w->nodes[n].blk = blk;
	w->nodes[n].next = x->head;
	x->head = n + 1;
}

/* Enters the small blocks allocated at or before t. */
static void sweep_advance(struct sweep *w, struct ptab *pt, uint64_t t)
{
	const struct fl_proc *p = w->p;
	while (w->next_block < p->nblocks && p->blocks[w->next_block].t_alloc <= t) {
		const struct fl_block *b = &p->blocks[w->next_block];
		uint64_t e = block_end(b);
		if (e > b->addr && b->t_free > b->t_alloc &&
		    ((e - 1) >> PAGE_SHIFT) - (b->addr >> PAGE_SHIFT) < SWEEP_PAGES)
			for (uint64_t pg = b->addr >> PAGE_SHIFT; pg <= (e - 1) >> PAGE_SHIFT; pg++)
				sweep_push(w, pt, pg, (uint32_t)w->next_block);
		w->next_block++;
	}
}

struct big_q {
	const struct fl_proc *p;
	uint64_t t;
	const struct fl_block *found;
};

static int big_live(const struct fl_interval *iv, void *ctx)
{
	struct big_q *q = ctx;
	const struct fl_block *b = &q->p->blocks[iv->val];
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
static const struct fl_block *sweep_block_at(struct sweep *w, struct pent *x, uint64_t addr,
					     uint64_t t)
{
	const struct fl_proc *p = w->p;
	const struct fl_block *best = NULL;
	uint64_t best_end = 0;
	uint32_t best_i = 0;
	if (w->big.n) {
		struct big_q q = {p, t, NULL};
		fl_imap_each(&w->big, addr, big_live, &q);
		if ((best = q.found) != NULL) {
			best_end = block_end(best);
			best_i = (uint32_t)(best - p->blocks);
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
				best = &p->blocks[c->blk];
				best_end = c->end;
				best_i = c->blk;
			}
			prev = n;
		}
		n = nxt;
	}
	return best;
}

/* A small memo of classifications: faults, ws, io and cow all need them. */
static struct memo {
	const struct fl_proc *p;
	const struct fl_fault *faults;
	size_t n;
	uint64_t t_first, t_last, a_first, a_last;
	struct fl_fault_info *fi;
} memo[4];
static unsigned memo_next;

static int memo_match(const struct memo *e, const struct fl_proc *p)
{
	return e->fi && e->p == p && e->faults == p->faults && e->n == p->nfaults &&
	       e->t_first == p->faults[0].t && e->t_last == p->faults[p->nfaults - 1].t &&
	       e->a_first == p->faults[0].addr && e->a_last == p->faults[p->nfaults - 1].addr;
}

/* The memo entry of p, classifying it when absent. */
static struct memo *memo_of(const struct fl_model *m, const struct fl_proc *p)
{
	struct memo *e;
	for (unsigned i = 0; i < sizeof(memo) / sizeof(memo[0]); i++)
		if (memo_match(&memo[i], p))
			return &memo[i];
	e = &memo[memo_next++ % (sizeof(memo) / sizeof(memo[0]))];
	free(e->fi);
	e->fi = classify(m, p);
	e->p = p;
	e->faults = p->faults;
	e->n = p->nfaults;
	e->t_first = p->faults[0].t;
	e->t_last = p->faults[p->nfaults - 1].t;
	e->a_first = p->faults[0].addr;
	e->a_last = p->faults[p->nfaults - 1].addr;
	return e;
}

struct fl_fault_info *fl_faults_classify(const struct fl_model *m, const struct fl_proc *p)
{
	struct fl_fault_info *out;
	if (!p->nfaults)
		return NULL;
	out = fl_xmalloc(p->nfaults * sizeof(*out));
	memcpy(out, memo_of(m, p)->fi, p->nfaults * sizeof(*out));
	return out;
}

const struct fl_fault_info *fl_faults_classified(const struct fl_model *m, const struct fl_proc *p)
{
	return p->nfaults ? memo_of(m, p)->fi : NULL;
}

static struct fl_fault_info *classify(const struct fl_model *m, const struct fl_proc *p)
{
	struct ptab pages = {NULL, 0, 0};
	struct stack_cache sc = {NULL, NULL};
	struct fl_fault_info *out;
	int forked_child = is_cow_link(p->link) && p->parent;
	int tracking = tracking_on(p);
	int sampled = p->faults_period > 1;
	struct sweep sw;
	int swept;
	(void)m;
	if (!p->nfaults)
		return NULL;
	out = fl_xcalloc(p->nfaults, sizeof(*out));
	swept = sweep_init(&sw, p) == 0;
	add_inherited(p, &pages, 0);
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *f = &p->faults[i];
		struct fl_fault_info *fi = &out[i];
		struct fl_vma v;
		const struct fl_vma *st;
		uint64_t pg = f->addr >> PAGE_SHIFT;
		struct pent *x;
		uint64_t lv;
		/* The table is far bigger than the caches: fetch a later sample's entry now. */
		if (i + PTAB_AHEAD < p->nfaults && pages.cap)
			__builtin_prefetch(&pages.e[ptab_hash(
			    p->faults[i + PTAB_AHEAD].addr >> PAGE_SHIFT, pages.cap)]);
		if (swept && i + PTAB_AHEAD / 2 < p->nfaults && pages.cap) {
			uint64_t ap = p->faults[i + PTAB_AHEAD / 2].addr >> PAGE_SHIFT;
			const struct pent *y = &pages.e[ptab_hash(ap, pages.cap)];
			if (y->key == ap && y->head)
				__builtin_prefetch(&sw.nodes[y->head - 1]);
		}
		if (swept)
			sweep_advance(&sw, &pages, f->t);
		x = ptab_slot(&pages, pg); /* one probe: the last fault and the blocks */
		lv = x->last;
		fi->first = lv == 0;
		fi->vkind = FL_VMA_KIND_COUNT;
		if (!f->major && (st = below_stack(p, &sc, f->addr, f->t)) != NULL) {
			fi->cls = FL_FC_STACK_GROWTH;
			fi->vkind = FL_VMA_STACK;
			fi->vkey = vma_key(st);
		} else if (fl_proc_vma_at(p, f->addr, f->t, &v) != 0) {
			fi->cls = FL_FC_UNKNOWN;
		} else {
			fi->vkind = v.kind;
			fi->vkey = vma_key(&v);
			if (v.kind == FL_VMA_SHIM)
				fi->cls = FL_FC_SHIM;
			else if (v.kind == FL_VMA_SPECIAL)
				fi->cls = FL_FC_OTHER;
			else if (is_file_vma(&v))
				fi->cls = f->major ? FL_FC_DISK : FL_FC_CACHE_HIT;
			else if (f->major)
				fi->cls = FL_FC_SWAP_IN;
			else if (lv && ((lv == 1 && forked_child) ||
					forked_between(p, lv > 1 ? lv - 1 : 1, f->t)))
				fi->cls = FL_FC_COW;
			else if (!lv && sampled && shared_at_fork(p, forked_child, f->addr, f->t)) {
				fi->cls = FL_FC_COW;
				fi->first = 0;
			} else if (lv && tracking)
				fi->cls = FL_FC_TRACKING;
			else
				fi->cls = FL_FC_ZERO_FILL;
		}
		x->last = f->t + 2;
		if (fi->cls != FL_FC_SHIM && fi->cls != FL_FC_UNKNOWN)
			fi->site = swept ? site_swept(&sw, x, f->addr, f->t)
					 : fl_faults_site_at(p, f->addr, f->t);
	}
	if (swept)
		sweep_release(&sw);
	free(pages.e);
	return out;
}

/* ---- lookups shared with the other reports ---- */

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

/* fl_faults_site_at, with the block found by the sweep. */
static uint32_t site_swept(struct sweep *w, struct pent *x, uint64_t addr, uint64_t t)
{
	const struct fl_block *b = sweep_block_at(w, x, addr, t);
	const struct fl_map_call *c;
	if (b && b->stack)
		return b->stack;
	c = fl_faults_map_call_at(w->p, addr, t);
	return c ? c->stack : 0;
}

/* ---- aggregation ---- */

struct row {
	uint64_t key, first_t, first_addr;
	uint64_t cnt[FL_FC_COUNT];
	uint64_t total;
};

struct rows {
	struct row *v;
	size_t n, cap;
	struct fl_u64map idx;
};

static struct row *row_add(struct rows *r, uint64_t key, uint64_t t, uint64_t addr, int cls)
{
	uint64_t *slot = fl_u64map_slot(&r->idx, key);
	struct row *w;
	if (!*slot) {
		FL_GROW(r->v, r->cap, r->n + 1);
		memset(&r->v[r->n], 0, sizeof(r->v[0]));
		r->v[r->n].key = key;
		r->v[r->n].first_t = t;
		r->v[r->n].first_addr = addr;
		*slot = ++r->n;
	}
	w = &r->v[*slot - 1];
	w->cnt[cls]++;
	w->total++;
	return w;
}

static void rows_release(struct rows *r)
{
	free(r->v);
	fl_u64map_release(&r->idx);
}

static int cmp_row_total(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->key > y->key) - (x->key < y->key);
}

static json_t *class_obj(const uint64_t *cnt, uint64_t period)
{
	json_t *o = json_object();
	for (int c = 0; c < FL_FC_COUNT; c++)
		if (cnt[c])
			json_object_set_new(o, class_names[c],
					    json_integer((json_int_t)(cnt[c] * period)));
	return o;
}

/*
 * Peak present pages of the VMA starting at start, over every residency line
 * that listed it (-1 when none did: a mapping that lived less than a tick).
 */
static int64_t peak_present(const struct fl_proc *p, uint64_t start)
{
	int64_t peak = -1;
	for (size_t i = 0; i < p->nresidency; i++) {
		const struct fl_residency *r = &p->residency[i];
		for (size_t j = 0; j < r->nregions; j++)
			if (r->regions[j].start == start && r->regions[j].present > peak)
				peak = r->regions[j].present;
	}
	return peak;
}

static void vma_of_row(const struct fl_proc *p, const struct row *w, struct fl_vma *v)
{
	if (w->cnt[FL_FC_STACK_GROWTH]) { /* the stack as it ended, not as it was */
		const struct fl_maps_snap *s = fl_proc_maps_at(p, p->end_t);
		for (size_t k = 0; s && k < s->nvmas; k++)
			if (s->vmas[k].kind == FL_VMA_STACK) {
				*v = s->vmas[k];
				return;
			}
	}
	if (fl_proc_vma_at(p, w->first_addr, w->first_t, v) != 0) {
		memset(v, 0, sizeof(*v));
		v->path = "";
		v->kind = FL_VMA_ANON;
	}
}

/*
 * Whether the file VMA starting at start was already mapped when tracing
 * began (the executable and its libraries): the loader faulted its pages in
 * before the samples started, so present/faults would overstate fault-around.
 */
static int preexisting_file(const struct fl_proc *p, const struct fl_vma *v)
{
	const struct fl_maps_snap *s = p->nmaps ? &p->maps[0] : NULL;
	if (!s || !v->path || !v->path[0] || v->path[0] == '[')
		return 0;
	for (size_t i = 0; i < s->nvmas; i++)
		if (s->vmas[i].start == v->start && s->vmas[i].path == v->path)
			return 1;
	return 0;
}

/* bpf[file][0] += faults, bpf[file][1] += pages mapped, for every VMA with both. */
static json_t *vma_rows(const struct fl_proc *p, struct rows *r, uint64_t period, int top,
			uint64_t bpf[2][2])
{
	json_t *arr = json_array();
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n; i++) {
		struct row *w = &r->v[i];
		struct fl_vma v;
		char b1[32], b2[32];
		vma_of_row(p, w, &v);
		int64_t peak = preexisting_file(p, &v) ? -1 : peak_present(p, v.start);
		uint64_t faults = w->total * period;
		int file = v.path && v.path[0] && v.path[0] != '[';
		if (peak >= 0 && faults && v.kind != FL_VMA_SHIM) {
			bpf[file][0] += faults;
			bpf[file][1] += (uint64_t)peak;
		}
		if ((int)i >= top)
			continue;
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "start",
			      fl_fmt_addr(b1, sizeof(b1), v.start), "end",
			      fl_fmt_addr(b2, sizeof(b2), v.end), "perms", v.perms, "path",
			      v.path ? v.path : "", "kind", fl_vma_kind_name(v.kind), "faults",
			      (json_int_t)faults, "by_class", class_obj(w->cnt, period));
		if (peak >= 0 && faults) {
			json_object_set_new(o, "pages_peak", json_integer(peak));
			json_object_set_new(o, "pages_per_fault",
					    json_real((double)peak / (double)faults));
		} else {
			json_object_set_new(o, "pages_peak", json_null());
			json_object_set_new(o, "pages_per_fault", json_null());
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *site_rows(const struct fl_report_opts *o, const struct fl_proc *p, struct rows *r,
			 uint64_t period)
{
	json_t *arr = json_array();
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n && (int)i < o->top; i++) {
		struct row *w = &r->v[i];
		json_t *s = w->key ? fl_report_stack_json(o, p, (uint32_t)w->key, w->first_t, 6)
				   : json_null();
		json_array_append_new(arr, json_pack("{s:I, s:o, s:I, s:o}", "stack",
						     (json_int_t)w->key, "site", s, "faults",
						     (json_int_t)(w->total * period), "by_class",
						     class_obj(w->cnt, period)));
	}
	return arr;
}

static json_t *code_rows(const struct fl_report_opts *o, const struct fl_proc *p, struct rows *r,
			 uint64_t period)
{
	json_t *arr = json_array();
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), cmp_row_total);
	for (size_t i = 0; i < r->n && (int)i < o->top; i++) {
		struct row *w = &r->v[i];
		char b[32];
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:I, s:o}", "ip", fl_fmt_addr(b, sizeof(b), w->key),
				   "frame", fl_report_frame_json(o, p, w->key, w->first_t, 0),
				   "faults", (json_int_t)(w->total * period), "by_class",
				   class_obj(w->cnt, period)));
	}
	return arr;
}

static uint64_t bin_width(const struct fl_proc *p)
{
	json_t *iv = p->options ? json_object_get(p->options, "interval_ms") : NULL;
	uint64_t w =
	    (json_is_integer(iv) && json_integer_value(iv) > 0 ? (uint64_t)json_integer_value(iv)
							       : 100) *
	    1000000ULL;
	uint64_t end = p->nfaults ? p->faults[p->nfaults - 1].t : 0;
	while (end / w > 60)
		w *= 2;
	return w;
}

static json_t *over_time(const struct fl_proc *p, const struct fl_fault_info *fi, uint64_t period)
{
	uint64_t w = bin_width(p);
	size_t nb = p->nfaults ? (size_t)(p->faults[p->nfaults - 1].t / w) + 1 : 0;
	uint64_t(*bins)[FL_FC_COUNT] = fl_xcalloc(nb ? nb : 1, sizeof(*bins));
	json_t *arr = json_array();
	for (size_t i = 0; i < p->nfaults; i++)
		bins[p->faults[i].t / w][fi[i].cls]++;
	for (size_t b = 0; b < nb; b++)
		json_array_append_new(arr, json_pack("{s:I, s:o}", "t", (json_int_t)(b * w),
						     "by_class", class_obj(bins[b], period)));
	free(bins);
	return json_pack("{s:I, s:o}", "bin_ns", (json_int_t)w, "bins", arr);
}

/* getrusage against perf: how many faults perf did not see, and why. */
static json_t *gap_obj(const struct fl_proc *p)
{
	const struct fl_counters *c = fl_proc_last_counters(p);
	int64_t ru_min = p->exit.present && p->exit.ru_minflt >= 0 ? p->exit.ru_minflt
			 : c					   ? c->ru_minflt
								   : -1;
	int64_t ru_maj = p->exit.present && p->exit.ru_majflt >= 0 ? p->exit.ru_majflt
			 : c					   ? c->ru_majflt
								   : -1;
	int64_t pmin = c ? c->minflt : -1, pmaj = c ? c->majflt : -1;
	int64_t track = c ? c->tracking_faults : -1;
	uint64_t gup = 0, reads = 0;
	json_t *causes = json_array();
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *k = &p->calls[i];
		if (k->err)
			continue;
		if ((k->fn == FL_FN_MMAP && k->flags >= 0 && (k->flags & MAP_POPULATE_FLAG)) ||
		    (k->fn == FL_FN_MADVISE &&
		     (k->advice == MADV_POPULATE_READ_ADV || k->advice == MADV_POPULATE_WRITE_ADV)))
			gup += (k->size + 4095) / 4096;
	}
	if (p->nio) {
		const struct fl_io *io = &p->io[p->nio - 1];
		for (size_t j = 0; j < io->nfds; j++)
			reads += io->fds[j].calls;
	}
	int64_t gap = ru_min >= 0 && pmin >= 0 ? ru_min - pmin : -1;
	if (gap > 0 && gup)
		json_array_append_new(causes, json_pack("{s:s, s:I}", "cause", "gup_populate",
							"pages_max", (json_int_t)gup));
	if (gap > 0 && reads)
		json_array_append_new(causes,
				      json_pack("{s:s, s:I}", "cause", "kernel_mode_copy_to_user",
						"read_calls", (json_int_t)reads));
	if (gap > 0 && !gup && !reads)
		json_array_append_new(causes, json_pack("{s:s}", "cause", "kernel_mode"));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:o}", "perf_minflt",
			 pmin >= 0 ? json_integer(pmin) : json_null(), "perf_majflt",
			 pmaj >= 0 ? json_integer(pmaj) : json_null(), "ru_minflt",
			 ru_min >= 0 ? json_integer(ru_min) : json_null(), "ru_majflt",
			 ru_maj >= 0 ? json_integer(ru_maj) : json_null(), "tracking_faults",
			 track >= 0 ? json_integer(track) : json_null(), "gap_minor",
			 gap >= 0 ? json_integer(gap) : json_null(), "gup_pages", (json_int_t)gup,
			 "read_calls", (json_int_t)reads, "causes", causes);
}

static json_t *bpf_obj(uint64_t v[2])
{
	if (!v[0])
		return json_null();
	return json_pack("{s:I, s:I, s:f, s:f}", "faults", (json_int_t)v[0], "pages",
			 (json_int_t)v[1], "pages_per_fault", (double)v[1] / (double)v[0],
			 "bytes_per_fault", 4096.0 * (double)v[1] / (double)v[0]);
}

static void proc_findings(json_t *sec, const struct fl_proc *p, const uint64_t *cnt,
			  uint64_t period, json_t *gap, uint64_t bpf[2][2])
{
	uint64_t total = 0;
	char b[64], b1[32], b2[32];
	for (int c = 0; c < FL_FC_COUNT; c++)
		if (c != FL_FC_SHIM && c != FL_FC_TRACKING)
			total += cnt[c];
	if (!total)
		return;
	for (int c = 0; c < FL_FC_COUNT; c++) {
		if (c == FL_FC_SHIM || c == FL_FC_TRACKING || c == FL_FC_OTHER ||
		    c == FL_FC_UNKNOWN || !cnt[c])
			continue;
		double pct = 100.0 * (double)cnt[c] / (double)total;
		int rare = c == FL_FC_DISK || c == FL_FC_SWAP_IN || c == FL_FC_COW;
		/* a few hundred start-up faults are not worth a finding */
		if ((pct < 5 && !rare) || cnt[c] * period < (rare ? 16 : 256))
			continue;
		snprintf(b, sizeof(b), "faults.%s", class_names[c]);
		fl_explain_add(
		    sec, b, pct >= 50 && c != FL_FC_ZERO_FILL ? FL_SEV_WARN : FL_SEV_INFO,
		    fl_fclass_mech(c), "pid %d: %s faults: %s, %.1f%% of its %s faults", p->pid,
		    class_titles[c], fl_fmt_count(b1, sizeof(b1), cnt[c] * period), pct,
		    fl_fmt_count(b2, sizeof(b2), total * period));
	}
	if (bpf[1][0] && bpf[1][1] > bpf[1][0] * 3 / 2)
		fl_explain_add(sec, "faults.fault_around", FL_SEV_INFO, FL_MECH_FAULT_AROUND,
			       "pid %d: each file fault mapped %.1f pages (%.0f KiB) on average",
			       p->pid, (double)bpf[1][1] / (double)bpf[1][0],
			       4.0 * (double)bpf[1][1] / (double)bpf[1][0]);
	if (cnt[FL_FC_DISK] && cnt[FL_FC_CACHE_HIT] > cnt[FL_FC_DISK] * 10)
		fl_explain_add(sec, "faults.readahead", FL_SEV_INFO, FL_MECH_READAHEAD,
			       "pid %d: few major faults next to many minor file faults", p->pid);
	json_t *g = json_object_get(gap, "gap_minor");
	json_int_t ru = json_integer_value(json_object_get(gap, "ru_minflt"));
	if (json_integer_value(g) >= 256 && json_integer_value(g) * 10 >= ru)
		fl_explain_add(sec, "faults.perf_gap", FL_SEV_INFO, FL_MECH_KERNEL_FAULTS,
			       "pid %d: getrusage counted %lld more minor faults than perf saw",
			       p->pid, (long long)json_integer_value(g));
	if (cnt[FL_FC_TRACKING])
		fl_explain_add(
		    sec, "faults.tracking", FL_SEV_INFO, FL_MECH_WRITE_TRACKING,
		    "pid %d: %llu faults were the tracer's write tracking, not the program's",
		    p->pid, (unsigned long long)(cnt[FL_FC_TRACKING] * period));
	if (period > 1)
		fl_explain_add(sec, "faults.sampled", FL_SEV_INFO, FL_MECH_SAMPLING,
			       "pid %d: one fault in %llu was sampled", p->pid,
			       (unsigned long long)period);
	if (p->faults_lost)
		fl_explain_add(sec, "faults.lost", FL_SEV_WARN, FL_MECH_SAMPLING,
			       "pid %d: the kernel dropped %llu fault samples (a sample buffer was "
			       "full): the per-class, per-VMA, per-site and over-time figures miss "
			       "about %llu faults; the counted totals do not",
			       p->pid, (unsigned long long)p->faults_lost,
			       (unsigned long long)(p->faults_lost * period));
}

static json_t *proc_faults(const struct fl_model *m, const struct fl_report_opts *o,
			   const struct fl_proc *p, json_t *sec, uint64_t *tot)
{
	const struct fl_fault_info *fi = fl_faults_classified(m, p);
	struct rows vmas = {0}, sites = {0}, code = {0};
	uint64_t cnt[FL_FC_COUNT] = {0}, first = 0, bpf[2][2] = {{0}};
	uint64_t period = p->faults_period ? p->faults_period : 1;
	json_t *by_class = json_object();
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *f = &p->faults[i];
		int c = fi[i].cls;
		cnt[c]++;
		first += fi[i].first;
		if (c == FL_FC_SHIM)
			continue;
		row_add(&vmas, fi[i].vkey, f->t, f->addr, c);
		row_add(&sites, fi[i].site, f->t, f->addr, c);
		row_add(&code, f->ip, f->t, f->addr, c);
	}
	uint64_t prog = 0; /* the program's own faults: not the shim's, not the tracker's */
	for (int c = 0; c < FL_FC_COUNT; c++)
		prog += c == FL_FC_SHIM || c == FL_FC_TRACKING ? 0 : cnt[c];
	for (int c = 0; c < FL_FC_COUNT; c++) {
		tot[c] += cnt[c] * period;
		json_object_set_new(by_class, class_names[c],
				    json_pack("{s:I, s:I, s:f}", "faults",
					      (json_int_t)(cnt[c] * period), "samples",
					      (json_int_t)cnt[c], "pct",
					      prog && c != FL_FC_SHIM && c != FL_FC_TRACKING
						  ? 100.0 * (double)cnt[c] / (double)prog
						  : 0.0));
	}
	json_t *gap = gap_obj(p);
	json_t *vrows = vma_rows(p, &vmas, period, o->top, bpf);
	json_t *pr = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "pid", p->pid,
			       "key", p->key ? p->key : "", "exe", p->exe ? p->exe : "", "samples",
			       (json_int_t)p->nfaults, "period", (json_int_t)period, "lost",
			       (json_int_t)p->faults_lost, "faults", (json_int_t)(prog * period),
			       "first_touch", (json_int_t)(first * period), "by_class", by_class);
	json_object_set_new(pr, "by_vma", vrows);
	json_object_set_new(pr, "by_site", site_rows(o, p, &sites, period));
	json_object_set_new(pr, "by_code", code_rows(o, p, &code, period));
	json_object_set_new(pr, "over_time",
			    over_time(p, fi ? fi : &(struct fl_fault_info){0}, period));
	json_object_set_new(
	    pr, "bytes_per_fault",
	    json_pack("{s:o, s:o}", "file", bpf_obj(bpf[1]), "anon", bpf_obj(bpf[0])));
	json_object_set_new(pr, "counts", gap);
	proc_findings(sec, p, cnt, period, gap, bpf);
	rows_release(&vmas);
	rows_release(&sites);
	rows_release(&code);
	return pr;
}

json_t *fl_report_faults(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *procs = json_array(), *classes = json_array();
	uint64_t tot[FL_FC_COUNT] = {0};
	json_object_set_new(sec, "findings", json_array());
	for (int c = 0; c < FL_FC_COUNT; c++)
		json_array_append_new(classes, json_pack("{s:s, s:s, s:s}", "name", class_names[c],
							 "title", class_titles[c], "mechanism",
							 fl_explain_name(fl_fclass_mech(c))));
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		if (!fl_report_selected(o, p))
			continue;
		json_array_append_new(procs, proc_faults(m, o, p, sec, tot));
	}
	json_object_set_new(sec, "classes", classes);
	json_object_set_new(sec, "by_class", class_obj(tot, 1));
	json_object_set_new(sec, "processes", procs);
	return sec;
}

/* ---- text ---- */

size_t fl_report_top_procs(json_t *procs, const char *key, size_t *idx, size_t max, size_t *rest_n,
			   long long *rest_sum)
{
	size_t n = json_array_size(procs), k = 0;
	char *used = fl_xcalloc(n + 1, 1);
	*rest_n = 0;
	*rest_sum = 0;
	while (k < max) {
		size_t best = n;
		json_int_t bv = 0;
		for (size_t i = 0; i < n; i++) {
			json_int_t v =
			    json_integer_value(json_object_get(json_array_get(procs, i), key));
			if (!used[i] && v > bv) {
				best = i;
				bv = v;
			}
		}
		if (best == n)
			break;
		used[best] = 1;
		idx[k++] = best;
	}
	for (size_t i = 0; i < n; i++)
		if (!used[i]) {
			json_int_t v =
			    json_integer_value(json_object_get(json_array_get(procs, i), key));
			if (v > 0) {
				(*rest_n)++;
				*rest_sum += v;
			}
		}
	free(used);
	return k;
}

#define TEXT_PROCS 8

static void render_rest(FILE *f, size_t n, long long sum, const char *what)
{
	if (n)
		fprintf(f, "... and %zu more processes with %lld %s (see --json or --pid)\n", n,
			sum, what);
}

static long long jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void render_classes(json_t *by_class, FILE *f, const char *indent)
{
	const char *name;
	json_t *v;
	char b[32];
	json_object_foreach(by_class, name, v)
	{
		if (!jint(v, "faults"))
			continue;
		int c = 0;
		while (c < FL_FC_COUNT && strcmp(class_names[c], name))
			c++;
		fprintf(f, "%s%-26s %12s  %5.1f%%\n", indent,
			c < FL_FC_COUNT ? class_titles[c] : name,
			fl_fmt_count(b, sizeof(b), (uint64_t)jint(v, "faults")),
			json_real_value(json_object_get(v, "pct")));
	}
}

/* The row's top classes, as many as fit in room columns (at least one). */
static void render_row_classes(json_t *bc, FILE *f, int room)
{
	const char *name;
	json_t *v;
	int n = 0, used = 0;
	json_object_foreach(bc, name, v)
	{
		char item[64];
		int len = snprintf(item, sizeof(item), "%s%s %lld", n ? ", " : "", name,
				   (long long)json_integer_value(v));
		if (n >= 3 || (n && used + len > room))
			break;
		fputs(item, f);
		used += len;
		n++;
	}
}

/* Row layouts of 100 columns: figures, then the classes in what is left. */
#define ROW_VMA_PATH 30 /* "    FAULTS  0xSTART PERM PATH  " = 68 */
#define ROW_SITE 44	/* "    FAULTS  SITE  " = 62 */

void fl_report_faults_text(json_t *sec, FILE *f)
{
	size_t j, idx[TEXT_PROCS], rn;
	long long rs;
	json_t *procs = json_object_get(sec, "processes"), *p, *r;
	char b[32], b2[32], fit[128];
	size_t np = fl_report_top_procs(procs, "faults", idx, TEXT_PROCS, &rn, &rs);
	for (size_t i = 0; i < np; i++) {
		p = json_array_get(procs, idx[i]);
		char lost[48] = "";
		if (jint(p, "lost"))
			snprintf(lost, sizeof(lost), ", %s LOST",
				 fl_fmt_count(b, sizeof(b), (uint64_t)jint(p, "lost")));
		fl_text_printf(f, "  ", "pid %lld %s: %s faults (%s samples, 1 in %lld%s%s)",
			       jint(p, "pid"), json_string_value(json_object_get(p, "exe")),
			       fl_fmt_count(b, sizeof(b), (uint64_t)jint(p, "faults")),
			       fl_fmt_count(b2, sizeof(b2), (uint64_t)jint(p, "samples")),
			       jint(p, "period"), lost,
			       jint(p, "period") > 1 ? "; figures below are estimates" : "");
		render_classes(json_object_get(p, "by_class"), f, "  ");
		json_t *bpf = json_object_get(json_object_get(p, "bytes_per_fault"), "file");
		if (json_is_object(bpf))
			fprintf(f, "  file faults mapped %.1f pages (%.0f KiB) each on average\n",
				json_real_value(json_object_get(bpf, "pages_per_fault")),
				json_real_value(json_object_get(bpf, "bytes_per_fault")) / 1024);
		fprintf(f, "  by VMA:\n");
		json_array_foreach(json_object_get(p, "by_vma"), j, r)
		{
			const char *path = json_string_value(json_object_get(r, "path"));
			int w = fprintf(f, "    %10lld  %s %-4s %-*.*s  ", jint(r, "faults"),
					json_string_value(json_object_get(r, "start")),
					json_string_value(json_object_get(r, "perms")),
					ROW_VMA_PATH, ROW_VMA_PATH,
					*path ? fl_fit_path(fit, sizeof(fit), path, ROW_VMA_PATH)
					      : json_string_value(json_object_get(r, "kind")));
			render_row_classes(json_object_get(r, "by_class"), f, 100 - w);
			fputc('\n', f);
		}
		fprintf(f, "  by allocation site:\n");
		json_array_foreach(json_object_get(p, "by_site"), j, r)
		{
			json_t *site = json_object_get(json_object_get(r, "site"), "site");
			const char *txt = json_string_value(json_object_get(site, "text"));
			fprintf(f, "    %10lld  %-*.*s  ", jint(r, "faults"), ROW_SITE, ROW_SITE,
				txt ? fl_fit_site(fit, sizeof(fit), txt, ROW_SITE)
				    : (jint(r, "stack") ? "(unknown)" : "(no allocation)"));
			render_row_classes(json_object_get(r, "by_class"), f, 100 - 18 - ROW_SITE);
			fputc('\n', f);
		}
		fprintf(f, "  by code location:\n");
		json_array_foreach(json_object_get(p, "by_code"), j, r)
		{
			const char *txt =
			    json_string_value(json_object_get(json_object_get(r, "frame"), "text"));
			fprintf(f, "    %10lld  %-*.*s  ", jint(r, "faults"), ROW_SITE, ROW_SITE,
				txt ? fl_fit_site(fit, sizeof(fit), txt, ROW_SITE)
				    : json_string_value(json_object_get(r, "ip")));
			render_row_classes(json_object_get(r, "by_class"), f, 100 - 18 - ROW_SITE);
			fputc('\n', f);
		}
		json_t *c = json_object_get(p, "counts");
		if (json_is_integer(json_object_get(c, "ru_minflt")))
			fprintf(f, "  getrusage: %lld minor, %lld major; perf: %s minor (gap %s)\n",
				jint(c, "ru_minflt"), jint(c, "ru_majflt"),
				json_is_integer(json_object_get(c, "perf_minflt"))
				    ? fl_fmt_count(b, sizeof(b), (uint64_t)jint(c, "perf_minflt"))
				    : "n/a",
				json_is_integer(json_object_get(c, "gap_minor"))
				    ? fl_fmt_count(b2, sizeof(b2), (uint64_t)jint(c, "gap_minor"))
				    : "n/a");
	}
	render_rest(f, rn, rs, "faults");
	fl_findings_render(sec, f);
}
