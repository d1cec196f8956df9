/*
 * Replays every trace file into compact arrays. Lines from different
 * threads arrive in drain order, so heap and mapping events are collected
 * with their seq and sorted before they are replayed (a free may be written
 * before the alloc it frees). The tree is linked once all files are read.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "faultline/schema.h"
#include "read/reader.h"
#include "util/xalloc.h"

/* ---- small memory arena and string interning ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct fl_model_priv {
	struct chunk *chunks;
	const char **strs; /* open addressing set of interned strings */
	size_t nstrs, capstrs;
};

static void *arena_alloc(struct fl_model_priv *pv, size_t n)
{
	struct chunk *c = pv->chunks;
	n = (n + 7) & ~(size_t)7;
	if (!c || c->size - c->used < n) {
		size_t size = n > 1 << 20 ? n : 1 << 20;
		c = fl_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = pv->chunks;
		pv->chunks = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static const char *intern(struct fl_model_priv *pv, const char *s)
{
	size_t i, mask;
	if (!s)
		return NULL;
	if (pv->nstrs * 2 >= pv->capstrs) {
		size_t cap = pv->capstrs ? pv->capstrs * 2 : 1024;
		const char **n = fl_xcalloc(cap, sizeof(*n));
		for (i = 0; i < pv->capstrs; i++) {
			size_t j;
			if (!pv->strs[i])
				continue;
			for (j = hash_str(pv->strs[i]) & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
				;
			n[j] = pv->strs[i];
		}
		free(pv->strs);
		pv->strs = n;
		pv->capstrs = cap;
	}
	mask = pv->capstrs - 1;
	for (i = hash_str(s) & mask; pv->strs[i]; i = (i + 1) & mask)
		if (strcmp(pv->strs[i], s) == 0)
			return pv->strs[i];
	pv->nstrs++;
	return pv->strs[i] = strcpy(arena_alloc(pv, strlen(s) + 1), s);
}

const char *fl_model_intern(struct fl_model *m, const char *s)
{
	return intern(m->priv, s);
}

/* ---- names ---- */

static const char *const link_names[] = {"none",	"fork", "vfork", "clone",
					 "posix_spawn", "exec", "child"};
const char *fl_link_name(enum fl_link l)
{
	return (unsigned)l < sizeof(link_names) / sizeof(*link_names) ? link_names[l] : "?";
}

static enum fl_link link_from_name(const char *s)
{
	for (unsigned i = 1; s && i < sizeof(link_names) / sizeof(*link_names); i++)
		if (strcmp(s, link_names[i]) == 0)
			return i;
	if (s && strcmp(s, "spawn") == 0)
		return FL_LINK_SPAWN;
	return FL_LINK_NONE;
}

#define FN_NAME(id, name) name,
static const char *const fn_names[] = {FL_CALLS(FN_NAME)};
#undef FN_NAME
_Static_assert(sizeof(fn_names) / sizeof(fn_names[0]) == FL_FN_COUNT,
	       "enum fl_fn follows FL_CALLS in schema.h");
const char *fl_fn_name(enum fl_fn f)
{
	return (unsigned)f < FL_FN_COUNT ? fn_names[f] : "?";
}
int fl_fn_from_name(const char *s)
{
	for (int i = 0; s && i < FL_FN_COUNT; i++)
		if (strcmp(s, fn_names[i]) == 0)
			return i;
	return -1;
}

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

/* ---- loading one file ---- */

/* A free (or the freeing half of a realloc) waiting to be replayed in seq order. */
struct hfree {
	uint64_t seq, t, addr;
	uint8_t by; /* FL_FN_FREE or FL_FN_REALLOC */
};

struct loader {
	struct fl_model *m;
	struct fl_proc *p;
	struct hfree *frees;
	size_t nfrees, capfrees;
	uint64_t *block_seq; /* seq of each block's allocation, parallel to p->blocks */
	size_t capblocks, capseq;
	size_t capmaps, capcalls, capcounters, capheap, capfaults, capres, capwss, capio, capforks,
	    capexecs, capwaits, capnotes, capstacks, capsites;
	struct fl_site *site_tmp; /* by stack id (sparse) */
	size_t ncalls_unsorted;
	/* The last "fn" of a heap line and its enum fl_fn: nearly every line repeats it. */
	char fn_text[24];
	size_t fn_len; /* 0: nothing cached */
	int fn_k;
};

#define PUSH(ld, arr, n, cap)                                                                      \
	(FL_GROW((ld)->p->arr, (ld)->cap, (ld)->p->n + 1), &(ld)->p->arr[(ld)->p->n++])

static const char *jstr(struct loader *ld, const json_t *o, const char *key)
{
	return intern(ld->m->priv, fl_json_get_str(o, key));
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
	p->link = link_from_name(fl_json_get_str(parent, FL_K_KIND));
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
			pr->name = intern(ld->m->priv, k);
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
		v->path = intern(ld->m->priv, json_string_value(json_array_get(r, 5)));
		v->kind = (uint8_t)fl_vma_classify(v->perms, v->path, v->inode);
		if (json_is_string(json_array_get(r, 6)))
			v->build_id = intern(ld->m->priv, json_string_value(json_array_get(r, 6)));
	}
	qsort(s->vmas, s->nvmas, sizeof(*s->vmas), cmp_vma);
	share_build_ids(s);
	s->nshim = json_array_size(shim);
	s->shim = fl_xcalloc(s->nshim + 1, sizeof(*s->shim));
	json_array_foreach(shim, i, r)
	{
		s->shim[i].start = fl_json_addr(json_array_get(r, 0));
		s->shim[i].end = fl_json_addr(json_array_get(r, 1));
		if (s->shim[i].end > s->shim[i].start)
			s->shim_bytes += s->shim[i].end - s->shim[i].start;
	}
	for (i = 0; i < s->nvmas; i++)
		if (s->vmas[i].path && strstr(s->vmas[i].path, "/libfaultline.so")) {
			s->vmas[i].kind = FL_VMA_SHIM;
			s->shim_bytes += s->vmas[i].end - s->vmas[i].start;
		}
}

static void load_stack(struct loader *ld, json_t *o)
{
	struct fl_proc *p = ld->p;
	uint64_t id = (uint64_t)fl_json_get_int(o, FL_K_ID, 0);
	json_t *frames = json_object_get(o, FL_K_FRAMES), *f;
	uint64_t *v;
	size_t i, n = json_array_size(frames);
	if (id == 0 || id > UINT32_MAX)
		return;
	FL_GROW(p->stacks, ld->capstacks, id + 1);
	if (p->nstacks < id + 1)
		p->nstacks = id + 1;
	v = arena_alloc(ld->m->priv, (n ? n : 1) * sizeof(*v));
	json_array_foreach(frames, i, f) v[i] = fl_json_addr(f);
	p->stacks[id].id = (uint32_t)id;
	p->stacks[id].nframes = (uint32_t)n;
	p->stacks[id].frames = v;
}

static void add_free(struct loader *ld, uint64_t seq, uint64_t t, uint64_t addr, int by)
{
	struct hfree *h;
	FL_GROW(ld->frees, ld->capfrees, ld->nfrees + 1);
	h = &ld->frees[ld->nfrees++];
	h->seq = seq;
	h->t = t;
	h->addr = addr;
	h->by = (uint8_t)by;
}

/* The periodic events, when the fast path took them (else on_event does). */
static void flat_faults(struct loader *ld, const struct fl_flat *f)
{
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_SAMPLES);
	struct fl_flat_row r;
	size_t pos = 0;
	ld->p->faults_period = (uint64_t)fl_flat_int(f, FL_K_PERIOD, 1);
	ld->p->faults_lost += (uint64_t)fl_flat_int(f, FL_K_LOST, 0);
	while (rows && fl_flat_row_next(rows, &pos, &r)) {
		struct fl_fault *x = PUSH(ld, faults, nfaults, capfaults);
		x->addr = fl_flat_row_addr(&r, 0);
		x->ip = fl_flat_row_addr(&r, 1);
		x->tid = (int32_t)fl_flat_row_int(&r, 2, 0);
		x->t = (uint64_t)fl_flat_row_int(&r, 3, 0);
		x->major = fl_flat_row_int(&r, 4, 0) != 0;
	}
}

static void flat_counters(struct loader *ld, const struct fl_flat *f, uint64_t t)
{
	struct fl_counters *c = PUSH(ld, counters, ncounters, capcounters);
	c->t = t;
	c->minflt = fl_flat_int(f, FL_K_MINFLT, -1);
	c->majflt = fl_flat_int(f, FL_K_MAJFLT, -1);
	c->ru_minflt = fl_flat_int(f, FL_K_RU_MINFLT, -1);
	c->ru_majflt = fl_flat_int(f, FL_K_RU_MAJFLT, -1);
	c->dtlb_load = fl_flat_int(f, FL_K_DTLB_LOAD, -1);
	c->dtlb_store = fl_flat_int(f, FL_K_DTLB_STORE, -1);
	c->rss_anon = fl_flat_int(f, FL_K_RSS_ANON, -1);
	c->rss_file = fl_flat_int(f, FL_K_RSS_FILE, -1);
	c->rss_shmem = fl_flat_int(f, FL_K_RSS_SHMEM, -1);
	c->vsz = fl_flat_int(f, FL_K_VSZ, -1);
	c->swap = fl_flat_int(f, FL_K_SWAP, -1);
	c->pte_bytes = fl_flat_int(f, FL_K_PTE, -1);
	c->stack_vma = fl_flat_int(f, FL_K_STACK_VMA, -1);
	c->committed_as = fl_flat_int(f, FL_K_COMMITTED, -1);
	c->commit_limit = fl_flat_int(f, FL_K_COMMIT_LIMIT, -1);
	c->oom_score = fl_flat_int(f, FL_K_OOM_SCORE, -1);
	c->tracking_faults = fl_flat_int(f, FL_K_TRACKING_FAULTS, -1);
}

static const char *flat_istr(struct loader *ld, const struct fl_flat_val *v)
{
	char buf[4096];
	size_t n;
	if (!v || v->type != 's')
		return NULL;
	n = v->slen < sizeof(buf) - 1 ? v->slen : sizeof(buf) - 1;
	memcpy(buf, v->s, n);
	buf[n] = 0;
	return intern(ld->m->priv, buf);
}

static size_t count_rows(const struct fl_flat_val *v)
{
	struct fl_flat_row r;
	size_t pos = 0, n = 0;
	while (v && fl_flat_row_next(v, &pos, &r))
		n++;
	return n;
}

static void flat_residency(struct loader *ld, const struct fl_flat *f, uint64_t t)
{
	struct fl_residency *s = PUSH(ld, residency, nresidency, capres);
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_REGIONS);
	struct fl_flat_row r;
	size_t pos = 0, i = 0;
	s->t = t;
	s->method = flat_istr(ld, fl_flat_get(f, FL_K_METHOD));
	s->nregions = count_rows(rows);
	s->regions = fl_xcalloc(s->nregions + 1, sizeof(*s->regions));
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
	}
}

static void flat_io(struct loader *ld, const struct fl_flat *f, uint64_t t)
{
	struct fl_io *s = PUSH(ld, io, nio, capio);
	const struct fl_flat_val *rows = fl_flat_get(f, FL_K_FDS);
	struct fl_flat_row r;
	size_t pos = 0, i = 0;
	s->t = t;
	s->nfds = count_rows(rows);
	s->fds = fl_xcalloc(s->nfds + 1, sizeof(*s->fds));
	while (rows && fl_flat_row_next(rows, &pos, &r) && i < s->nfds) {
		struct fl_io_fd *d = &s->fds[i++];
		d->fd = (int32_t)fl_flat_row_int(&r, 0, -1);
		d->path = r.n > 1 ? flat_istr(ld, &r.v[1]) : NULL;
		d->calls = (uint64_t)fl_flat_row_int(&r, 2, 0);
		d->bytes = (uint64_t)fl_flat_row_int(&r, 3, 0);
	}
}

/* fl_fn_from_name of a flat line's "fn" (-1 when absent or unknown), cached. */
static int flat_fn(struct loader *ld, const struct fl_flat *f)
{
	const struct fl_flat_val *v = fl_flat_get(f, FL_K_FUNC);
	char fn[sizeof(ld->fn_text)];
	int k;
	if (!v || v->type != 's')
		return -1;
	if (v->slen == ld->fn_len && !memcmp(v->s, ld->fn_text, v->slen))
		return ld->fn_k;
	k = fl_fn_from_name(fl_flat_str(f, FL_K_FUNC, fn, sizeof(fn)));
	if (v->slen && v->slen < sizeof(ld->fn_text)) {
		memcpy(ld->fn_text, v->s, v->slen);
		ld->fn_len = v->slen;
		ld->fn_k = k;
	}
	return k;
}

/* alloc, free and realloc: the hot events, delivered flat (see reader.h). */
static int on_flat(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	struct loader *ld = ctx;
	struct fl_proc *p = ld->p;
	uint64_t t = (uint64_t)fl_flat_int(f, FL_K_TIME, 0);
	uint64_t seq = (uint64_t)fl_flat_int(f, FL_K_SEQ, (int64_t)p->nevents);
	struct fl_block *b;
	int k;
	(void)loc;
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
		flat_io(ld, f, t);
		return 0;
	default:
		break;
	}
	if (f->ev == FL_E_FREE) {
		add_free(ld, seq, t, fl_flat_addr(f, FL_K_ADDR), FL_FN_FREE);
		return 0;
	}
	if (f->ev == FL_E_REALLOC) {
		uint64_t old = fl_flat_addr(f, FL_K_OLD_ADDR);
		if (old)
			add_free(ld, seq, t, old, FL_FN_REALLOC);
	}
	if (!fl_flat_addr(f, FL_K_ADDR))
		return 0; /* failed, or realloc(p, 0) that only freed */
	k = flat_fn(ld, f);
	if (k < 0)
		k = f->ev == FL_E_REALLOC ? FL_FN_REALLOC : FL_FN_MALLOC;
	FL_GROW(p->blocks, ld->capblocks, p->nblocks + 1);
	FL_GROW(ld->block_seq, ld->capseq, p->nblocks + 1);
	ld->block_seq[p->nblocks] = seq;
	b = &p->blocks[p->nblocks++];
	b->addr = fl_flat_addr(f, FL_K_ADDR);
	b->size = (uint64_t)fl_flat_int(f, FL_K_SIZE, 0);
	b->weight = (uint64_t)fl_flat_int(f, FL_K_WEIGHT, (int64_t)b->size);
	b->t_alloc = t;
	b->t_free = FL_T_NEVER;
	b->stack = (uint32_t)fl_flat_int(f, FL_K_STACK, 0);
	b->tid = (int32_t)fl_flat_int(f, FL_K_TID, 0);
	b->fn = (uint8_t)k;
	b->freed_by = FL_FN_COUNT;
	return 0;
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
}

static void load_counters(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_counters *c = PUSH(ld, counters, ncounters, capcounters);
	c->t = t;
	c->minflt = fl_json_get_int(o, FL_K_MINFLT, -1);
	c->majflt = fl_json_get_int(o, FL_K_MAJFLT, -1);
	c->ru_minflt = fl_json_get_int(o, FL_K_RU_MINFLT, -1);
	c->ru_majflt = fl_json_get_int(o, FL_K_RU_MAJFLT, -1);
	c->dtlb_load = fl_json_get_int(o, FL_K_DTLB_LOAD, -1);
	c->dtlb_store = fl_json_get_int(o, FL_K_DTLB_STORE, -1);
	c->rss_anon = fl_json_get_int(o, FL_K_RSS_ANON, -1);
	c->rss_file = fl_json_get_int(o, FL_K_RSS_FILE, -1);
	c->rss_shmem = fl_json_get_int(o, FL_K_RSS_SHMEM, -1);
	c->vsz = fl_json_get_int(o, FL_K_VSZ, -1);
	c->swap = fl_json_get_int(o, FL_K_SWAP, -1);
	c->pte_bytes = fl_json_get_int(o, FL_K_PTE, -1);
	c->stack_vma = fl_json_get_int(o, FL_K_STACK_VMA, -1);
	c->committed_as = fl_json_get_int(o, FL_K_COMMITTED, -1);
	c->commit_limit = fl_json_get_int(o, FL_K_COMMIT_LIMIT, -1);
	c->oom_score = fl_json_get_int(o, FL_K_OOM_SCORE, -1);
	c->tracking_faults = fl_json_get_int(o, FL_K_TRACKING_FAULTS, -1);
}

static void load_heap_tick(struct loader *ld, json_t *o, uint64_t t)
{
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
	json_t *rows = json_object_get(o, FL_K_SAMPLES), *r;
	size_t i;
	ld->p->faults_period = (uint64_t)fl_json_get_int(o, FL_K_PERIOD, 1);
	ld->p->faults_lost += (uint64_t)fl_json_get_int(o, FL_K_LOST, 0);
	json_array_foreach(rows, i, r)
	{
		struct fl_fault *f = PUSH(ld, faults, nfaults, capfaults);
		f->addr = fl_json_addr(json_array_get(r, 0));
		f->ip = fl_json_addr(json_array_get(r, 1));
		f->tid = (int32_t)json_integer_value(json_array_get(r, 2));
		f->t = (uint64_t)json_integer_value(json_array_get(r, 3));
		f->major = json_integer_value(json_array_get(r, 4)) != 0;
	}
}

static void load_residency(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_residency *s = PUSH(ld, residency, nresidency, capres);
	json_t *rows = json_object_get(o, FL_K_REGIONS), *r;
	size_t i;
	s->t = t;
	s->method = jstr(ld, o, FL_K_METHOD);
	s->nregions = json_array_size(rows);
	s->regions = fl_xcalloc(s->nregions + 1, sizeof(*s->regions));
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
	}
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
	s->regions = fl_xcalloc(s->nregions + 1, sizeof(*s->regions));
	json_array_foreach(rows, i, r)
	{
		s->regions[i].start = fl_json_addr(json_array_get(r, 0));
		s->regions[i].end = fl_json_addr(json_array_get(r, 1));
		s->regions[i].written = json_integer_value(json_array_get(r, 2));
	}
}

static void load_io(struct loader *ld, json_t *o, uint64_t t)
{
	struct fl_io *s = PUSH(ld, io, nio, capio);
	json_t *rows = json_object_get(o, FL_K_FDS), *r;
	size_t i;
	s->t = t;
	s->nfds = json_array_size(rows);
	s->fds = fl_xcalloc(s->nfds + 1, sizeof(*s->fds));
	json_array_foreach(rows, i, r)
	{
		s->fds[i].fd = (int32_t)json_integer_value(json_array_get(r, 0));
		s->fds[i].path = intern(ld->m->priv, json_string_value(json_array_get(r, 1)));
		s->fds[i].calls = (uint64_t)json_integer_value(json_array_get(r, 2));
		s->fds[i].bytes = (uint64_t)json_integer_value(json_array_get(r, 3));
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
	case FL_E_FORK: {
		struct fl_fork_ev *f = PUSH(ld, forks, nforks, capforks);
		f->t = t;
		f->seq = seq;
		f->tid = (int32_t)fl_json_get_int(o, FL_K_TID, 0);
		f->child = (int32_t)fl_json_get_int(o, FL_K_CHILD, -1);
		f->kind = (uint8_t)link_from_name(fl_json_get_str(o, FL_K_KIND));
		if (f->kind == FL_LINK_NONE)
			f->kind = FL_LINK_FORK;
		break;
	}
	case FL_E_EXEC: {
		struct fl_exec_ev *x = PUSH(ld, execs, nexecs, capexecs);
		json_t *argv = json_object_get(o, FL_K_ARGV);
		x->t = t;
		x->seq = seq;
		x->path = jstr(ld, o, FL_K_PATH);
		x->argv = argv ? json_incref(argv) : NULL;
		x->result = fl_json_get_int(o, FL_K_RESULT, 0);
		x->err = (int32_t)fl_json_get_int(o, FL_K_ERRNO, 0);
		break;
	}
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
		load_io(ld, o, t);
		break;
	case FL_E_HEAP:
		load_heap_tick(ld, o, t);
		break;
	case FL_E_SITES:
		load_sites(ld, o);
		break;
	case FL_E_NOTE: {
		struct fl_note *n = PUSH(ld, notes, nnotes, capnotes);
		n->t = t;
		n->what = jstr(ld, o, "what");
		n->why = jstr(ld, o, FL_K_WHY);
		n->n = fl_json_get_int(o, "n", -1);
		break;
	}
	case FL_E_UNKNOWN:
		if (!strcmp(fl_json_get_str(o, FL_K_EVENT) ? fl_json_get_str(o, FL_K_EVENT) : "",
			    FL_EV_WAIT)) {
			struct fl_wait_ev *w = PUSH(ld, waits, nwaits, capwaits);
			w->t = t;
			w->child = (int32_t)fl_json_get_int(o, FL_K_CHILD, -1);
			w->status = fl_json_get_int(o, FL_K_STATUS, -1);
			w->signal = fl_json_get_int(o, FL_K_SIGNAL, 0);
		}
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
CMP_FIELD(cmp_counters, struct fl_counters, t)
CMP_FIELD(cmp_heapt, struct fl_heap_tick, t)
CMP_FIELD(cmp_fault, struct fl_fault, t)
CMP_FIELD(cmp_res, struct fl_residency, t)
CMP_FIELD(cmp_wss, struct fl_wss, t)
CMP_FIELD(cmp_io, struct fl_io, t)
CMP_FIELD(cmp_site, struct fl_site, stack)

/* addr -> live block index; linear probing with backward-shift deletion. */
struct livemap {
	uint64_t *key; /* 0 = empty (no block lives at address 0) */
	size_t *val;
	size_t n, cap;
};

static size_t lm_slot(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k & mask;
}

static void lm_put(struct livemap *lm, uint64_t k, size_t v);

static void lm_grow(struct livemap *lm)
{
	struct livemap n = {NULL, NULL, 0, lm->cap ? lm->cap * 2 : 1024};
	n.key = fl_xcalloc(n.cap, sizeof(*n.key));
	n.val = fl_xmalloc(n.cap * sizeof(*n.val));
	for (size_t i = 0; i < lm->cap; i++)
		if (lm->key[i])
			lm_put(&n, lm->key[i], lm->val[i]);
	free(lm->key);
	free(lm->val);
	*lm = n;
}

static void lm_put(struct livemap *lm, uint64_t k, size_t v)
{
	size_t i, mask;
	if ((lm->n + 1) * 2 > lm->cap)
		lm_grow(lm);
	mask = lm->cap - 1;
	for (i = lm_slot(k, mask); lm->key[i] && lm->key[i] != k; i = (i + 1) & mask)
		;
	if (!lm->key[i])
		lm->n++;
	lm->key[i] = k;
	lm->val[i] = v;
}

/* Removes k; returns its value or SIZE_MAX when absent. */
static size_t lm_take(struct livemap *lm, uint64_t k)
{
	size_t i, j, mask, v;
	if (!lm->cap || !k)
		return SIZE_MAX;
	mask = lm->cap - 1;
	for (i = lm_slot(k, mask); lm->key[i] != k; i = (i + 1) & mask)
		if (!lm->key[i])
			return SIZE_MAX;
	v = lm->val[i];
	lm->key[i] = 0;
	lm->n--;
	/* Shift later members of the cluster back so lookups still find them. */
	for (j = (i + 1) & mask; lm->key[j]; j = (j + 1) & mask) {
		size_t home = lm_slot(lm->key[j], mask);
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			lm->key[i] = lm->key[j];
			lm->val[i] = lm->val[j];
			lm->key[j] = 0;
			i = j;
		}
	}
	return v;
}

static void free_block(struct fl_proc *p, struct livemap *lm, uint64_t addr, uint64_t t, int by)
{
	size_t b = lm_take(lm, addr);
	if (b == SIZE_MAX)
		return;
	p->blocks[b].t_free = t;
	p->blocks[b].freed_by = (uint8_t)by;
}

static int cmp_free(const void *a, const void *b)
{
	const struct hfree *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_seq_idx(const void *a, const void *b, void *ctx)
{
	const uint64_t *seq = ctx;
	uint64_t x = seq[*(const size_t *)a], y = seq[*(const size_t *)b];
	return x < y ? -1 : x > y;
}

/*
 * The indices 0..n-1 ordered by seq[], stably, when seq[] is a few
 * ascending runs (threads' buffers flushed one after the other): the runs
 * are merged pairwise, O(n log runs). Returns NULL when there are too many
 * runs for that to beat qsort_r.
 */
#define MAX_RUNS 64
static size_t *merge_runs(const uint64_t *seq, size_t n)
{
	size_t starts[MAX_RUNS + 1], nruns = 0, *idx, *tmp;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || seq[i - 1] > seq[i]) {
			if (nruns == MAX_RUNS)
				return NULL;
			starts[nruns++] = i;
		}
	starts[nruns] = n;
	idx = fl_xmalloc(n * sizeof(*idx));
	tmp = fl_xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	while (nruns > 1) {
		size_t k = 0, *t;
		for (size_t r = 0; r < nruns; r += 2) {
			/* Runs r and r + 1 (empty when r is the last) into tmp. */
			size_t a = starts[r], m = starts[r + 1];
			size_t e = r + 2 <= nruns ? starts[r + 2] : m, i = a, j = m, o = a;
			while (i < m && j < e)
				tmp[o++] = seq[idx[j]] < seq[idx[i]] ? idx[j++] : idx[i++];
			while (i < m)
				tmp[o++] = idx[i++];
			while (j < e)
				tmp[o++] = idx[j++];
			starts[k++] = a;
		}
		starts[k] = n;
		nruns = k;
		t = idx;
		idx = tmp;
		tmp = t;
	}
	free(tmp);
	return idx;
}

/* Puts the blocks in allocation (seq) order; usually they already are. */
static void order_blocks(struct loader *ld)
{
	struct fl_proc *p = ld->p;
	size_t i, *idx;
	struct fl_block *nb;
	uint64_t *ns;
	for (i = 1; i < p->nblocks; i++)
		if (ld->block_seq[i - 1] > ld->block_seq[i])
			break;
	if (i >= p->nblocks)
		return;
	idx = merge_runs(ld->block_seq, p->nblocks);
	if (!idx) {
		idx = fl_xmalloc(p->nblocks * sizeof(*idx));
		for (i = 0; i < p->nblocks; i++)
			idx[i] = i;
		qsort_r(idx, p->nblocks, sizeof(*idx), cmp_seq_idx, ld->block_seq);
	}
	nb = fl_xmalloc(p->nblocks * sizeof(*nb));
	ns = fl_xmalloc(p->nblocks * sizeof(*ns));
	for (i = 0; i < p->nblocks; i++) {
		nb[i] = p->blocks[idx[i]];
		ns[i] = ld->block_seq[idx[i]];
	}
	free(p->blocks);
	free(ld->block_seq);
	free(idx);
	p->blocks = nb;
	ld->block_seq = ns;
}

/*
 * Replays allocations and frees in seq order. At the same seq (a realloc)
 * the old block is freed before the new one is allocated: both may have
 * the same address.
 */
static void replay_heap(struct loader *ld)
{
	struct fl_proc *p = ld->p;
	struct livemap lm = {NULL, NULL, 0, 0};
	size_t b = 0, f = 0;
	order_blocks(ld);
	if (ld->nfrees > 1) {
		size_t i;
		for (i = 1; i < ld->nfrees && ld->frees[i - 1].seq <= ld->frees[i].seq; i++)
			;
		if (i < ld->nfrees)
			qsort(ld->frees, ld->nfrees, sizeof(*ld->frees), cmp_free);
	}
	while (b < p->nblocks || f < ld->nfrees) {
		if (f < ld->nfrees && (b == p->nblocks || ld->frees[f].seq <= ld->block_seq[b])) {
			free_block(p, &lm, ld->frees[f].addr, ld->frees[f].t, ld->frees[f].by);
			f++;
			continue;
		}
		/* A block still live at the same address: its free was not recorded. */
		free_block(p, &lm, p->blocks[b].addr, p->blocks[b].t_alloc, FL_FN_COUNT);
		lm_put(&lm, p->blocks[b].addr, b);
		b++;
	}
	free(lm.key);
	free(lm.val);
	free(ld->frees);
	free(ld->block_seq);
	ld->frees = NULL;
	ld->block_seq = NULL;
	ld->nfrees = 0;
}

static uint64_t page_up(uint64_t x)
{
	return (x + 4095) & ~(uint64_t)4095;
}

static void index_calls(struct fl_proc *p)
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

static void finish_proc(struct loader *ld)
{
	struct fl_proc *p = ld->p;
	replay_heap(ld);
	SORT_BY(p->calls, p->ncalls, seq, cmp_call);
	SORT_BY(p->maps, p->nmaps, t, cmp_maps);
	SORT_BY(p->counters, p->ncounters, t, cmp_counters);
	SORT_BY(p->heap, p->nheap, t, cmp_heapt);
	SORT_BY(p->faults, p->nfaults, t, cmp_fault);
	SORT_BY(p->residency, p->nresidency, t, cmp_res);
	SORT_BY(p->wss, p->nwss, t, cmp_wss);
	SORT_BY(p->io, p->nio, t, cmp_io);
	SORT_BY(p->sites, p->nsites, stack, cmp_site);
	index_calls(p);
	/* The big arrays grew by doubling: give back the slack before the reports run. */
	if (p->nblocks)
		p->blocks = fl_xrealloc(p->blocks, p->nblocks * sizeof(*p->blocks));
	if (p->nfaults)
		p->faults = fl_xrealloc(p->faults, p->nfaults * sizeof(*p->faults));
	if (p->exit.present && p->exit.t > p->end_t)
		p->end_t = p->exit.t;
}

static const char *base_key(struct fl_model *m, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t extlen = strlen(FL_TRACE_FILE_EXT), n;
	char buf[256];
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > extlen && strcmp(b + n - extlen, FL_TRACE_FILE_EXT) == 0)
		n -= extlen;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, b);
	return intern(m->priv, buf);
}

static struct fl_proc *load_file(struct fl_model *m, const char *path)
{
	struct loader ld;
	struct fl_reader_ops ops = {
	    on_event, on_flat, 1u << FL_E_ALLOC | 1u << FL_E_FREE | 1u << FL_E_REALLOC,
	    1u << FL_E_FAULTS | 1u << FL_E_COUNTERS | 1u << FL_E_RESIDENCY | 1u << FL_E_IO};
	long r;
	unsigned long before = fl_error_count;
	memset(&ld, 0, sizeof(ld));
	ld.m = m;
	ld.p = fl_xcalloc(1, sizeof(*ld.p));
	ld.p->file = intern(m->priv, path);
	ld.p->key = base_key(m, path);
	fl_imap_init(&ld.p->block_index);
	fl_imap_init(&ld.p->map_index);
	fl_imap_init(&ld.p->unmap_index);
	r = fl_reader_read_file_ops(path, &ops, &ld);
	ld.p->nerrors = fl_error_count - before;
	if (r < 0) {
		/* Only the first line can make a file unusable: nothing was loaded. */
		m->nerrors += ld.p->nerrors ? ld.p->nerrors : 1;
		free(ld.frees);
		free(ld.block_seq);
		free(ld.p->blocks);
		free(ld.p);
		return NULL;
	}
	finish_proc(&ld);
	return ld.p;
}

/* ---- the process tree ---- */

static int cmp_start(const void *a, const void *b)
{
	const struct fl_proc *x = *(struct fl_proc *const *)a, *y = *(struct fl_proc *const *)b;
	if (x->start_realtime_ns != y->start_realtime_ns)
		return x->start_realtime_ns < y->start_realtime_ns ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The image of pid that was running when procs[before] started: the latest
 * one sorted before it. Only earlier entries qualify, so links never cycle.
 */
static struct fl_proc *image_before(struct fl_model *m, int32_t pid, size_t before)
{
	for (size_t i = before; i-- > 0;)
		if (m->procs[i]->pid == pid)
			return m->procs[i];
	return NULL;
}

static void add_child(struct fl_proc *parent, struct fl_proc *c)
{
	parent->children =
	    fl_xrealloc(parent->children, (parent->nchildren + 1) * sizeof(*parent->children));
	parent->children[parent->nchildren++] = c;
}

static void link_tree(struct fl_model *m)
{
	qsort(m->procs, m->nprocs, sizeof(*m->procs), cmp_start);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i], *par = NULL;
		struct fl_proc *prev = image_before(m, p->pid, i);
		switch (p->link) {
		case FL_LINK_EXEC:
			par = prev;
			break;
		case FL_LINK_FORK:
		case FL_LINK_VFORK:
		case FL_LINK_CLONE:
		case FL_LINK_SPAWN:
			par = image_before(m, p->parent_pid, i);
			break;
		default:
			/* Older shims do not link exec images: the same pid, an image that
			 * exec'd (or never said how it ended) just before. */
			if (prev && (!prev->exit.present ||
				     (prev->exit.how && !strcmp(prev->exit.how, "exec")))) {
				par = prev;
				p->link = FL_LINK_EXEC;
			} else if (p->parent_pid > 0 && p->parent_pid != p->pid) {
				par = image_before(m, p->parent_pid, i);
				if (par)
					p->link = FL_LINK_CHILD;
			}
			break;
		}
		p->parent = par;
		/* A later image of the pid proves the earlier one ended by exec. */
		if (par && p->link == FL_LINK_EXEC && !par->exit.present) {
			par->exit.present = 1;
			par->exit.how = "exec";
			par->exit.t = par->end_t;
			par->exit.status = par->exit.signal = -1;
			par->exit.ru_minflt = par->exit.ru_majflt = -1;
			par->exit.ru_utime_ns = par->exit.ru_stime_ns = par->exit.ru_maxrss_kb = -1;
		}
		if (par)
			add_child(par, p);
		else {
			m->roots = fl_xrealloc(m->roots, (m->nroots + 1) * sizeof(*m->roots));
			m->roots[m->nroots++] = p;
		}
	}
}

/* A process killed by SIGKILL writes no exit line; the parent that reaped
 * it wrote a wait line with the signal. Take the first wait for this pid
 * by its parent at or after the image started. */
static void exits_from_waits(struct fl_model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		struct fl_proc *p = m->procs[i];
		const struct fl_wait_ev *best = NULL;
		uint64_t best_at = UINT64_MAX;
		if (p->exit.present)
			continue;
		for (size_t j = 0; j < m->nprocs; j++) {
			const struct fl_proc *r = m->procs[j];
			if (r->pid != p->ppid)
				continue;
			for (size_t k = 0; k < r->nwaits; k++) {
				uint64_t at = r->start_realtime_ns + r->waits[k].t;
				if (r->waits[k].child == p->pid && at >= p->start_realtime_ns &&
				    at < best_at) {
					best = &r->waits[k];
					best_at = at;
				}
			}
		}
		if (!best)
			continue;
		p->exit.present = 1;
		p->exit.from_wait = 1;
		p->exit.how = best->signal > 0 ? "signal" : "exit";
		p->exit.t = p->end_t;
		p->exit.status = best->signal > 0 ? -1 : best->status;
		p->exit.signal = best->signal;
		p->exit.ru_minflt = p->exit.ru_majflt = -1;
		p->exit.ru_utime_ns = p->exit.ru_stime_ns = p->exit.ru_maxrss_kb = -1;
	}
}

int fl_model_load(struct fl_model *m, const char *path)
{
	char **files;
	long n;
	size_t cap = 0;
	memset(m, 0, sizeof(*m));
	m->priv = fl_xcalloc(1, sizeof(*m->priv));
	m->path = intern(m->priv, path);
	n = fl_reader_list(path, &files);
	if (n < 0) {
		m->nerrors++;
		return -1;
	}
	for (long i = 0; i < n; i++) {
		struct fl_proc *p = load_file(m, files[i]);
		if (!p)
			continue;
		m->nerrors += p->nerrors;
		m->nevents += p->nevents;
		FL_GROW(m->procs, cap, m->nprocs + 1);
		m->procs[m->nprocs++] = p;
	}
	fl_reader_list_free(files);
	if (!m->nprocs)
		return fl_error("no usable trace in '%s'", path);
	link_tree(m);
	exits_from_waits(m);
	return 0;
}

static void proc_free(struct fl_proc *p)
{
	size_t i;
	for (i = 0; i < p->nmaps; i++) {
		free(p->maps[i].vmas);
		free(p->maps[i].shim);
	}
	for (i = 0; i < p->nresidency; i++)
		free(p->residency[i].regions);
	for (i = 0; i < p->nwss; i++)
		free(p->wss[i].regions);
	for (i = 0; i < p->nio; i++)
		free(p->io[i].fds);
	for (i = 0; i < p->nexecs; i++)
		json_decref(p->execs[i].argv);
	free(p->maps);
	free(p->calls);
	free(p->blocks);
	free(p->counters);
	free(p->heap);
	free(p->sites);
	free(p->faults);
	free(p->residency);
	free(p->wss);
	free(p->io);
	free(p->forks);
	free(p->execs);
	free(p->notes);
	free(p->waits);
	free(p->stacks);
	free(p->probes);
	free(p->children);
	fl_imap_release(&p->block_index);
	fl_imap_release(&p->map_index);
	fl_imap_release(&p->unmap_index);
	json_decref(p->header);
	free(p);
}

void fl_model_release(struct fl_model *m)
{
	struct chunk *c, *next;
	for (size_t i = 0; i < m->nprocs; i++)
		proc_free(m->procs[i]);
	free(m->procs);
	free(m->roots);
	if (m->priv) {
		for (c = m->priv->chunks; c; c = next) {
			next = c->next;
			free(c);
		}
		free(m->priv->strs);
		free(m->priv);
	}
	memset(m, 0, sizeof(*m));
}

size_t fl_model_find_pid(const struct fl_model *m, int32_t pid, struct fl_proc **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->pid == pid) {
			if (n < max)
				out[n] = m->procs[i];
			n++;
		}
	return n;
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

static int from_snap(const struct fl_maps_snap *s, uint64_t addr, struct fl_vma *out)
{
	const struct fl_vma *v = snap_find(s, addr);
	if (!v)
		return -1;
	*out = *v;
	/* The shim's ranges sit inside anonymous VMAs: the address decides. */
	if (fl_maps_is_shim(s, addr, addr + 1))
		out->kind = FL_VMA_SHIM;
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
}

int fl_proc_vma_at(const struct fl_proc *p, uint64_t addr, uint64_t t, struct fl_vma *out)
{
	const struct fl_maps_snap *s = fl_proc_maps_at(p, t);
	struct call_query q = {p, t, 0, NULL}, u = {p, t, 0, NULL};
	if (s && s->t <= t && from_snap(s, addr, out) == 0)
		return 0;
	/* Mapped since the last snapshot: the latest mapping call, unless unmapped after. */
	fl_imap_each(&p->map_index, addr, latest_call, &q);
	if (q.best) {
		fl_imap_each(&p->unmap_index, addr, latest_call, &u);
		if (!u.best || u.best->seq < q.best->seq) {
			vma_from_call(q.best, out);
			if (fl_maps_is_shim(s, addr, addr + 1))
				out->kind = FL_VMA_SHIM;
			return 0;
		}
	}
	/* Before the first snapshot, or mapped and gone within one tick: the next one. */
	for (size_t i = s ? (size_t)(s - p->maps) : 0; i < p->nmaps; i++)
		if (p->maps[i].t > t || &p->maps[i] == s)
			if (from_snap(&p->maps[i], addr, out) == 0)
				return 0;
	return -1;
}

struct block_query {
	const struct fl_proc *p;
	uint64_t t;
	const struct fl_block *found;
};

static int live_block(const struct fl_interval *iv, void *ctx)
{
	struct block_query *q = ctx;
	const struct fl_block *b = &q->p->blocks[iv->val];
	if (b->t_alloc <= q->t && q->t < b->t_free) {
		q->found = b;
		return 1;
	}
	return 0;
}

/* The index is built on first use: many reports never need it. */
static const struct fl_imap *block_index(const struct fl_proc *p)
{
	struct fl_imap *m = (struct fl_imap *)&p->block_index;
	if (!m->built) {
		for (size_t i = 0; i < p->nblocks; i++)
			fl_imap_add(m, p->blocks[i].addr,
				    p->blocks[i].addr + (p->blocks[i].size ? p->blocks[i].size : 1),
				    i);
		fl_imap_build(m);
	}
	return m;
}

const struct fl_block *fl_proc_block_at(const struct fl_proc *p, uint64_t addr, uint64_t t)
{
	struct block_query q = {p, t, NULL};
	fl_imap_each(block_index(p), addr, live_block, &q);
	return q.found;
}

struct each_ctx {
	const struct fl_proc *p;
	int (*fn)(const struct fl_block *b, void *ctx);
	void *ctx;
};

static int each_block(const struct fl_interval *iv, void *ctx)
{
	struct each_ctx *e = ctx;
	return e->fn(&e->p->blocks[iv->val], e->ctx);
}

int fl_proc_blocks_each(const struct fl_proc *p, uint64_t addr,
			int (*fn)(const struct fl_block *b, void *ctx), void *ctx)
{
	struct each_ctx e = {p, fn, ctx};
	return fl_imap_each(block_index(p), addr, each_block, &e);
}

const struct fl_stack *fl_proc_stack(const struct fl_proc *p, uint32_t id)
{
	if (!id || id >= p->nstacks || !p->stacks[id].id)
		return NULL;
	return &p->stacks[id];
}

const struct fl_counters *fl_proc_last_counters(const struct fl_proc *p)
{
	return p->ncounters ? &p->counters[p->ncounters - 1] : NULL;
}

const struct fl_heap_tick *fl_proc_last_heap(const struct fl_proc *p)
{
	return p->nheap ? &p->heap[p->nheap - 1] : NULL;
}

const struct fl_probe *fl_proc_probe(const struct fl_proc *p, const char *name)
{
	for (size_t i = 0; i < p->nprobes; i++)
		if (!strcmp(p->probes[i].name, name))
			return &p->probes[i];
	return NULL;
}
