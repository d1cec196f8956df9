/*
 * The model's lifecycle: its arena and interned strings, the names of its
 * enums, fl_model_load() over every trace file (model/load.c reads one) and
 * the process tree linked once all files are read.
 */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"

#include "util/diag.h"
#include "util/u64map.h"
#include "util/xalloc.h"

/* ---- small memory arena and string interning ---- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

/* An interned string, chained with the others of the same hash. */
struct istr {
	struct istr *next;
	char s[];
};

struct fl_model_priv {
	struct chunk *chunks;
	struct fl_u64map strs; /* hash of the string -> its struct istr * chain */
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
	uint64_t h, *head;
	struct istr *e;
	size_t len;
	if (!s)
		return NULL;
	h = hash_str(s);
	head = fl_u64map_slot(&pv->strs, h == UINT64_MAX ? h - 1 : h); /* the map's reserved key */
	for (e = (struct istr *)(uintptr_t)*head; e; e = e->next)
		if (strcmp(e->s, s) == 0)
			return e->s;
	len = strlen(s);
	e = arena_alloc(pv, sizeof(*e) + len + 1);
	e->next = (struct istr *)(uintptr_t)*head;
	memcpy(e->s, s, len + 1);
	*head = (uint64_t)(uintptr_t)e;
	return e->s;
}

const char *fl_model_intern(struct fl_model *m, const char *s)
{
	return intern(m->priv, s);
}

void *fl_model_alloc(struct fl_model *m, size_t n)
{
	return arena_alloc(m->priv, n);
}

/* ---- names ---- */

static const char *const link_names[] = {"none",	"fork", "vfork", "clone",
					 "posix_spawn", "exec", "child"};
const char *fl_link_name(enum fl_link l)
{
	return (unsigned)l < sizeof(link_names) / sizeof(*link_names) ? link_names[l] : "?";
}

enum fl_link fl_link_from_name(const char *s)
{
	for (unsigned i = 1; s && i < sizeof(link_names) / sizeof(*link_names); i++)
		if (strcmp(s, link_names[i]) == 0)
			return i;
	if (s && strcmp(s, "spawn") == 0)
		return FL_LINK_SPAWN;
	return FL_LINK_NONE;
}

#define FN_NAME(id, name) name,
int fl_model_keep_samples;

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

/* ---- the process tree ---- */

void fl_model_init(struct fl_model *m, const char *path)
{
	memset(m, 0, sizeof(*m));
	m->priv = fl_xcalloc(1, sizeof(*m->priv));
	fl_u64map_init(&m->priv->strs);
	m->path = intern(m->priv, path);
}

static void proc_free(struct fl_proc *p)
{
	size_t i;
	for (i = 0; i < p->nmaps; i++) {
		free(p->maps[i].vmas);
		free(p->maps[i].shim);
	}
	for (i = 0; i < p->nwss; i++)
		free(p->wss[i].regions);
	for (i = 0; i < p->nexecs; i++)
		json_decref(p->execs[i].argv);
	free(p->maps);
	free(p->shim_libs);
	free(p->calls);
	free(p->blocks);
	free(p->block_cold);
	free(p->heap_sites);
	free(p->early_tids);
	free(p->large_blocks);
	free(p->spans);
	free(p->failed);
	fl_counters_store_release(&p->counters);
	free(p->heap);
	free(p->sites);
	free(p->faults);
	if (p->derived_free)
		p->derived_free(p->derived);
	fl_residency_store_release(&p->residency);
	free(p->wss);
	fl_io_store_release(&p->io);
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
	fl_u64map_release(&p->first_fault);
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
	free(m->reaped);
	if (m->priv) {
		for (c = m->priv->chunks; c; c = next) {
			next = c->next;
			free(c);
		}
		fl_u64map_release(&m->priv->strs);
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

/* The tids a block packs: -1 (unknown) up to 2^30 - 2, stored + 1 in tid_by's 30 bits. */
#define PACKED_TID_MAX ((int32_t)((1u << 30) - 2))

void fl_block_set(struct fl_proc *p, struct fl_block *b, const struct fl_block_fields *f)
{
	int plain = f->size < UINT32_MAX && f->weight == f->size && !f->charge.committed &&
		    !f->charge.limit && f->tid >= -1 && f->tid <= PACKED_TID_MAX;
	b->addr = f->addr;
	b->t_alloc = f->t_alloc;
	b->t_free = FL_T_NEVER;
	b->stack = f->stack;
	b->cold_fn = (uint32_t)f->fn;
	if (plain) {
		b->size32 = (uint32_t)f->size;
		b->tid_by = (uint32_t)(f->tid + 1) << 2;
		return;
	}
	/* the index must fit the 27 bits above fn: 134 M cold blocks, 4 GiB of them */
	if (p->nblock_cold >= (UINT32_MAX >> FL_BLOCK_FN_BITS) - 1)
		fl_die("too many heap blocks with a sampled weight or a charge");
	FL_GROW(p->block_cold, p->capblock_cold, p->nblock_cold + 1);
	p->block_cold[p->nblock_cold] =
	    (struct fl_block_cold){f->size, f->weight, f->charge, f->tid};
	b->cold_fn |= (uint32_t)++p->nblock_cold << FL_BLOCK_FN_BITS;
	b->size32 = 0;
	b->tid_by = 0;
}

const char *fl_model_key_of(struct fl_model *m, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t extlen = strlen(FL_TRACE_FILE_EXT), zstlen = strlen(FL_TRACE_ZST_EXT), n;
	char buf[256];
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > extlen && strcmp(b + n - extlen, FL_TRACE_FILE_EXT) == 0)
		n -= extlen;
	else if (n > zstlen && strcmp(b + n - zstlen, FL_TRACE_ZST_EXT) == 0)
		n -= zstlen;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, b);
	return fl_model_intern(m, buf);
}
