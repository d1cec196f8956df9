/*
 * The fault summary (analysis/fault_summary.h): one classified pass over a
 * process's samples fills every aggregate a report needs, so that no report
 * walks the samples itself and no per-sample array outlives the pass.
 */
#include "analysis/fault_summary.h"

#include <stdlib.h>
#include <string.h>

#include "model/heap_fold.h"
#include "util/xalloc.h"

#define PAGE_SHIFT 12
#define PAGE 4096ULL
#define OVER_TIME_BINS 60 /* the faults report's bins: the width doubles past this many */
#define REGION_BINS 48	  /* the regions report's bins at most */
#define PROT_WRITE_BIT 0x2
#define MAP_PRIVATE_BIT 0x02
#define MAP_ANON_BIT 0x20

void fl_faults_region_bins(const struct fl_proc *p, size_t *n, uint64_t *step)
{
	uint64_t end = p->end_t > 0 ? p->end_t : 1;
	*n = p->ncounters > 1 ? p->ncounters : 1;
	if (*n > REGION_BINS)
		*n = REGION_BINS;
	*step = (end + *n - 1) / *n;
	if (*step == 0)
		*step = 1;
}

/* ---- reservations ---- */

/* A reservation-sized mmap: writable, private, anonymous, mapped. */
static int is_reserving_mmap(const struct fl_map_call *c)
{
	return c->fn == FL_FN_MMAP && !c->err && c->result != UINT64_MAX && c->prot >= 0 &&
	       (c->prot & PROT_WRITE_BIT) && (c->flags & MAP_PRIVATE_BIT) &&
	       (c->flags & MAP_ANON_BIT);
}

static uint64_t map_end(const struct fl_map_call *c)
{
	return c->result + ((c->size + PAGE - 1) & ~(PAGE - 1));
}

/* The heap blocks that may be reservations: after the heap fold the large
 * blocks are kept apart, every one. */
static const struct fl_block *candidate_blocks(const struct fl_proc *p, size_t *n)
{
	*n = p->heap_folded ? p->nlarge_blocks : p->nblocks;
	return p->heap_folded ? p->large_blocks : p->blocks;
}

/* A heap block of at least the trace's --large size. */
static int is_reserving_block(const struct fl_proc *p, const struct fl_block *b, uint64_t large)
{
	return fl_block_size(p, b) >= large;
}

struct by_seq {
	uint64_t seq;
	size_t i;
};

static int cmp_by_seq(const void *a, const void *b)
{
	const struct by_seq *x = a, *y = b;
	if (x->seq != y->seq)
		return (x->seq > y->seq) - (x->seq < y->seq);
	return (x->i > y->i) - (x->i < y->i);
}

/*
 * For each reserving mmap of p, the time of the first munmap after it (in
 * call order) that overlaps it, FL_T_NEVER if none: one sweep over the
 * calls with the mappings still open kept sorted by start, so that a munmap
 * looks only at the open mappings near its range (those starting below it
 * by less than the longest open one, and those starting inside it), not at
 * every call. Returns t[ncalls] (only the mmaps' entries are set).
 */
static uint64_t *unmap_times(const struct fl_proc *p)
{
	uint64_t *t = fl_xmalloc((p->ncalls ? p->ncalls : 1) * sizeof(*t));
	struct by_seq *order = fl_xmalloc((p->ncalls ? p->ncalls : 1) * sizeof(*order));
	size_t *open = NULL, nopen = 0, capopen = 0;
	uint64_t longest = 0;
	for (size_t i = 0; i < p->ncalls; i++) {
		t[i] = FL_T_NEVER;
		order[i] = (struct by_seq){p->calls[i].seq, i};
	}
	if (p->ncalls > 1)
		qsort(order, p->ncalls, sizeof(*order), cmp_by_seq);
	for (size_t k = 0; k < p->ncalls; k++) {
		const struct fl_map_call *c = &p->calls[order[k].i];
		size_t lo = 0, hi = nopen;
		if (is_reserving_mmap(c)) {
			while (lo < hi) { /* insert after the open ones starting at or below it */
				size_t mid = lo + (hi - lo) / 2;
				if (p->calls[open[mid]].result <= c->result)
					lo = mid + 1;
				else
					hi = mid;
			}
			FL_GROW(open, capopen, nopen + 1);
			memmove(&open[lo + 1], &open[lo], (nopen - lo) * sizeof(*open));
			open[lo] = order[k].i;
			nopen++;
			if (map_end(c) - c->result > longest)
				longest = map_end(c) - c->result;
			continue;
		}
		if (c->fn != FL_FN_MUNMAP || c->err || !nopen)
			continue;
		while (lo < hi) { /* the first open one starting at or past the range's end */
			size_t mid = lo + (hi - lo) / 2;
			if (p->calls[open[mid]].result < c->addr + c->size)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j-- > 0;) {
			const struct fl_map_call *m = &p->calls[open[j]];
			if (m->result + longest <= c->addr)
				break; /* this one and all below end before the range */
			if (c->addr < map_end(m) && m->result < c->addr + c->size) {
				t[open[j]] = c->t;
				memmove(&open[j], &open[j + 1], (nopen - j - 1) * sizeof(*open));
				nopen--;
			}
		}
	}
	free(open);
	free(order);
	return t;
}

/* An address range some reservation covered at some time. */
struct resv_range {
	uint64_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	const struct resv_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* The union of the pages of p's reservations (as fl_faults_reservations
 * finds them; fl_faults_reservation_pages counts whole pages), sorted and
 * merged: blocks reusing one address are one range. 16 bytes a reservation
 * while it is built. */
static struct resv_range *reservation_ranges(const struct fl_proc *p, size_t *n)
{
	uint64_t large = fl_heap_large_size(p);
	size_t nblocks, cap = 0, k = 0;
	const struct fl_block *blocks = candidate_blocks(p, &nblocks);
	struct resv_range *v = NULL;
	*n = 0;
	for (size_t i = 0; i < nblocks; i++) {
		const struct fl_block *b = &blocks[i];
		if (!is_reserving_block(p, b, large))
			continue;
		FL_GROW(v, cap, *n + 1);
		v[(*n)++] =
		    (struct resv_range){b->addr & ~(PAGE - 1),
					(b->addr + fl_block_size(p, b) + PAGE - 1) & ~(PAGE - 1)};
	}
	for (size_t i = 0; i < p->ncalls; i++)
		if (is_reserving_mmap(&p->calls[i])) {
			FL_GROW(v, cap, *n + 1);
			v[(*n)++] = (struct resv_range){p->calls[i].result, map_end(&p->calls[i])};
		}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_range);
	for (size_t i = 0; i < *n; i++) {
		if (k && v[i].start <= v[k - 1].end) {
			if (v[i].end > v[k - 1].end)
				v[k - 1].end = v[i].end;
		} else {
			v[k++] = v[i];
		}
	}
	*n = k;
	return v;
}

static int in_ranges(const struct resv_range *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the first range starting after addr */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr < v[lo - 1].end;
}

/* By start, then time: blocks reusing one address are told apart by time,
 * and the order is the same for every caller. */
static int cmp_resv_start(const void *a, const void *b)
{
	const struct fl_reservation *x = a, *y = b;
	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	if (x->t0 != y->t0)
		return (x->t0 > y->t0) - (x->t0 < y->t0);
	if (x->end != y->end)
		return (x->end > y->end) - (x->end < y->end);
	return (x->stack > y->stack) - (x->stack < y->stack);
}

/* glibc maps a block for itself (at or above its mmap threshold) with the
 * chunk header at the start of the mapping: the block starts 16 bytes into
 * its first page. An arena's blocks start there only by chance (1 in 256),
 * and are then taken for mapped ones: their earlier-touched pages are not
 * counted, as before this distinction. */
#define GLIBC_MMAPPED_OFFSET 16

struct fl_reservation *fl_faults_reservations(const struct fl_proc *p, size_t *n)
{
	uint64_t large = fl_heap_large_size(p);
	size_t nblocks, cap = 0;
	const struct fl_block *blocks = candidate_blocks(p, &nblocks);
	struct fl_reservation *v = NULL;
	*n = 0;
	for (size_t i = 0; i < nblocks; i++) {
		const struct fl_block *b = &blocks[i];
		if (!is_reserving_block(p, b, large))
			continue;
		FL_GROW(v, cap, *n + 1);
		v[(*n)++] = (struct fl_reservation){b->addr,
						    b->addr + fl_block_size(p, b),
						    b->t_alloc,
						    b->t_free,
						    b->stack,
						    fl_fn_name(fl_block_fn(b)),
						    fl_block_charge(p, b),
						    (b->addr & (PAGE - 1)) != GLIBC_MMAPPED_OFFSET};
	}
	uint64_t *unmapped = p->ncalls ? unmap_times(p) : NULL;
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		if (!is_reserving_mmap(c))
			continue;
		FL_GROW(v, cap, *n + 1);
		v[(*n)++] = (struct fl_reservation){c->result, map_end(c), c->t,      unmapped[i],
						    c->stack,  "mmap",	   c->charge, 0};
	}
	free(unmapped);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_resv_start);
	return v;
}

/* ---- the pass ---- */

struct filler {
	const struct fl_proc *p;
	struct fl_fault_summary *s;
	size_t capcow, capfirsts, capregions;
	struct fl_u64map region_idx; /* VMA start -> index + 1 */
	size_t captouches;
	/* the union of every reservation's range, sorted: only samples in it
	 * are kept for fl_faults_reservation_pages */
	struct resv_range *ranges;
	size_t nranges;
	int track_first;
};

static void row_add(struct fl_fault_rows *r, uint64_t key, uint64_t t, uint64_t addr, int cls)
{
	uint64_t *slot = fl_u64map_slot(&r->idx, key);
	struct fl_fault_row *w;
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
}

/* Bins of bin_ns from 0 while the last t / bin_ns stays within OVER_TIME_BINS: a
 * later sample doubles the width, merging the bins pairwise (as the report's
 * width is the smallest doubling that holds the last sample). */
static void over_time_add(struct fl_fault_summary *s, uint64_t t, int cls)
{
	size_t b;
	while (t / s->bin_ns > OVER_TIME_BINS) {
		size_t half = (s->nbins + 1) / 2;
		for (size_t i = 0; i < half; i++)
			for (int c = 0; c < FL_FC_COUNT; c++)
				s->bins[i][c] = s->bins[2 * i][c] +
						(2 * i + 1 < s->nbins ? s->bins[2 * i + 1][c] : 0);
		s->nbins = half;
		s->bin_ns *= 2;
	}
	b = (size_t)(t / s->bin_ns);
	if (b >= s->nbins) {
		s->bins = fl_xrealloc(s->bins, (b + 1) * sizeof(*s->bins));
		memset(&s->bins[s->nbins], 0, (b + 1 - s->nbins) * sizeof(*s->bins));
		s->nbins = b + 1;
	}
	s->bins[b][cls]++;
}

static void region_add(struct filler *k, const struct fl_fault *f, const struct fl_fault_info *fi)
{
	struct fl_fault_summary *s = k->s;
	struct fl_vma v;
	uint64_t *slot;
	struct fl_fault_region *r;
	size_t b;
	if (fi->vma)
		v = *fi->vma;
	else if (fi->cls == FL_FC_UNKNOWN || fl_proc_vma_at(k->p, f->addr, f->t, &v) != 0)
		return;
	if (v.kind == FL_VMA_SHIM)
		return;
	slot = fl_u64map_slot(&k->region_idx, v.start);
	if (!*slot) {
		FL_GROW(s->regions, k->capregions, s->nregions + 1);
		r = &s->regions[s->nregions];
		r->vma = v;
		r->samples = 0;
		r->bins = fl_xcalloc(s->region_nbins, sizeof(*r->bins));
		*slot = ++s->nregions;
	}
	r = &s->regions[*slot - 1];
	b = (size_t)(f->t / s->region_step);
	r->samples++;
	r->bins[b < s->region_nbins ? b : s->region_nbins - 1]++;
}

static int cmp_touch(const void *a, const void *b)
{
	const struct fl_page_touch *x = a, *y = b;
	if (x->page != y->page)
		return (x->page > y->page) - (x->page < y->page);
	return (x->t > y->t) - (x->t < y->t);
}

/* The first touch in v[lo, hi) (one page's, sorted by t) at or after t. */
static size_t touch_at_or_after(const struct fl_page_touch *v, size_t lo, size_t hi, uint64_t t)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void fl_faults_reservation_pages(const struct fl_fault_summary *s, const struct fl_reservation *r,
				 uint64_t *touched, uint64_t *reused)
{
	const struct fl_page_touch *v = s->touches;
	size_t n = s->ntouches, lo = 0, hi = n;
	uint64_t first = r->start >> PAGE_SHIFT, last = (r->end - 1) >> PAGE_SHIFT;
	*touched = *reused = 0;
	if (r->end <= r->start)
		return;
	while (lo < hi) { /* the first touch of a page at or after first */
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].page < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Each page is looked up by time, so a million blocks reusing one
	 * address cost a million short lookups. */
	while (lo < n && v[lo].page <= last) {
		size_t end = lo, at;
		while (end < n && v[end].page == v[lo].page)
			end++;
		at = touch_at_or_after(v, lo, end, r->t0);
		if (at < end && v[at].t < r->t1)
			(*touched)++;
		else if (at > lo && r->arena)
			(*reused)++;
		lo = end;
	}
}

static void fill_one(void *ctx, const struct fl_fault *f, const struct fl_fault_info *fi)
{
	struct filler *k = ctx;
	struct fl_fault_summary *s = k->s;
	int c = fi->cls;
	s->samples++;
	s->cnt[c]++;
	s->first += fi->first;
	over_time_add(s, f->t, c);
	if (k->track_first) {
		uint64_t *slot = fl_u64map_slot(&s->first_fault, f->addr >> PAGE_SHIFT);
		uint64_t t1 = f->t + 1; /* 0 (t = UINT64_MAX) precedes nothing */
		if (t1 && (!*slot || t1 < *slot))
			*slot = t1;
	}
	if (c == FL_FC_COW) {
		FL_GROW(s->cow, k->capcow, s->ncow + 1);
		s->cow[s->ncow++] = (struct fl_fault_cow){f->addr, f->t, fi->cow_estimated};
	}
	if (fi->first && c != FL_FC_SHIM && c != FL_FC_UNKNOWN) {
		FL_GROW(s->firsts, k->capfirsts, s->nfirsts + 1);
		s->firsts[s->nfirsts++] = (struct fl_fault_first){f->t, fi->site};
	}
	region_add(k, f, fi);
	if (c == FL_FC_SHIM)
		return;
	if (in_ranges(k->ranges, k->nranges, f->addr)) {
		FL_GROW(s->touches, k->captouches, s->ntouches + 1);
		s->touches[s->ntouches++] = (struct fl_page_touch){f->addr >> PAGE_SHIFT, f->t};
	}
	row_add(&s->by_vma, fi->vkey, f->t, f->addr, c);
	row_add(&s->by_site, fi->site, f->t, f->addr, c);
	row_add(&s->by_code, f->ip, f->t, f->addr, c);
}

static void rows_release(struct fl_fault_rows *r)
{
	free(r->v);
	fl_u64map_release(&r->idx);
}

static void summary_free(void *x)
{
	struct fl_fault_summary *s = x;
	if (!s)
		return;
	rows_release(&s->by_vma);
	rows_release(&s->by_site);
	rows_release(&s->by_code);
	free(s->bins);
	free(s->cow);
	free(s->firsts);
	for (size_t i = 0; i < s->nregions; i++)
		free(s->regions[i].bins);
	free(s->regions);
	free(s->touches);
	fl_u64map_release(&s->first_fault);
	free(s);
}

/* Whether a child of p reads p's pages at its fork (fault_class.c's lineage). */
static int forked_a_child(const struct fl_proc *p)
{
	for (size_t i = 0; i < p->nchildren; i++)
		if (p->children[i]->link == FL_LINK_FORK || p->children[i]->link == FL_LINK_CLONE)
			return 1;
	return 0;
}

static uint64_t base_bin_ns(const struct fl_proc *p)
{
	json_t *iv = p->options ? json_object_get(p->options, "interval_ms") : NULL;
	return (json_is_integer(iv) && json_integer_value(iv) > 0 ? (uint64_t)json_integer_value(iv)
								  : 100) *
	       1000000ULL;
}

static struct fl_fault_summary *summarize(const struct fl_model *m, const struct fl_proc *p)
{
	struct fl_fault_summary *s = fl_xcalloc(1, sizeof(*s));
	struct filler k;
	memset(&k, 0, sizeof(k));
	k.p = p;
	k.s = s;
	k.track_first = forked_a_child(p);
	s->has_first_fault = k.track_first;
	s->bin_ns = base_bin_ns(p);
	fl_faults_region_bins(p, &s->region_nbins, &s->region_step);
	fl_u64map_init(&s->first_fault);
	fl_u64map_init(&s->by_vma.idx);
	fl_u64map_init(&s->by_site.idx);
	fl_u64map_init(&s->by_code.idx);
	fl_u64map_init(&k.region_idx);
	k.ranges = reservation_ranges(p, &k.nranges);
	fl_faults_classify_each(m, p, fill_one, &k);
	free(k.ranges);
	if (s->ntouches > 1)
		qsort(s->touches, s->ntouches, sizeof(*s->touches), cmp_touch);
	fl_u64map_release(&k.region_idx);
	return s;
}

const struct fl_fault_summary *fl_faults_summary(const struct fl_model *m, const struct fl_proc *p)
{
	struct fl_proc *w = (struct fl_proc *)p; /* the cache, not the model's facts */
	if (!p->nfaults)
		return NULL;
	if (!p->derived) {
		struct fl_fault_summary *s = summarize(m, p);
		w->derived = s;
		w->derived_free = summary_free;
		/* the only pass that asks which block was live at a sample */
		free(w->spans);
		w->spans = NULL;
		w->nspans = 0;
	}
	return p->derived;
}

int fl_faults_faulted_before(const struct fl_model *m, const struct fl_proc *p, uint64_t page,
			     uint64_t t)
{
	const struct fl_fault_summary *s = fl_faults_summary(m, p);
	const uint64_t *first;
	if (!s || !s->has_first_fault)
		return 0;
	first = fl_u64map_get(&s->first_fault, page);
	return first && *first && *first - 1 < t;
}
