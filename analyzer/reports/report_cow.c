/*
 * Copy-on-write, per fork. Who copied a page cannot be read from the
 * exclusive bit: when the child writes a shared page, the parent's old copy
 * becomes exclusive as well, without a fault. Residency gives the sharing
 * (at fork and as it decays). Who copied comes, where the shim could read
 * page frames (root), from the frames themselves: the writer gets a new
 * one, so each side's pages whose frame changed since the fork are its
 * copies, exactly ("pfn"). Otherwise from the fault samples: the first
 * write fault of each side on a page shared at fork ("fault_samples"), an
 * estimate when faults are sampled or samples were lost.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/explain.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "model/residency.h"
#include "reports/report.h"
#include "reports/report_cow.h"
#include "util/xalloc.h"

#define PAGE 4096ULL

static int cow_kind(uint8_t k)
{
	return k == FL_LINK_FORK || k == FL_LINK_CLONE;
}

/* One fork of p: from a traced child's header link, or a fork event alone. */
struct cow_fork {
	uint64_t t;
	int32_t child;
	uint8_t kind;
	const struct fl_proc *c; /* NULL: child not traced */
};

static int cmp_fork(const void *a, const void *b)
{
	const struct cow_fork *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

static struct cow_fork *collect_forks(const struct fl_proc *p, size_t *n)
{
	struct cow_fork *v = fl_xcalloc(p->nchildren + p->nforks + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < p->nchildren; i++)
		if (cow_kind(p->children[i]->link))
			v[(*n)++] = (struct cow_fork){p->children[i]->parent_t, p->children[i]->pid,
						      p->children[i]->link, p->children[i]};
	for (size_t i = 0; i < p->nforks; i++) {
		int known = 0;
		if (!cow_kind(p->forks[i].kind))
			continue;
		for (size_t k = 0; k < *n; k++)
			known |= v[k].child == p->forks[i].child;
		if (!known)
			v[(*n)++] = (struct cow_fork){p->forks[i].t, p->forks[i].child,
						      p->forks[i].kind, NULL};
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_fork);
	return v;
}

/* The residency of one process over time: shared pages per group, first and last state. */
struct series {
	uint64_t *t;
	int64_t *shared;
	size_t n, cap;
	struct fl_res_region *first, *last; /* alive regions */
	size_t nfirst, nlast;
	const struct fl_proc *p;
};

static struct fl_res_region *copy_alive(const struct fl_res_state *s, size_t *n)
{
	struct fl_res_region *v = fl_xcalloc(s->n + 1, sizeof(*v));
	*n = 0;
	for (size_t k = 0; k < s->n; k++)
		if (s->alive[k])
			v[(*n)++] = s->v[k];
	return v;
}

static int series_state(const struct fl_res_state *s, void *ctx)
{
	struct series *z = ctx;
	size_t cap = z->cap;
	FL_GROW(z->t, z->cap, z->n + 1);
	if (cap != z->cap)
		z->shared = fl_xrealloc(z->shared, z->cap * sizeof(*z->shared));
	z->t[z->n] = s->t;
	z->shared[z->n] = fl_res_sum(s, FL_RES_SHARED, 0, UINT64_MAX);
	z->n++;
	if (!z->first)
		z->first = copy_alive(s, &z->nfirst);
	free(z->last);
	z->last = copy_alive(s, &z->nlast);
	return 0;
}

static void series_build(const struct fl_proc *p, struct series *z)
{
	memset(z, 0, sizeof(*z));
	z->p = p;
	fl_res_walk(p, series_state, z);
}

static void series_release(struct series *z)
{
	free(z->t);
	free(z->shared);
	free(z->first);
	free(z->last);
}

/* Shared pages at the first residency time at or after t (-1 unknown). */
static int64_t series_at(const struct series *z, uint64_t t)
{
	for (size_t i = 0; i < z->n; i++)
		if (z->t[i] >= t)
			return z->shared[i];
	return -1;
}

/* Sum of anon_shared over the regions overlapping [start, end); -1 if none has the figure. */
static int64_t shared_sum(const struct fl_res_region *v, size_t n, uint64_t start, uint64_t end)
{
	int64_t sum = -1;
	for (size_t j = 0; j < n; j++)
		if (v[j].start < end && start < v[j].end && v[j].anon_shared >= 0)
			sum = (sum < 0 ? 0 : sum) + v[j].anon_shared;
	return sum;
}

/* COW faults of p in [t0, t1) and inside [start, end). */
static uint64_t cow_faults(const struct fl_proc *p, const struct fl_fault_summary *fi, uint64_t t0,
			   uint64_t t1, uint64_t start, uint64_t end)
{
	uint64_t n = 0, period = p->faults_period ? p->faults_period : 1;
	for (size_t i = 0; fi && i < fi->ncow; i++) {
		const struct fl_fault_cow *f = &fi->cow[i];
		if (f->t >= t0 && f->t < t1 && f->addr >= start && f->addr < end)
			n += period;
	}
	return n;
}

/*
 * Of cow_faults, those decided by the estimator (sampled faults, no sample
 * of the page before the fork: the region's sharing at the fork decided).
 */
static uint64_t cow_estimated(const struct fl_proc *p, const struct fl_fault_summary *fi,
			      uint64_t t0, uint64_t t1)
{
	uint64_t n = 0, period = p->faults_period ? p->faults_period : 1;
	for (size_t i = 0; fi && i < fi->ncow; i++)
		if (fi->cow[i].estimated && fi->cow[i].t >= t0 && fi->cow[i].t < t1)
			n += period;
	return n;
}

/*
 * Pages one side copied by frame, over the windows of its forks. A region's
 * `moved` is how many of its pages have a frame other than at the fork: it
 * only grows while the memory stays, and drops when memory goes. So each
 * row a step writes adds what it holds beyond the rows it replaces (grown,
 * merged or split memory is not counted twice), and memory that goes keeps
 * what it had. Pages copied after the last step that read a region's
 * frames and before the region was unmapped were never read by frame: they
 * are counted from the COW fault samples in that interval ("tail"), an
 * estimate, and said so.
 */
struct frame_piece {
	uint64_t start, end;
	uint64_t frames, tail;
};

struct frame_tally {
	uint64_t t_from, t_limit; /* the window: a fork until the side's next one */
	uint64_t t_cow_end;	  /* COW faults count until then (the other side's end) */
	struct frame_piece *v;
	size_t n, cap;
	uint64_t frames, tail;
	int unknown; /* an anonymous region without the figure (no PFNs) */
	int seen;    /* a step in the window was read */
};

struct frame_walk {
	const struct fl_proc *p;
	const struct fl_fault_summary *fi;
	struct frame_tally *w; /* windows in time order, disjoint */
	size_t nw, cur;
	struct fl_res_region *prev; /* the alive regions of the last step in the window */
	size_t nprev;
	uint64_t prev_t, last_group;
};

static void tally_add(struct frame_tally *w, uint64_t start, uint64_t end, uint64_t frames,
		      uint64_t tail)
{
	if (!frames && !tail)
		return;
	FL_GROW(w->v, w->cap, w->n + 1);
	w->v[w->n++] = (struct frame_piece){start, end, frames, tail};
	w->frames += frames;
	w->tail += tail;
}

static int64_t prev_moved(const struct frame_walk *k, uint64_t start, uint64_t end)
{
	int64_t sum = 0;
	for (size_t j = 0; j < k->nprev; j++)
		if (k->prev[j].start < end && start < k->prev[j].end && k->prev[j].moved > 0)
			sum += k->prev[j].moved;
	return sum;
}

/* Bytes of [start, end) that alive regions of s still cover (they are disjoint). */
static uint64_t covered(const struct fl_res_state *s, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	for (size_t j = 0; j < s->n; j++)
		if (s->alive[j] && s->v[j].start < end && start < s->v[j].end)
			sum += (s->v[j].end < end ? s->v[j].end : end) -
			       (s->v[j].start > start ? s->v[j].start : start);
	return sum;
}

/* Pages copied by frame in the alive regions of s overlapping [start, end). */
static int64_t alive_moved(const struct fl_res_state *s, uint64_t start, uint64_t end)
{
	int64_t sum = 0;
	for (size_t j = 0; j < s->n; j++)
		if (s->alive[j] && s->v[j].start < end && start < s->v[j].end && s->v[j].moved > 0)
			sum += s->v[j].moved;
	return sum;
}

static int alive_at(const struct fl_res_state *s, uint64_t addr)
{
	for (size_t j = 0; j < s->n; j++)
		if (s->alive[j] && s->v[j].start <= addr && addr < s->v[j].end)
			return 1;
	return 0;
}

/* COW faults of k's process in [t0, t1) inside g but in no region alive in s: in memory gone. */
static uint64_t cow_faults_gone(const struct frame_walk *k, const struct fl_res_state *s,
				const struct fl_res_region *g, uint64_t t0, uint64_t t1)
{
	const struct fl_proc *p = k->p;
	uint64_t n = 0, period = p->faults_period ? p->faults_period : 1;
	for (size_t i = 0; k->fi && i < k->fi->ncow; i++) {
		const struct fl_fault_cow *f = &k->fi->cow[i];
		if (f->t >= t0 && f->t < t1 && f->addr >= g->start && f->addr < g->end &&
		    !alive_at(s, f->addr))
			n += period;
	}
	return n;
}

static int frame_step(const struct fl_res_state *s, void *ctx)
{
	struct frame_walk *k = ctx;
	uint64_t group = k->last_group;
	while (k->cur < k->nw && s->t >= k->w[k->cur].t_limit) {
		k->cur++; /* a new fork: its count starts again from its own frames */
		k->nprev = 0;
	}
	if (k->cur == k->nw)
		return 1;
	struct frame_tally *w = &k->w[k->cur];
	for (size_t j = 0; j < s->n; j++)
		if (s->group[j] > group)
			group = s->group[j];
	if (s->t < w->t_from) {
		k->last_group = group;
		return 0;
	}
	w->seen = 1;
	for (size_t j = 0; j < s->n; j++) {
		const struct fl_res_region *g = &s->v[j];
		if (!s->alive[j] || s->group[j] <= k->last_group)
			continue;
		if (g->moved < 0) {
			w->unknown |= g->anon_exclusive + g->anon_shared > 0;
			continue;
		}
		int64_t was = prev_moved(k, g->start, g->end);
		if (g->moved > was)
			tally_add(w, g->start, g->end, (uint64_t)(g->moved - was), 0);
	}
	for (size_t j = 0; j < k->nprev; j++) {
		const struct fl_res_region *g = &k->prev[j];
		uint64_t t1 = s->t < w->t_cow_end ? s->t : w->t_cow_end;
		if (g->moved < 0 || g->anon_exclusive + g->anon_shared <= 0 || t1 <= k->prev_t ||
		    covered(s, g->start, g->end) == g->end - g->start)
			continue;
		uint64_t sampled = cow_faults_gone(k, s, g, w->t_from, t1);
		int64_t read = g->moved - alive_moved(s, g->start, g->end);
		if (read < 0)
			read = 0;
		if (sampled > (uint64_t)read)
			tally_add(w, g->start, g->end, 0, sampled - (uint64_t)read);
	}
	free(k->prev);
	k->prev = copy_alive(s, &k->nprev);
	k->prev_t = s->t;
	k->last_group = group;
	return 0;
}

/* Fills the windows w[0..nw) (t_from, t_limit, t_cow_end set) from p's residency. */
static void frames_count(const struct fl_proc *p, const struct fl_fault_summary *fi,
			 struct frame_tally *w, size_t nw)
{
	struct frame_walk k = {p, fi, w, nw, 0, NULL, 0, 0, 0};
	if (nw)
		fl_res_walk(p, frame_step, &k);
	free(k.prev);
}

static int tally_known(const struct frame_tally *w)
{
	return w->seen && !w->unknown;
}

/* Pages copied inside [start, end): frames and tail. */
static uint64_t tally_in(const struct frame_tally *w, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	for (size_t j = 0; j < w->n; j++)
		if (w->v[j].start < end && start < w->v[j].end)
			sum += w->v[j].frames + w->v[j].tail;
	return sum;
}

/* The parent's time at which the child ended (or never). */
static uint64_t child_end_in_parent(const struct fl_proc *p, const struct fl_proc *c)
{
	uint64_t end_rt = c->start_realtime_ns + c->end_t;
	if (!c->start_realtime_ns || end_rt < p->start_realtime_ns)
		return FL_T_NEVER;
	return end_rt - p->start_realtime_ns;
}

static double pct(uint64_t a, int64_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 0.0;
}

static int cmp_shared_desc(const void *a, const void *b)
{
	const struct fl_res_region *x = a, *y = b;
	return (x->anon_shared < y->anon_shared) - (x->anon_shared > y->anon_shared);
}

/* The regions shared at fork, most shared first, top ones only. */
static json_t *by_vma(const struct fl_proc *p, const struct fl_fault_summary *pfi,
		      struct series *cz, const struct fl_fault_summary *cfi, uint64_t t_fork,
		      uint64_t t_next, const struct frame_tally *ct, const struct frame_tally *pt,
		      int top)
{
	const struct fl_proc *c = cz->p;
	json_t *arr = json_array();
	int pfn = tally_known(ct) && tally_known(pt);
	if (cz->nfirst > 1)
		qsort(cz->first, cz->nfirst, sizeof(cz->first[0]), cmp_shared_desc);
	for (size_t j = 0; j < cz->nfirst && (int)j < top; j++) {
		const struct fl_res_region *g = &cz->first[j];
		struct fl_vma v;
		char b1[32], b2[32];
		if (g->anon_shared <= 0)
			continue;
		int known = fl_proc_vma_at(c, g->start, cz->t[0], &v) == 0;
		uint64_t cc = pfn ? tally_in(ct, g->start, g->end)
				  : cow_faults(c, cfi, 0, FL_T_NEVER, g->start, g->end);
		uint64_t pc = pfn ? tally_in(pt, g->start, g->end)
				  : cow_faults(p, pfi, t_fork, t_next, g->start, g->end);
		int64_t end = shared_sum(cz->last, cz->nlast, g->start, g->end);
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:o, s:s}", "start",
				   fl_fmt_addr(b1, sizeof(b1), g->start), "end",
				   fl_fmt_addr(b2, sizeof(b2), g->end), "path",
				   known && v.path ? v.path : "", "shared_at_fork",
				   (json_int_t)g->anon_shared, "copied_by_child", (json_int_t)cc,
				   "copied_by_parent", (json_int_t)pc, "copied_by_child_pct",
				   pct(cc, g->anon_shared), "copied_by_parent_pct",
				   pct(pc, g->anon_shared), "shared_end",
				   end >= 0 ? json_integer(end) : json_null(), "method",
				   pfn ? "pfn" : "fault_samples"));
	}
	return arr;
}

static json_t *decay(const struct fl_proc *p, const struct series *pz, const struct series *cz,
		     uint64_t t_fork)
{
	json_t *arr = json_array();
	const struct fl_proc *c = cz->p;
	uint64_t off = c->start_realtime_ns > p->start_realtime_ns
			   ? c->start_realtime_ns - p->start_realtime_ns
			   : t_fork;
	for (size_t i = 0; i < cz->n; i++) {
		int64_t ps = series_at(pz, off + cz->t[i]);
		json_array_append_new(
		    arr, json_pack("{s:I, s:o, s:o}", "t", (json_int_t)cz->t[i], "child_shared",
				   cz->shared[i] >= 0 ? json_integer(cz->shared[i]) : json_null(),
				   "parent_shared", ps >= 0 ? json_integer(ps) : json_null()));
	}
	return arr;
}

static int64_t pte_at(const struct fl_proc *p, uint64_t t)
{
	int64_t v = -1;
	struct fl_counters_cursor k;
	const struct fl_counters *c;
	fl_counters_begin(&k, &p->counters);
	while ((c = fl_counters_next(&k)) != NULL && c->t <= t)
		v = c->pte_bytes;
	if (v < 0 && p->ncounters) { /* before the first tick: the first tick's */
		fl_counters_begin(&k, &p->counters);
		v = fl_counters_next(&k)->pte_bytes;
	}
	return v;
}

/*
 * The child's private anonymous pages at its last residency step: its copies,
 * its side of the parent's copies and of shared pages the parent let go,
 * and memory new in the child. What a program that reads its own
 * Private_Dirty in the child reports as its copy-on-write cost (redis's
 * rdb_last_cow_size), less faultline's own pages (their VMAs have no row;
 * child_shim_private_end counts them).
 */
static json_t *child_private_end(const struct series *cz)
{
	int64_t sum = -1;
	for (size_t j = 0; j < cz->nlast; j++)
		if (cz->last[j].anon_exclusive >= 0)
			sum = (sum < 0 ? 0 : sum) + cz->last[j].anon_exclusive;
	return sum >= 0 ? json_integer(sum) : json_null();
}

/*
 * faultline's own private pages in the child at its end (its buffers, its
 * data and .bss, in pages): the kernel's Private_Dirty counts them beside
 * child_private_end, which is the program's alone. null when not measured.
 */
static json_t *child_shim_private_end(const struct fl_proc *c)
{
	const struct fl_counters *k = fl_proc_last_counters(c);
	return k && k->shim_private >= 0 ? json_integer(k->shim_private / PAGE) : json_null();
}

/* When the child exec'd, in ns after its start (-1: never), and what it ran. */
static int64_t exec_after(const struct fl_proc *c, const char **path)
{
	*path = "";
	for (size_t i = 0; i < c->nchildren; i++) {
		const struct fl_proc *e = c->children[i];
		if (e->link == FL_LINK_EXEC && e->start_realtime_ns >= c->start_realtime_ns) {
			*path = e->exe ? e->exe : "";
			return (int64_t)(e->start_realtime_ns - c->start_realtime_ns);
		}
	}
	if (c->nexecs) {
		*path = c->execs[0].path ? c->execs[0].path : "";
		return (int64_t)c->execs[0].t;
	}
	if (fl_proc_ended_by_exec(c))
		return (int64_t)c->exit.t;
	return -1;
}

static json_t *one_fork(const struct fl_model *m, const struct fl_proc *p,
			const struct fl_fault_summary *pfi, const struct series *pz,
			const struct cow_fork *f, const struct frame_tally *pt, int top,
			json_t *sec)
{
	const struct fl_proc *c = f->c;
	char b1[32], b2[32];
	json_t *o = json_pack("{s:i, s:i, s:I, s:s}", "parent_pid", p->pid, "child_pid", f->child,
			      "t", (json_int_t)f->t, "kind", fl_link_name(f->kind));
	if (!c) {
		json_object_set_new(o, "child_traced", json_false());
		return o;
	}
	const struct fl_fault_summary *cfi = fl_faults_summary(m, c);
	struct series cz;
	struct frame_tally ct = {0, FL_T_NEVER, FL_T_NEVER, NULL, 0, 0, 0, 0, 0, 0};
	uint64_t t_next = pt->t_cow_end;
	series_build(c, &cz);
	frames_count(c, cfi, &ct, 1);
	int64_t shared = cz.n ? cz.shared[0] : -1, pshared = series_at(pz, f->t);
	int64_t shared_end = cz.n ? cz.shared[cz.n - 1] : -1;
	uint64_t cc_samples = cow_faults(c, cfi, 0, FL_T_NEVER, 0, UINT64_MAX);
	uint64_t pc_samples = cow_faults(p, pfi, f->t, t_next, 0, UINT64_MAX);
	int pfn = tally_known(&ct) && tally_known(pt);
	uint64_t cc = pfn ? ct.frames + ct.tail : cc_samples;
	uint64_t pc = pfn ? pt->frames + pt->tail : pc_samples;
	const char *exec_path;
	int64_t exec_ns = exec_after(c, &exec_path);
	int fork_exec = exec_ns >= 0 && (uint64_t)exec_ns <= FL_COW_EXEC_NS;
	json_object_set_new(o, "child_traced", json_true());
	json_object_set_new(o, "child_exe", json_string(c->exe ? c->exe : ""));
	json_object_set_new(o, "shared_at_fork", shared >= 0 ? json_integer(shared) : json_null());
	json_object_set_new(o, "parent_shared_at_fork",
			    pshared >= 0 ? json_integer(pshared) : json_null());
	json_object_set_new(o, "copied_by_child", json_integer((json_int_t)cc));
	json_object_set_new(o, "copied_by_parent", json_integer((json_int_t)pc));
	json_object_set_new(o, "copied_method",
			    json_string(!pfn		      ? "fault_samples"
					: ct.tail || pt->tail ? "pfn+fault_samples"
							      : "pfn"));
	json_object_set_new(o, "copied_by_child_unread",
			    json_integer((json_int_t)(pfn ? ct.tail : 0)));
	json_object_set_new(o, "copied_by_parent_unread",
			    json_integer((json_int_t)(pfn ? pt->tail : 0)));
	json_object_set_new(o, "copied_by_child_samples", json_integer((json_int_t)cc_samples));
	json_object_set_new(o, "copied_by_parent_samples", json_integer((json_int_t)pc_samples));
	json_object_set_new(o, "copied_by_child_estimated",
			    json_integer((json_int_t)cow_estimated(c, cfi, 0, FL_T_NEVER)));
	json_object_set_new(o, "copied_by_parent_estimated",
			    json_integer((json_int_t)cow_estimated(p, pfi, f->t, t_next)));
	json_object_set_new(o, "copied_by_child_pct", json_real(pct(cc, shared)));
	json_object_set_new(o, "copied_by_parent_pct", json_real(pct(pc, shared)));
	json_object_set_new(o, "bytes_copied", json_integer((json_int_t)((cc + pc) * PAGE)));
	json_object_set_new(o, "shared_end",
			    shared_end >= 0 ? json_integer(shared_end) : json_null());
	json_object_set_new(o, "child_private_end", child_private_end(&cz));
	json_object_set_new(o, "child_shim_private_end", child_shim_private_end(c));
	json_object_set_new(o, "shared_end_pct",
			    shared_end >= 0 && shared > 0
				? json_real(pct((uint64_t)shared_end, shared))
				: json_null());
	json_object_set_new(o, "exec_after_ns", exec_ns >= 0 ? json_integer(exec_ns) : json_null());
	json_object_set_new(o, "fork_exec", json_boolean(fork_exec));
	json_object_set_new(o, "pte_bytes_at_fork",
			    pte_at(p, f->t) >= 0 ? json_integer(pte_at(p, f->t)) : json_null());
	json_object_set_new(o, "by_vma", by_vma(p, pfi, &cz, cfi, f->t, t_next, &ct, pt, top));
	json_object_set_new(o, "over_time", decay(p, pz, &cz, f->t));
	if (shared > 0 && cc + pc >= 16)
		fl_explain_add(sec, "cow.copied", FL_SEV_INFO, FL_MECH_COW,
			       "fork %d -> %d: %lld pages shared at fork; the child copied %.1f%%, "
			       "the parent %.1f%% (%s copied)",
			       p->pid, c->pid, (long long)shared, pct(cc, shared), pct(pc, shared),
			       fl_fmt_bytes(b1, sizeof(b1), (double)((cc + pc) * PAGE)));
	if (fork_exec) {
		int64_t pte = pte_at(p, f->t);
		fl_explain_add(
		    sec, "cow.fork_exec", FL_SEV_WARN, FL_MECH_FORK_EXEC,
		    "fork %d -> %d exec'd %s after %.1f ms: the fork copied %s of page "
		    "tables and write-protected %lld shared pages; the parent took %llu "
		    "copy-on-write faults meanwhile; posix_spawn or vfork would avoid it",
		    p->pid, c->pid, exec_path, (double)exec_ns / 1e6,
		    pte >= 0 ? fl_fmt_bytes(b2, sizeof(b2), (double)pte) : "an unknown size",
		    (long long)(shared > 0 ? shared : 0), (unsigned long long)pc);
	}
	series_release(&cz);
	free(ct.v);
	return o;
}

/*
 * The parent's window of each fork: its frame count runs until its next fork
 * (which takes the frames anew); its COW faults count only while the child
 * lives (after that, nothing is shared).
 */
static struct frame_tally *parent_windows(const struct fl_proc *p, const struct cow_fork *fv,
					  size_t n)
{
	struct frame_tally *w = fl_xcalloc(n, sizeof(*w));
	for (size_t k = 0; k < n; k++) {
		uint64_t cend = fv[k].c ? child_end_in_parent(p, fv[k].c) : FL_T_NEVER;
		w[k].t_from = fv[k].t;
		w[k].t_limit = k + 1 < n ? fv[k + 1].t : FL_T_NEVER;
		w[k].t_cow_end = cend < w[k].t_limit ? cend : w[k].t_limit;
	}
	return w;
}

json_t *fl_report_cow(const struct fl_model *m, const struct fl_report_opts *o)
{
	json_t *sec = json_object(), *forks = json_array();
	json_object_set_new(sec, "findings", json_array());
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct fl_proc *p = m->procs[i];
		size_t n;
		struct cow_fork *fv;
		if (!fl_report_selected(o, p))
			continue;
		fv = collect_forks(p, &n);
		if (n) {
			const struct fl_fault_summary *pfi = fl_faults_summary(m, p);
			struct frame_tally *pt = parent_windows(p, fv, n);
			struct series pz;
			series_build(p, &pz);
			frames_count(p, pfi, pt, n);
			for (size_t k = 0; k < n; k++) {
				json_array_append_new(
				    forks, one_fork(m, p, pfi, &pz, &fv[k], &pt[k], o->top, sec));
				free(pt[k].v);
			}
			free(pt);
			series_release(&pz);
		}
		free(fv);
	}
	json_object_set_new(sec, "forks", forks);
	return sec;
}

static const char *method_words(json_t *k, char *b, size_t len)
{
	const char *m = json_string_value(json_object_get(k, "copied_method"));
	if (!m || !strcmp(m, "fault_samples"))
		return "from fault samples";
	if (!strcmp(m, "pfn"))
		return "by page frame";
	snprintf(b, len, "by page frame, %lld of them from fault samples: unmapped before read",
		 fl_jint(k, "copied_by_child_unread") + fl_jint(k, "copied_by_parent_unread"));
	return b;
}

void fl_report_cow_text(json_t *sec, FILE *f)
{
	size_t i, j;
	json_t *k, *r;
	char b1[32], end[96], fit[128], how[128];
	if (!json_array_size(json_object_get(sec, "forks")))
		fprintf(f, "no fork in this trace\n");
	json_array_foreach(json_object_get(sec, "forks"), i, k)
	{
		fprintf(f, "fork %lld -> %lld at %.3f s", fl_jint(k, "parent_pid"),
			fl_jint(k, "child_pid"), (double)fl_jint(k, "t") / 1e9);
		if (!json_is_true(json_object_get(k, "child_traced"))) {
			fprintf(f, ": child not traced\n");
			continue;
		}
		fputc('\n', f);
		if (json_is_integer(json_object_get(k, "shared_end")))
			snprintf(end, sizeof(end), "; still shared at the end %lld (%.1f%%)",
				 fl_jint(k, "shared_end"),
				 json_real_value(json_object_get(k, "shared_end_pct")));
		else
			end[0] = '\0';
		fl_text_printf(
		    f, "  ",
		    "  %lld pages shared at fork; copied by child %lld (%.1f%%), by parent "
		    "%lld (%.1f%%); %s copied (%s)%s",
		    fl_jint(k, "shared_at_fork"), fl_jint(k, "copied_by_child"),
		    json_real_value(json_object_get(k, "copied_by_child_pct")),
		    fl_jint(k, "copied_by_parent"),
		    json_real_value(json_object_get(k, "copied_by_parent_pct")),
		    fl_fmt_bytes(b1, sizeof(b1), (double)fl_jint(k, "bytes_copied")),
		    method_words(k, how, sizeof(how)), end);
		json_array_foreach(json_object_get(k, "by_vma"), j, r)
		{
			if (j >= 5 || fl_jint(r, "shared_at_fork") < 16)
				break;
			const char *path = json_string_value(json_object_get(r, "path"));
			fprintf(
			    f, "  %s %-22.22s shared %7lld  child %7lld  parent %7lld  end %7lld\n",
			    json_string_value(json_object_get(r, "start")),
			    path && *path ? fl_fit_path(fit, sizeof(fit), path, 22) : "[anon]",
			    fl_jint(r, "shared_at_fork"), fl_jint(r, "copied_by_child"),
			    fl_jint(r, "copied_by_parent"), fl_jint(r, "shared_end"));
		}
	}
	fl_findings_render(sec, f);
}
