/*
 * Replays one trace file into a struct fl_proc. Lines from different
 * threads arrive in drain order, so mapping events are collected with their
 * seq and sorted before they are replayed; the heap lines are replayed as
 * they come while they come in seq order, and collected and sorted once
 * they do not (a free may be written before the alloc it frees): see
 * model/heap_replay.h.
 */
#include "model/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"
#include "model/aspace.h"
#include "model/heap_replay.h"
#include "model/load_alloc.h"
#include "model/load_faults.h"
#include "model/load_io.h"
#include "model/load_counters.h"
#include "model/push.h"
#include "model/shimlibs.h"
#include "read/reader.h"
#include "util/diag.h"
#include "util/xalloc.h"

struct loader {
	struct fl_model *m;
	struct fl_proc *p;
	struct fl_heap_stream heap; /* the frees, replayed as they come (model/heap_replay.h) */
	struct fl_seqs block_seq;   /* seq of each block's allocation, parallel to p->blocks */
	size_t capblocks;
	size_t capmaps, capcalls, capheap, capfaults, capwss, capforks, capexecs, capwaits,
	    capnotes, capstacks, capsites;
	struct fl_site *site_tmp; /* by stack id (sparse) */
	size_t ncalls_unsorted;
	/* The last "fn" of a heap line and its enum fl_fn: nearly every line repeats it. */
	char fn_text[24];
	size_t fn_len; /* 0: nothing cached */
	int fn_k;
	struct fl_fault_batch batch;  /* the fault samples of the line being read */
	struct fl_load_io io_line;    /* the io line being read, before it is encoded */
	struct fl_residency res_line; /* the residency line being read, likewise */
	size_t capres_line;
	uint64_t faults_last_t;
	int faults_unsorted;
};

#define PUSH(ld, arr, n, cap) FL_PUSH((ld)->p->arr, (ld)->p->n, (ld)->cap)

static const char *jstr(struct loader *ld, const json_t *o, const char *key)
{
	return fl_model_intern(ld->m, fl_json_get_str(o, key));
}

static void load_header(struct loader *ld, json_t *o)
{
	struct fl_proc *p = ld->p;
	json_t *parent = json_object_get(o, FL_K_PARENT), *tlb, *probes, *opt, *v;
	const char *k;
	p->header = json_incref(o);
	p->pid = (int32_t)fl_json_get_int(o, FL_K_PID, -1);
	p->ppid = (int32_t)fl_json_get_int(o, FL_K_PPID, -1);
	p->uid = (int32_t)fl_json_get_int(o, FL_K_UID, -1);
	p->parent_pid = (int32_t)fl_json_get_int(parent, FL_K_PID, p->ppid);
	p->link = fl_link_from_name(fl_json_get_str(parent, FL_K_KIND));
	p->parent_t = (uint64_t)fl_json_get_int(parent, FL_K_TIME, 0);
	p->parent_seq = (uint64_t)fl_json_get_int(parent, FL_K_SEQ, 0);
	p->exe = jstr(ld, o, FL_K_EXE);
	p->argv = json_object_get(o, FL_K_ARGV);
	p->start_realtime_ns = (uint64_t)fl_json_get_int(o, FL_K_START_REALTIME, 0);
	p->start_monotonic_ns = (uint64_t)fl_json_get_int(o, FL_K_START_MONOTONIC, 0);
	p->page_size = fl_json_get_int(o, FL_K_PAGE_SIZE, 4096);
	p->mem_total = fl_json_get_int(o, FL_K_MEM_TOTAL, -1);
	p->swap_total = fl_json_get_int(o, FL_K_SWAP_TOTAL, -1);
	p->overcommit = fl_json_get_int(o, FL_K_OVERCOMMIT, -1);
	p->rlimit_stack = fl_json_get_int(o, FL_K_RLIMIT_STACK, -1);
	p->ncpu = fl_json_get_int(o, FL_K_NCPU, -1);
	p->kernel = jstr(ld, o, FL_K_KERNEL);
	p->cpu = jstr(ld, o, FL_K_CPU);
	p->thp = jstr(ld, o, FL_K_THP);
	tlb = json_object_get(o, FL_K_TLB);
	p->tlb.l1d_4k = fl_json_get_int(tlb, "l1d_4k", -1);
	p->tlb.l1d_2m = fl_json_get_int(tlb, "l1d_2m", -1);
	p->tlb.l2_4k = fl_json_get_int(tlb, "l2_4k", -1);
	p->tlb.l2_2m = fl_json_get_int(tlb, "l2_2m", -1);
	p->tlb.l2_1g = fl_json_get_int(tlb, "l2_1g", -1);
	p->tlb.source = jstr(ld, tlb, "source");
	probes = json_object_get(o, FL_K_PROBES);
	if (json_is_object(probes)) {
		p->probes = fl_xcalloc(json_object_size(probes) + 1, sizeof(*p->probes));
		json_object_foreach(probes, k, v)
		{
			struct fl_probe *pr = &p->probes[p->nprobes++];
			pr->name = fl_model_intern(ld->m, k);
			pr->ok = json_is_true(json_object_get(v, "ok"));
			pr->err = (int)fl_json_get_int(v, FL_K_ERRNO, 0);
			pr->why = jstr(ld, v, FL_K_WHY);
		}
	}
	opt = json_object_get(o, FL_K_OPTIONS);
	p->options = opt;
	p->opt_sample = fl_json_get_int(opt, "sample", -1);
	p->opt_large = fl_json_get_int(opt, "large", -1);
	p->opt_all = json_is_true(json_object_get(opt, "all")) || p->opt_sample == 1;
	p->opt_run = (int32_t)fl_json_get_int(opt, FL_K_OPT_RUN, 0);
}

static int cmp_vma(const void *a, const void *b)
{
	const struct fl_vma *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The shim writes an object's build-id on its first mapping only (sorted
 * by address: the lowest). Its other mappings follow it, with at most
 * anonymous ones (.bss) in between: they get the same id. */
static void share_build_ids(struct fl_maps_snap *s)
{
	for (size_t i = 0; i < s->nvmas; i++) {
		const struct fl_vma *o = &s->vmas[i];
		if (!o->build_id)
			continue;
		for (size_t j = i + 1; j < s->nvmas; j++) {
			struct fl_vma *v = &s->vmas[j];
			if (v->path == o->path && v->inode == o->inode && !v->build_id)
				v->build_id = o->build_id;
			else if (v->path && v->path[0])
				break;
		}
	}
}

static void load_maps(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_maps_snap *s = PUSH(ld, maps, nmaps, capmaps);
	json_t *vmas = json_object_get(o, FL_K_VMAS), *shim = json_object_get(o, FL_K_SHIM), *r;
	size_t i;
	s->t = t;
	s->why = jstr(ld, o, FL_K_WHY);
	s->nvmas = json_array_size(vmas);
	s->vmas = fl_xcalloc(s->nvmas + 1, sizeof(*s->vmas));
	json_array_foreach(vmas, i, r)
	{
		struct fl_vma *v = &s->vmas[i];
		v->start = fl_json_addr(json_array_get(r, 0));
		v->end = fl_json_addr(json_array_get(r, 1));
		snprintf(v->perms, sizeof(v->perms), "%s", json_string_value(json_array_get(r, 2)));
		v->offset = fl_json_addr(json_array_get(r, 3));
		v->inode = (uint64_t)json_integer_value(json_array_get(r, 4));
		v->path = fl_model_intern(ld->m, json_string_value(json_array_get(r, 5)));
		v->kind = (uint8_t)fl_vma_classify(v->perms, v->path, v->inode);
		if (json_is_string(json_array_get(r, 6)))
			v->build_id =
			    fl_model_intern(ld->m, json_string_value(json_array_get(r, 6)));
	}
	qsort(s->vmas, s->nvmas, sizeof(*s->vmas), cmp_vma);
	share_build_ids(s);
	s->nshim = json_array_size(shim);
	s->shim = fl_xcalloc(s->nshim + 1, sizeof(*s->shim));
	json_array_foreach(shim, i, r)
	{
		s->shim[i].start = fl_json_addr(json_array_get(r, 0));
		s->shim[i].end = fl_json_addr(json_array_get(r, 1));
		/* when the shim mapped it (older traces: from the start) */
		if (json_is_integer(json_array_get(r, 2)) &&
		    json_integer_value(json_array_get(r, 2)) > 0)
			s->shim[i].val = (uint64_t)json_integer_value(json_array_get(r, 2));
		if (s->shim[i].end > s->shim[i].start)
			s->shim_bytes += s->shim[i].end - s->shim[i].start;
	}
	for (i = 0; i < s->nvmas; i++)
		if (s->vmas[i].path && strstr(s->vmas[i].path, "/libfaultline.so")) {
			s->vmas[i].kind = FL_VMA_SHIM;
			s->shim_bytes += s->vmas[i].end - s->vmas[i].start;
			s->shim_image_bytes += s->vmas[i].end - s->vmas[i].start;
		}
}

/*
 * Stacks are kept dense, in the order they come, and sorted by id once the
 * file is read (finish_proc): an id is a value from the trace, and indexing
 * an array by it would size the array by that value (id 2^32-1: 64 GiB).
 */
static void load_stack(struct loader *ld, json_t *o)
{
	uint64_t id = (uint64_t)fl_json_get_int(o, FL_K_ID, 0);
	json_t *frames = json_object_get(o, FL_K_FRAMES), *f;
	struct fl_stack *s;
	uint64_t *v;
	size_t i, n = json_array_size(frames);
	if (id == 0 || id > UINT32_MAX)
		return;
	s = PUSH(ld, stacks, nstacks, capstacks);
	v = fl_model_alloc(ld->m, (n ? n : 1) * sizeof(*v));
	json_array_foreach(frames, i, f) v[i] = fl_json_addr(f);
	s->id = (uint32_t)id;
	s->nframes = (uint32_t)n;
	s->frames = v;
}

static void add_free(struct loader *ld, uint64_t seq, uint64_t t, uint64_t addr, int by)
{
	fl_heap_stream_free(&ld->heap, ld->p, seq, t, addr, by);
}

/*
 * A line's fault samples: kept when the load asks for them
 * (fl_model_keep_samples), else only counted, with their first and last t
 * and whether they came in time order, for fl_proc_faults_each to read
 * them again.
 */
static void take_samples(struct loader *ld)
{
	struct fl_proc *p = ld->p;
	for (size_t i = 0; i < ld->batch.n; i++) {
		const struct fl_fault *x = &ld->batch.v[i];
		if (p->nfaults && x->t < ld->faults_last_t)
			ld->faults_unsorted = 1;
		if (!p->nfaults || x->t < p->faults_t_first)
			p->faults_t_first = x->t;
		if (!p->nfaults || x->t > p->faults_t_last)
			p->faults_t_last = x->t;
		ld->faults_last_t = x->t;
		if (fl_model_keep_samples) {
			struct fl_fault *f = PUSH(ld, faults, nfaults, capfaults);
			*f = *x;
		} else {
			p->nfaults++;
		}
	}
}

/* The periodic events, when the fast path took them (else on_event does). */
static void flat_faults(struct loader *ld, const struct fl_flat *f)
{
	ld->p->faults_period = (uint64_t)fl_flat_int(f, FL_K_PERIOD, 1);
	ld->p->faults_lost += (uint64_t)fl_flat_int(f, FL_K_LOST, 0);
	fl_load_faults_flat(&ld->batch, f);
	take_samples(ld);
}

/* A residency row's page counts, bounded like the counters (in pages). */
static void bound_region(struct fl_res_region *g)
{
	int64_t *v[] = {&g->present,	    &g->swapped,     &g->file,
			&g->anon_exclusive, &g->anon_shared, &g->huge,
			&g->written,	    &g->referenced,  &g->moved};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] = *v[i] < -1		       ? -1
			: *v[i] > FL_MAX_FIGURE / 4096 ? FL_MAX_FIGURE / 4096
						       : *v[i];
}

static void flat_counters(struct loader *ld, const struct fl_flat *f, uint64_t t)
{
	struct fl_counters c;
	fl_load_counters_flat(&c, f);
	c.t = t;
	fl_counters_store_add(&ld->p->counters, &c);
	ld->p->ncounters++;
}

/* A residency line of n regions, zeroed in the loader's scratch, to fill then add_residency. */
static struct fl_residency *res_line(struct loader *ld, uint64_t t, const char *method, size_t n)
{
	struct fl_residency *s = &ld->res_line;
	if (n > ld->capres_line) {
		free(s->regions);
		s->regions = fl_xmalloc(n * sizeof(*s->regions));
		ld->capres_line = n;
	}
	if (n)
		memset(s->regions, 0, n * sizeof(*s->regions));
	s->t = t;
	s->method = method;
	s->nregions = n;
	return s;
}

static void add_residency(struct loader *ld)
{
	fl_residency_store_add(&ld->p->residency, &ld->res_line);
	ld->p->nresidency++;
}

static void flat_residency(struct loader *ld, const struct fl_flat *f, uint64_t t)
{
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_REGIONS);
	struct fl_residency *s = res_line(
	    ld, t, fl_load_flat_str(ld->m, fl_flat_get(f, FL_K_METHOD)), fl_load_flat_rows(rows));
	struct fl_flat_row r;
	size_t pos = 0, i = 0;
	while (rows && fl_flat_row_next(rows, &pos, &r) && i < s->nregions) {
		struct fl_res_region *g = &s->regions[i++];
		g->start = fl_flat_row_addr(&r, 0);
		g->end = fl_flat_row_addr(&r, 1);
		g->present = fl_flat_row_int(&r, 2, -1);
		g->swapped = fl_flat_row_int(&r, 3, -1);
		g->file = fl_flat_row_int(&r, 4, -1);
		g->anon_exclusive = fl_flat_row_int(&r, 5, -1);
		g->anon_shared = fl_flat_row_int(&r, 6, -1);
		g->huge = fl_flat_row_int(&r, 7, -1);
		g->written = fl_flat_row_int(&r, 8, -1);
		g->referenced = fl_flat_row_int(&r, 9, -1);
		g->moved = fl_flat_row_int(&r, 10, -1);
		bound_region(g);
	}
	add_residency(ld);
}

static int64_t val_int(const struct fl_flat_val *v, int64_t dflt)
{
	return v && v->type == 'i' ? v->i : dflt;
}

/* fl_fn_from_name of a heap line's "fn" (-1 when absent or unknown), cached. */
static int flat_fn(struct loader *ld, const struct fl_flat_val *v)
{
	char fn[sizeof(ld->fn_text)];
	size_t n;
	int k;
	if (!v || v->type != 's')
		return -1;
	if (v->slen == ld->fn_len && !memcmp(v->s, ld->fn_text, v->slen))
		return ld->fn_k;
	n = v->slen < sizeof(fn) - 1 ? v->slen : sizeof(fn) - 1;
	memcpy(fn, v->s, n);
	fn[n] = 0;
	k = fl_fn_from_name(fn);
	if (v->slen && v->slen < sizeof(ld->fn_text)) {
		memcpy(ld->fn_text, v->s, v->slen);
		ld->fn_len = v->slen;
		ld->fn_k = k;
	}
	return k;
}

/* One heap call, whichever way it was read (a line of its own or a compact heap line). */
struct heap_call {
	enum fl_ev ev;
	int fn; /* enum fl_fn, -1 when absent or unknown */
	int32_t tid;
	uint32_t stack;
	uint64_t t, seq, addr, old_addr, size, weight;
	struct fl_charge charge;
};

/* The block an alloc or realloc allocated (its address is not 0). */
static void add_block(struct loader *ld, const struct heap_call *c)
{
	struct fl_proc *p = ld->p;
	struct fl_block *b;
	int k = c->fn;
	if (k < 0)
		k = c->ev == FL_E_REALLOC ? FL_FN_REALLOC : FL_FN_MALLOC;
	fl_seqs_push(&ld->block_seq, c->seq);
	b = FL_PUSH(p->blocks, p->nblocks, ld->capblocks);
	fl_block_set(p, b,
		     &(struct fl_block_fields){.addr = c->addr,
					       .size = c->size,
					       .weight = c->weight,
					       .t_alloc = c->t,
					       .stack = c->stack,
					       .tid = c->tid,
					       .fn = k,
					       .charge = c->charge});
	fl_heap_stream_alloc(&ld->heap, p, &ld->block_seq);
}

/* alloc, free and realloc: the hot events. */
static void heap_call(struct loader *ld, const struct heap_call *c)
{
	struct fl_proc *p = ld->p;
	p->nevents++;
	/* on_heap() sets only ev, t, seq and addr of a free, the hot path of a
	 * one-line-per-call trace: cppcheck takes c for uninitialised */
	/* cppcheck-suppress ctuuninitvar */
	if (c->t > p->end_t)
		p->end_t = c->t;
	if (c->ev == FL_E_FREE) {
		add_free(ld, c->seq, c->t, c->addr, FL_FN_FREE);
		return;
	}
	if (c->ev == FL_E_REALLOC && c->old_addr)
		add_free(ld, c->seq, c->t, c->old_addr, FL_FN_REALLOC);
	if (c->addr)
		add_block(ld, c);
	/* else it failed, or was a realloc(p, 0) that only freed */
}

/* An alloc, free or realloc line. */
static void flat_heap(struct loader *ld, const struct fl_flat *f)
{
	struct fl_heap_line h;
	struct heap_call c;
	fl_load_heap_fields(f, &h);
	/* a free's other fields are never read; zeroed all the same */
	c = (struct heap_call){
	    .ev = f->ev,
	    .t = (uint64_t)val_int(h.t, 0),
	    .seq = (uint64_t)val_int(h.seq, (int64_t)ld->p->nevents),
	    .addr = fl_flat_val_addr(h.addr),
	    .old_addr = f->ev == FL_E_REALLOC ? fl_flat_val_addr(h.old_addr) : 0,
	};
	if (f->ev != FL_E_FREE && c.addr) {
		c.fn = flat_fn(ld, h.fn);
		c.size = (uint64_t)val_int(h.size, 0);
		c.weight = (uint64_t)val_int(h.weight, (int64_t)c.size);
		c.stack = (uint32_t)val_int(h.stack, 0);
		c.tid = (int32_t)val_int(h.tid, 0);
		c.charge = fl_load_charge_flat(h.committed, h.limit);
	}
	heap_call(ld, &c);
}

/* A call of a compact heap line, decoded by the reader: typed, no keys to find. */
static int on_heap(void *ctx, const struct fl_heap_call *r)
{
	struct loader *ld = ctx;
	struct heap_call c;
	c.ev = r->ev;
	c.t = r->t;
	c.seq = r->seq;
	c.addr = r->addr;
	if (r->ev == FL_E_FREE) {
		heap_call(ld, &c); /* a free's other fields are never read */
		return 0;
	}
	c.old_addr = r->ev == FL_E_REALLOC ? r->old_addr : 0;
	c.fn = r->fn; /* enum fl_fn follows FL_CALLS */
	c.size = r->size;
	c.weight = (uint64_t)r->weight;
	c.stack = (uint32_t)r->stack;
	c.tid = (int32_t)r->tid;
	c.charge = (struct fl_charge){0, 0}; /* none on these lines */
	heap_call(ld, &c);
	return 0;
}

/* The events delivered flat (see reader.h): the heap calls and the periodic events. */
static int on_flat(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	struct loader *ld = ctx;
	struct fl_proc *p = ld->p;
	uint64_t t;
	(void)loc;
	if (f->ev == FL_E_ALLOC || f->ev == FL_E_FREE || f->ev == FL_E_REALLOC) {
		flat_heap(ld, f);
		return 0;
	}
	t = (uint64_t)fl_flat_int(f, FL_K_TIME, 0);
	p->nevents++;
	if (t > p->end_t)
		p->end_t = t;
	switch (f->ev) {
	case FL_E_FAULTS:
		flat_faults(ld, f);
		return 0;
	case FL_E_COUNTERS:
		flat_counters(ld, f, t);
		return 0;
	case FL_E_RESIDENCY:
		flat_residency(ld, f, t);
		return 0;
	case FL_E_IO:
		fl_load_io_flat(&ld->io_line, ld->m, ld->p, f, t);
		return 0;
	default:
		return 0;
	}
}

static void load_call(struct loader *ld, json_t *o, enum fl_ev ev, uint64_t t, uint64_t seq)
{
	struct fl_map_call *c = PUSH(ld, calls, ncalls, capcalls);
	static const uint8_t fn_of[FL_E_COUNT] = {
	    [FL_E_MMAP] = FL_FN_MMAP,	    [FL_E_MUNMAP] = FL_FN_MUNMAP,
	    [FL_E_MREMAP] = FL_FN_MREMAP,   [FL_E_MPROTECT] = FL_FN_MPROTECT,
	    [FL_E_MADVISE] = FL_FN_MADVISE, [FL_E_BRK] = FL_FN_BRK};
	json_t *res = json_object_get(o, FL_K_RESULT);
	c->t = t;
	c->seq = seq;
	c->fn = fn_of[ev];
	if (ev == FL_E_BRK && fl_fn_from_name(fl_json_get_str(o, FL_K_FUNC)) == FL_FN_SBRK)
		c->fn = FL_FN_SBRK;
	c->addr = fl_json_get_addr(o, FL_K_ADDR);
	c->size = (uint64_t)fl_json_get_int(o, FL_K_SIZE, 0);
	c->old_addr = fl_json_get_addr(o, FL_K_OLD_ADDR);
	c->old_size = (uint64_t)fl_json_get_int(o, FL_K_OLD_SIZE, 0);
	c->result = json_is_integer(res) ? (uint64_t)json_integer_value(res) : fl_json_addr(res);
	c->offset = fl_json_get_int(o, FL_K_OFFSET, 0);
	c->stack = (uint32_t)fl_json_get_int(o, FL_K_STACK, 0);
	c->tid = (int32_t)fl_json_get_int(o, FL_K_TID, 0);
	c->prot = (int32_t)fl_json_get_int(o, FL_K_PROT, -1);
	c->flags = (int32_t)fl_json_get_int(o, FL_K_FLAGS, -1);
	c->fd = (int32_t)fl_json_get_int(o, FL_K_FD, -1);
	c->advice = (int32_t)fl_json_get_int(o, FL_K_ADVICE, -1);
	c->err = (int32_t)fl_json_get_int(o, FL_K_ERRNO, 0);
	c->path = jstr(ld, o, FL_K_PATH);
	c->charge = fl_load_charge_json(o);
	fl_load_failed_mmap(ld->p, c);
}

static void load_counters(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_counters c;
	fl_load_counters_json(&c, o);
	c.t = t;
	fl_counters_store_add(&ld->p->counters, &c);
	ld->p->ncounters++;
}

static void load_heap_tick(struct loader *ld, json_t *o, uint64_t t, uint64_t seq)
{
	fl_heap_stream_barrier(&ld->heap, ld->p, seq); /* a tick's, after every buffer */
	struct fl_heap_tick *h = PUSH(ld, heap, nheap, capheap);
	json_t *calls = json_object_get(o, FL_K_CALLS), *bytes = json_object_get(o, FL_K_BYTES), *v;
	const char *k;
	memset(h, 0, sizeof(*h));
	h->t = t;
	json_object_foreach(calls, k, v)
	{
		int fn = fl_fn_from_name(k);
		if (fn >= 0 && json_is_integer(v))
			h->calls[fn] = (uint64_t)json_integer_value(v);
	}
	json_object_foreach(bytes, k, v)
	{
		int fn = fl_fn_from_name(k);
		if (fn >= 0 && json_is_integer(v))
			h->bytes[fn] = (uint64_t)json_integer_value(v);
	}
	h->live = (uint64_t)fl_json_get_int(o, FL_K_LIVE, 0);
	h->peak = (uint64_t)fl_json_get_int(o, FL_K_PEAK, 0);
}

static void load_sites(struct loader *ld, json_t *o)
{
	json_t *rows = json_object_get(o, "sites"), *r;
	size_t i;
	json_array_foreach(rows, i, r)
	{
		uint64_t id = (uint64_t)json_integer_value(json_array_get(r, 0));
		struct fl_site *s = NULL;
		/* Sites are cumulative: the last line per site wins. Linear probe on a small index.
		 */
		for (size_t j = ld->p->nsites; j-- > 0;)
			if (ld->p->sites[j].stack == id) {
				s = &ld->p->sites[j];
				break;
			}
		if (!s)
			s = PUSH(ld, sites, nsites, capsites);
		s->stack = (uint32_t)id;
		s->allocs = (uint64_t)json_integer_value(json_array_get(r, 1));
		s->frees = (uint64_t)json_integer_value(json_array_get(r, 2));
		s->bytes = (uint64_t)json_integer_value(json_array_get(r, 3));
		s->live = (uint64_t)json_integer_value(json_array_get(r, 4));
		s->peak = (uint64_t)json_integer_value(json_array_get(r, 5));
	}
}

static void load_faults(struct loader *ld, json_t *o)
{
	ld->p->faults_period = (uint64_t)fl_json_get_int(o, FL_K_PERIOD, 1);
	ld->p->faults_lost += (uint64_t)fl_json_get_int(o, FL_K_LOST, 0);
	fl_load_faults_json(&ld->batch, o);
	take_samples(ld);
}

static void load_residency(struct loader *ld, json_t *o, uint64_t t)
{
	json_t *rows = json_object_get(o, FL_K_REGIONS), *r;
	struct fl_residency *s = res_line(ld, t, jstr(ld, o, FL_K_METHOD), json_array_size(rows));
	size_t i;
	json_array_foreach(rows, i, r)
	{
		struct fl_res_region *g = &s->regions[i];
		g->start = fl_json_addr(json_array_get(r, 0));
		g->end = fl_json_addr(json_array_get(r, 1));
		g->present = json_integer_value(json_array_get(r, 2));
		g->swapped = json_integer_value(json_array_get(r, 3));
		g->file = json_integer_value(json_array_get(r, 4));
		g->anon_exclusive = json_integer_value(json_array_get(r, 5));
		g->anon_shared = json_integer_value(json_array_get(r, 6));
		g->huge = json_integer_value(json_array_get(r, 7));
		g->written = json_integer_value(json_array_get(r, 8));
		g->referenced = json_integer_value(json_array_get(r, 9));
		g->moved = json_is_integer(json_array_get(r, 10))
			       ? json_integer_value(json_array_get(r, 10))
			       : -1;
		bound_region(g);
	}
	add_residency(ld);
}

static void load_wss(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_wss *s = PUSH(ld, wss, nwss, capwss);
	json_t *rows = json_object_get(o, FL_K_REGIONS), *r;
	size_t i;
	s->t = t;
	s->method = jstr(ld, o, FL_K_METHOD);
	s->window_ns = (uint64_t)fl_json_get_int(o, "window_ns", 0);
	s->written = fl_json_get_int(o, "written", -1);
	s->nregions = json_array_size(rows);
	s->regions = fl_xcalloc(s->nregions ? s->nregions : 1, sizeof(*s->regions));
	json_array_foreach(rows, i, r)
	{
		s->regions[i].start = fl_json_addr(json_array_get(r, 0));
		s->regions[i].end = fl_json_addr(json_array_get(r, 1));
		s->regions[i].written = json_integer_value(json_array_get(r, 2));
	}
}

static void load_exit(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_exit *e = &ld->p->exit;
	e->present = 1;
	e->t = t;
	e->how = jstr(ld, o, FL_K_HOW);
	e->status = fl_json_get_int(o, FL_K_STATUS, -1);
	e->signal = fl_json_get_int(o, FL_K_SIGNAL, 0);
	e->ru_minflt = fl_json_get_int(o, FL_K_RU_MINFLT, -1);
	e->ru_majflt = fl_json_get_int(o, FL_K_RU_MAJFLT, -1);
	e->ru_utime_ns = fl_json_get_int(o, "ru_utime_ns", -1);
	e->ru_stime_ns = fl_json_get_int(o, "ru_stime_ns", -1);
	e->ru_maxrss_kb = fl_json_get_int(o, "ru_maxrss_kb", -1);
	if (e->ru_maxrss_kb > INT64_MAX / 1024)
		e->ru_maxrss_kb = -1; /* no machine has that: unknown, and bytes would overflow */
	e->ru_inblock = fl_json_get_int(o, FL_K_RU_INBLOCK, -1);
	if (e->ru_inblock > INT64_MAX / 512)
		e->ru_inblock = -1;
	e->children.minflt = fl_json_get_int(o, FL_K_RU_C_MINFLT, -1);
	e->children.majflt = fl_json_get_int(o, FL_K_RU_C_MAJFLT, -1);
	e->children.utime_ns = fl_json_get_int(o, FL_K_RU_C_UTIME, -1);
	e->children.stime_ns = fl_json_get_int(o, FL_K_RU_C_STIME, -1);
	e->children.inblock = fl_json_get_int(o, FL_K_RU_C_INBLOCK, -1);
	e->shim_cpu_ns = fl_json_get_int(o, FL_K_SHIM_CPU_NS, -1);
}

static void load_fork(struct loader *ld, json_t *o, uint64_t t, uint64_t seq)
{
	struct fl_fork_ev *f = PUSH(ld, forks, nforks, capforks);
	f->t = t;
	f->seq = seq;
	f->tid = (int32_t)fl_json_get_int(o, FL_K_TID, 0);
	f->child = (int32_t)fl_json_get_int(o, FL_K_CHILD, -1);
	f->kind = (uint8_t)fl_link_from_name(fl_json_get_str(o, FL_K_KIND));
	if (f->kind == FL_LINK_NONE)
		f->kind = FL_LINK_FORK;
}

static void load_exec(struct loader *ld, json_t *o, uint64_t t, uint64_t seq)
{
	struct fl_exec_ev *x = PUSH(ld, execs, nexecs, capexecs);
	json_t *argv = json_object_get(o, FL_K_ARGV);
	x->t = t;
	x->seq = seq;
	x->path = jstr(ld, o, FL_K_PATH);
	x->argv = argv ? json_incref(argv) : NULL;
	x->result = fl_json_get_int(o, FL_K_RESULT, 0);
	x->err = (int32_t)fl_json_get_int(o, FL_K_ERRNO, 0);
}

static void load_note(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_note *n = PUSH(ld, notes, nnotes, capnotes);
	n->t = t;
	n->what = jstr(ld, o, "what");
	n->why = jstr(ld, o, FL_K_WHY);
	n->n = fl_json_get_int(o, "n", -1);
}

/* Events the reader does not know; the model reads the parent's wait lines. */
static void load_unknown(struct loader *ld, json_t *o, uint64_t t)
{
	const char *e = fl_json_get_str(o, FL_K_EVENT);
	struct fl_wait_ev *w;
	if (!e || strcmp(e, FL_EV_WAIT))
		return;
	w = PUSH(ld, waits, nwaits, capwaits);
	fl_model_wait_of(o, t, w);
}

void fl_model_wait_of(json_t *o, uint64_t t, struct fl_wait_ev *w)
{
	w->t = t;
	w->child = (int32_t)fl_json_get_int(o, FL_K_CHILD, -1);
	w->status = fl_json_get_int(o, FL_K_STATUS, -1);
	w->signal = fl_json_get_int(o, FL_K_SIGNAL, 0);
	w->ru.minflt = fl_json_get_int(o, FL_K_RU_MINFLT, -1);
	w->ru.majflt = fl_json_get_int(o, FL_K_RU_MAJFLT, -1);
	w->ru.utime_ns = fl_json_get_int(o, FL_K_RU_UTIME, -1);
	w->ru.stime_ns = fl_json_get_int(o, FL_K_RU_STIME, -1);
	w->ru.inblock = fl_json_get_int(o, FL_K_RU_INBLOCK, -1);
	if (w->ru.inblock > INT64_MAX / 512)
		w->ru.inblock = -1;
}

static int on_event(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	struct loader *ld = ctx;
	struct fl_proc *p = ld->p;
	uint64_t t = (uint64_t)fl_json_get_int(o, FL_K_TIME, 0);
	uint64_t seq = (uint64_t)fl_json_get_int(o, FL_K_SEQ, (int64_t)p->nevents);
	(void)loc;
	p->nevents++;
	if (t > p->end_t)
		p->end_t = t;
	switch (ev) {
	case FL_E_HEADER:
		load_header(ld, o);
		break;
	case FL_E_MAPS:
		load_maps(ld, o, t);
		break;
	case FL_E_STACK:
		load_stack(ld, o);
		break;
	case FL_E_MMAP:
	case FL_E_MUNMAP:
	case FL_E_MREMAP:
	case FL_E_MPROTECT:
	case FL_E_MADVISE:
	case FL_E_BRK:
		load_call(ld, o, ev, t, seq);
		break;
	case FL_E_FORK:
		load_fork(ld, o, t, seq);
		break;
	case FL_E_EXEC:
		load_exec(ld, o, t, seq);
		break;
	case FL_E_EXIT:
		load_exit(ld, o, t);
		break;
	case FL_E_FAULTS:
		load_faults(ld, o);
		break;
	case FL_E_COUNTERS:
		load_counters(ld, o, t);
		break;
	case FL_E_RESIDENCY:
		load_residency(ld, o, t);
		break;
	case FL_E_WSS:
		load_wss(ld, o, t);
		break;
	case FL_E_IO:
		fl_load_io_json(&ld->io_line, ld->m, ld->p, o, t);
		break;
	case FL_E_HEAP:
		load_heap_tick(ld, o, t, seq);
		break;
	case FL_E_SITES:
		load_sites(ld, o);
		break;
	case FL_E_NOTE:
		load_note(ld, o, t);
		break;
	case FL_E_ALLOC_FAILED:
		fl_load_alloc_failed(p, o, t, seq);
		break;
	case FL_E_UNKNOWN:
		load_unknown(ld, o, t);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- after a file: order, replay the heap, build the indexes ---- */

#define SORT_BY(arr, n, field, cmp)                                                                \
	do {                                                                                       \
		size_t i_;                                                                         \
		for (i_ = 1; i_ < (n); i_++)                                                       \
			if ((arr)[i_ - 1].field > (arr)[i_].field)                                 \
				break;                                                             \
		if (i_ < (n))                                                                      \
			qsort((arr), (n), sizeof(*(arr)), cmp);                                    \
	} while (0)

#define CMP_FIELD(name, type, field)                                                               \
	static int name(const void *a, const void *b)                                              \
	{                                                                                          \
		const type *x = a, *y = b;                                                         \
		return x->field < y->field ? -1 : x->field > y->field;                             \
	}
CMP_FIELD(cmp_call, struct fl_map_call, seq)
CMP_FIELD(cmp_maps, struct fl_maps_snap, t)
CMP_FIELD(cmp_heapt, struct fl_heap_tick, t)
CMP_FIELD(cmp_fault, struct fl_fault, t)
CMP_FIELD(cmp_wss, struct fl_wss, t)
CMP_FIELD(cmp_site, struct fl_site, stack)

struct stack_at {
	struct fl_stack s;
	size_t at; /* its place in the file: a repeated id keeps the later line */
};

static int cmp_stack_at(const void *a, const void *b)
{
	const struct stack_at *x = a, *y = b;
	if (x->s.id != y->s.id)
		return x->s.id < y->s.id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorts the stacks by id for fl_proc_stack's search; the last line of a repeated id wins. */
static void sort_stacks(struct fl_proc *p)
{
	struct stack_at *v;
	size_t i, n = 0;
	for (i = 1; i < p->nstacks; i++)
		if (p->stacks[i - 1].id >= p->stacks[i].id)
			break;
	if (i >= p->nstacks)
		return;
	v = fl_xmalloc(p->nstacks * sizeof(*v));
	for (i = 0; i < p->nstacks; i++)
		v[i] = (struct stack_at){p->stacks[i], i};
	qsort(v, p->nstacks, sizeof(*v), cmp_stack_at);
	for (i = 0; i < p->nstacks; i++) {
		if (n && p->stacks[n - 1].id == v[i].s.id)
			n--;
		p->stacks[n++] = v[i].s;
	}
	p->nstacks = n;
	free(v);
}

/*
 * The libraries only the shim loaded (libunwind, libzstd and theirs: read
 * from the last maps snapshot's objects, model/shimlibs.h) are faultline's
 * like its own image: in every snapshot their VMAs, and the anonymous .bss
 * after each of them and after libfaultline.so, are the shim's, and their
 * bytes join shim_image_bytes, which the program's virtual size leaves out
 * (python3: 1.1 MiB of its peak_vsz).
 */
static void mark_shim_image(struct fl_maps_snap *s, struct fl_vma *v)
{
	v->kind = FL_VMA_SHIM;
	s->shim_bytes += v->end - v->start;
	s->shim_image_bytes += v->end - v->start;
}

/* Whether v is the anonymous rest of the object mapped just before it (its
 * .bss past the file's last page: no path, read-write, private). */
static int is_bss_of(const struct fl_vma *v, const struct fl_vma *obj)
{
	return v->start == obj->end && (!v->path || !v->path[0]) && !v->inode &&
	       !strcmp(v->perms, "rw-p") && obj->path && obj->path[0] == '/';
}

static void mark_shim_libs(struct fl_proc *p)
{
	struct fl_shimlibs libs = {0};
	if (!p->nmaps)
		return;
	fl_shimlibs_of(p, &p->maps[p->nmaps - 1], &libs);
	for (size_t m = 0; m < p->nmaps; m++) {
		struct fl_maps_snap *s = &p->maps[m];
		for (size_t i = 0; i < s->nvmas; i++) {
			struct fl_vma *v = &s->vmas[i];
			if (v->kind != FL_VMA_SHIM && fl_shimlibs_has(&libs, v->path))
				mark_shim_image(s, v);
			/* the .bss of those and of libfaultline.so itself */
			else if (i && v->kind != FL_VMA_SHIM &&
				 s->vmas[i - 1].kind == FL_VMA_SHIM &&
				 is_bss_of(v, &s->vmas[i - 1]))
				mark_shim_image(s, v);
		}
	}
	/* kept for the reports (fl_shimlibs_of_proc) */
	p->shim_libs = libs.paths;
	p->nshim_libs = libs.n;
}

static void finish_proc(struct loader *ld)
{
	struct fl_proc *p = ld->p;
	fl_heap_stream_finish(&ld->heap, p, &ld->block_seq);
	SORT_BY(p->calls, p->ncalls, seq, cmp_call);
	SORT_BY(p->maps, p->nmaps, t, cmp_maps);
	fl_counters_store_sort(&p->counters);
	SORT_BY(p->heap, p->nheap, t, cmp_heapt);
	if (p->faults) /* else fl_proc_faults_each sorts them when it reads them */
		SORT_BY(p->faults, p->nfaults, t, cmp_fault);
	fl_residency_store_sort(&p->residency);
	SORT_BY(p->wss, p->nwss, t, cmp_wss);
	fl_io_store_sort(&p->io);
	SORT_BY(p->sites, p->nsites, stack, cmp_site);
	fl_load_failed_finish(p);
	sort_stacks(p);
	mark_shim_libs(p);
	fl_aspace_index_calls(p);
	fl_aspace_timeline(p);
	/* The big arrays grew by doubling: give back the slack before the reports run. */
	if (p->nblocks)
		p->blocks = fl_xrealloc(p->blocks, p->nblocks * sizeof(*p->blocks));
	if (p->nblock_cold)
		p->block_cold = fl_xrealloc(p->block_cold, p->nblock_cold * sizeof(*p->block_cold));
	if (p->nfaults && p->faults)
		p->faults = fl_xrealloc(p->faults, p->nfaults * sizeof(*p->faults));
	p->faults_sorted = !ld->faults_unsorted;
	free(ld->batch.v);
	ld->batch.v = NULL;
	fl_load_io_release(&ld->io_line);
	free(ld->res_line.regions);
	ld->res_line.regions = NULL;
	if (p->exit.present && p->exit.t > p->end_t)
		p->end_t = p->exit.t;
}

struct fl_proc *fl_model_load_file(struct fl_model *m, const char *path)
{
	struct loader ld;
	struct fl_reader_ops ops = {.event = on_event,
				    .flat = on_flat,
				    .heap = on_heap,
				    .flat_mask =
					1u << FL_E_ALLOC | 1u << FL_E_FREE | 1u << FL_E_REALLOC,
				    .fast_mask = 1u << FL_E_FAULTS | 1u << FL_E_COUNTERS |
						 1u << FL_E_RESIDENCY | 1u << FL_E_IO};
	long r;
	unsigned long before = fl_error_count;
	memset(&ld, 0, sizeof(ld));
	ld.m = m;
	ld.p = fl_xcalloc(1, sizeof(*ld.p));
	fl_heap_stream_init(&ld.heap);
	ld.p->file = fl_model_intern(m, path);
	ld.p->key = fl_model_key_of(m, path);
	fl_imap_init(&ld.p->block_index);
	fl_imap_init(&ld.p->map_index);
	fl_imap_init(&ld.p->unmap_index);
	r = fl_reader_read_file_ops(path, &ops, &ld);
	ld.p->nerrors = fl_error_count - before;
	if (r <= 0) {
		/* Only the first line can make a file unusable: nothing was loaded.
		 * An empty file (0) was only a warning. */
		if (r < 0)
			m->nerrors += ld.p->nerrors ? ld.p->nerrors : 1;
		fl_heap_stream_release(&ld.heap);
		fl_seqs_release(&ld.block_seq);
		free(ld.p->blocks);
		free(ld.p->block_cold);
		free(ld.p->faults);
		free(ld.batch.v);
		fl_load_io_release(&ld.io_line);
		free(ld.res_line.regions);
		fl_io_store_release(&ld.p->io);
		fl_residency_store_release(&ld.p->residency);
		free(ld.p);
		return NULL;
	}
	finish_proc(&ld);
	return ld.p;
}
