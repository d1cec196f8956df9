/*
 * The whole model as JSON: what the analyzer made of the trace, after
 * validation, replay and linking, for tools that want to do their own
 * analysis. Field names follow struct fl_proc in model.h; addresses are
 * "0x..." strings as in the trace; -1 means unknown. Every array is
 * written an element at a time, so that the export holds one element, not
 * the document: built whole, one process's 10 million blocks (`record --all
 * --large 1` of 10M malloc/free pairs) took 15 GB and 86 s to write out.
 */
#include "export/export.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

static json_t *hex(uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static json_t *i64(int64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *u64(uint64_t v)
{
	return v == UINT64_MAX ? json_null() : json_integer((json_int_t)v);
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII)

/* A top-level array of a process, its elements written to f one at a time
 * (the arrays inside an element are built with it). */
struct list {
	FILE *f;
	size_t n;
};

/* Writes x (a new reference, released) as l's next element. */
static void add(struct list *l, json_t *x)
{
	if (l->n++)
		fputc(',', l->f);
	json_dumpf(x, l->f, DUMP_FLAGS | JSON_ENCODE_ANY);
	json_decref(x);
}

static void maps(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct fl_maps_snap *s = &p->maps[i];
		json_t *v = json_array(), *sh = json_array();
		for (size_t j = 0; j < s->nvmas; j++) {
			const struct fl_vma *x = &s->vmas[j];
			json_array_append_new(
			    v,
			    json_pack("[o,o,s,o,I,s,s,s?]", hex(x->start), hex(x->end), x->perms,
				      hex(x->offset), (json_int_t)x->inode, x->path ? x->path : "",
				      fl_vma_kind_name((enum fl_vma_kind)x->kind), x->build_id));
		}
		for (size_t j = 0; j < s->nshim; j++)
			json_array_append_new(
			    sh, json_pack("[o,o]", hex(s->shim[j].start), hex(s->shim[j].end)));
		add(a, json_pack("{s:o, s:s?, s:o, s:o}", "t", u64(s->t), "why", s->why, "vmas", v,
				 "shim", sh));
	}
}

static void calls(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		add(a,
		    json_pack("{s:o, s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, "
			      "s:i, s:i, s:I, s:s?}",
			      "t", u64(c->t), "seq", u64(c->seq), "fn",
			      fl_fn_name((enum fl_fn)c->fn), "tid", c->tid, "addr", hex(c->addr),
			      "size", u64(c->size), "old_addr", hex(c->old_addr), "old_size",
			      u64(c->old_size), "result", hex(c->result), "stack", u64(c->stack),
			      "prot", c->prot, "flags", c->flags, "fd", c->fd, "advice", c->advice,
			      "errno", c->err, "offset", (json_int_t)c->offset, "path", c->path));
	}
}

static void blocks(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		add(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:s, s:s?}", "addr",
				 hex(b->addr), "size", u64(fl_block_size(p, b)), "weight",
				 u64(fl_block_weight(p, b)), "t_alloc", u64(b->t_alloc), "t_free",
				 u64(b->t_free), "stack", u64(b->stack), "tid", fl_block_tid(p, b),
				 "fn", fl_fn_name((enum fl_fn)fl_block_fn(b)), "freed_by",
				 fl_block_freed_by(b) < FL_FN_COUNT
				     ? fl_fn_name((enum fl_fn)fl_block_freed_by(b))
				     : NULL));
	}
}

static void counters(const struct fl_proc *p, struct list *a)
{
	struct fl_counters_cursor cur;
	const struct fl_counters *k;
	fl_counters_begin(&cur, &p->counters);
	while ((k = fl_counters_next(&cur)) != NULL) {
		json_t *o = json_object();
		json_object_set_new(o, "t", u64(k->t));
#define K(name, field) json_object_set_new(o, name, i64(k->field))
		K("minflt", minflt);
		K("majflt", majflt);
		K("ru_minflt", ru_minflt);
		K("ru_majflt", ru_majflt);
		K("dtlb_load_misses", dtlb_load);
		K("dtlb_store_misses", dtlb_store);
		K("rss_anon", rss_anon);
		K("rss_file", rss_file);
		K("rss_shmem", rss_shmem);
		K("vsz", vsz);
		K("swap", swap);
		K("pte_bytes", pte_bytes);
		K("stack_vma", stack_vma);
		K("committed_as", committed_as);
		K("commit_limit", commit_limit);
		K("oom_score", oom_score);
		K("tracking_faults", tracking_faults);
#undef K
		add(a, o);
	}
}

static void heap(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nheap; i++) {
		const struct fl_heap_tick *h = &p->heap[i];
		json_t *calls = json_object(), *bytes = json_object();
		for (int f = 0; f < FL_FN_COUNT; f++) {
			if (h->calls[f])
				json_object_set_new(calls, fl_fn_name((enum fl_fn)f),
						    u64(h->calls[f]));
			if (h->bytes[f])
				json_object_set_new(bytes, fl_fn_name((enum fl_fn)f),
						    u64(h->bytes[f]));
		}
		add(a, json_pack("{s:o, s:o, s:o, s:o, s:o}", "t", u64(h->t), "calls", calls,
				 "bytes", bytes, "live", u64(h->live), "peak", u64(h->peak)));
	}
}

static void faults(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *f = &p->faults[i];
		add(a, json_pack("[o,o,i,o,i]", hex(f->addr), hex(f->ip), f->tid, u64(f->t),
				 f->major));
	}
}

static void residency(const struct fl_proc *p, struct list *a)
{
	struct fl_residency_cursor k;
	const struct fl_residency *r;
	fl_residency_begin(&k, &p->residency);
	while ((r = fl_residency_next(&k)) != NULL) {
		json_t *regs = json_array();
		for (size_t j = 0; j < r->nregions; j++) {
			const struct fl_res_region *g = &r->regions[j];
			json_array_append_new(
			    regs, json_pack("[o,o,I,I,I,I,I,I,I,I,I]", hex(g->start), hex(g->end),
					    (json_int_t)g->present, (json_int_t)g->swapped,
					    (json_int_t)g->file, (json_int_t)g->anon_exclusive,
					    (json_int_t)g->anon_shared, (json_int_t)g->huge,
					    (json_int_t)g->written, (json_int_t)g->referenced,
					    (json_int_t)g->moved));
		}
		add(a, json_pack("{s:o, s:s?, s:o}", "t", u64(r->t), "method", r->method, "regions",
				 regs));
	}
	fl_residency_end(&k);
}

static void wss(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nwss; i++)
		add(a, json_pack("{s:o, s:o, s:s?, s:I}", "t", u64(p->wss[i].t), "window_ns",
				 u64(p->wss[i].window_ns), "method", p->wss[i].method, "written",
				 (json_int_t)p->wss[i].written));
}

static void io(const struct fl_proc *p, struct list *a)
{
	struct fl_io_cursor ik;
	const struct fl_io *x;
	fl_io_begin(&ik, &p->io);
	while ((x = fl_io_next(&ik)) != NULL) {
		json_t *fds = json_array();
		for (size_t j = 0; j < x->nfds; j++) {
			const struct fl_io_fd *d = &x->fds[j];
			json_array_append_new(fds, json_pack("[i,s?,o,o]", d->fd, d->path,
							     u64(d->calls), u64(d->bytes)));
		}
		add(a, json_pack("{s:o, s:o}", "t", u64(x->t), "fds", fds));
	}
	fl_io_end(&ik);
}

static void forks(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nforks; i++)
		add(a, json_pack("{s:o, s:i, s:i, s:s}", "t", u64(p->forks[i].t), "tid",
				 p->forks[i].tid, "child", p->forks[i].child, "kind",
				 fl_link_name((enum fl_link)p->forks[i].kind)));
}

static void execs(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nexecs; i++)
		add(a, json_pack("{s:o, s:s?, s:O?, s:I, s:i}", "t", u64(p->execs[i].t), "path",
				 p->execs[i].path, "argv", p->execs[i].argv, "result",
				 (json_int_t)p->execs[i].result, "errno", p->execs[i].err));
}

static void notes(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nnotes; i++)
		add(a, json_pack("{s:o, s:s?, s:s?, s:I}", "t", u64(p->notes[i].t), "what",
				 p->notes[i].what, "why", p->notes[i].why, "n",
				 (json_int_t)p->notes[i].n));
}

static void stacks(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nstacks; i++) {
		json_t *fr;
		if (!p->stacks[i].id)
			continue;
		fr = json_array();
		for (uint32_t j = 0; j < p->stacks[i].nframes; j++)
			json_array_append_new(fr, hex(p->stacks[i].frames[j]));
		add(a, json_pack("{s:I, s:o}", "id", (json_int_t)p->stacks[i].id, "frames", fr));
	}
}

static void sites(const struct fl_proc *p, struct list *a)
{
	for (size_t i = 0; i < p->nsites; i++) {
		const struct fl_site *x = &p->sites[i];
		add(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "stack", u64(x->stack), "allocs",
				 u64(x->allocs), "frees", u64(x->frees), "bytes", u64(x->bytes),
				 "live", u64(x->live), "peak", u64(x->peak)));
	}
}

/* The process's scalar fields, as an object (written first). */
static json_t *proc_head(const struct fl_proc *p)
{
	json_t *kids = json_array();
	const struct fl_exit *e = &p->exit;
	for (size_t i = 0; i < p->nchildren; i++)
		json_array_append_new(kids, json_string(p->children[i]->key));
	return json_pack(
	    "{s:s?, s:s?, s:i, s:i, s:i, s:s, s:s?, s:o, s:s?, s:O?, s:O?, s:o, s:o, s:o, s:o}",
	    "key", p->key, "file", p->file, "pid", p->pid, "ppid", p->ppid, "uid", p->uid, "link",
	    fl_link_name((enum fl_link)p->link), "parent", p->parent ? p->parent->key : NULL,
	    "parent_t", u64(p->parent_t), "exe", p->exe, "argv", p->argv, "header", p->header,
	    "start_realtime_ns", u64(p->start_realtime_ns), "end_t", u64(p->end_t), "children",
	    kids, "exit",
	    e->present
		? json_pack("{s:o, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "t", u64(e->t),
			    "how", e->how, "status", (json_int_t)e->status, "signal",
			    (json_int_t)e->signal, "ru_minflt", (json_int_t)e->ru_minflt,
			    "ru_majflt", (json_int_t)e->ru_majflt, "ru_utime_ns",
			    (json_int_t)e->ru_utime_ns, "ru_stime_ns", (json_int_t)e->ru_stime_ns,
			    "ru_maxrss_kb", (json_int_t)e->ru_maxrss_kb,
			    /* the ru_ figures (but maxrss) from the reaper's wait4 */
			    "ru_reaped", e->ru_reaped)
		: json_null());
}

/* ,"key":value (a new reference, written and released) */
static void put_value(FILE *f, const char *key, json_t *v)
{
	fprintf(f, ",\"%s\":", key);
	json_dumpf(v, f, DUMP_FLAGS | JSON_ENCODE_ANY);
	json_decref(v);
}

/* ,"key":[...] with fn's elements written as it makes them */
static void put_list(FILE *f, const char *key, const struct fl_proc *p,
		     void (*fn)(const struct fl_proc *, struct list *))
{
	struct list l = {f, 0};
	fprintf(f, ",\"%s\":[", key);
	fn(p, &l);
	fputc(']', f);
}

/* One process as an object, its keys in the order they always had. */
static void proc_json(FILE *f, const struct fl_proc *p)
{
	json_t *head = proc_head(p);
	char *s = json_dumps(head, DUMP_FLAGS);
	json_decref(head);
	if (!s)
		fl_die("out of memory");
	fwrite(s, 1, strlen(s) - 1, f); /* without its closing brace */
	free(s);
	put_list(f, "maps", p, maps);
	put_list(f, "calls", p, calls);
	put_list(f, "blocks", p, blocks);
	put_list(f, "counters", p, counters);
	put_list(f, "heap", p, heap);
	put_value(f, "faults_period", u64(p->faults_period));
	put_value(f, "faults_lost", u64(p->faults_lost));
	put_list(f, "faults", p, faults);
	put_list(f, "residency", p, residency);
	put_value(f, "events", u64(p->nevents));
	put_value(f, "errors", u64(p->nerrors));
	put_list(f, "wss", p, wss);
	put_list(f, "io", p, io);
	put_list(f, "forks", p, forks);
	put_list(f, "execs", p, execs);
	put_list(f, "notes", p, notes);
	put_list(f, "stacks", p, stacks);
	put_list(f, "sites", p, sites);
	fputc('}', f);
}

int fl_export_json(FILE *f, const struct fl_model *m, const struct fl_report_opts *ro)
{
	json_t *head = json_pack("{s:s?, s:I, s:I}", "trace", m->path, "events",
				 (json_int_t)m->nevents, "errors", (json_int_t)m->nerrors);
	char *s = json_dumps(head, DUMP_FLAGS);
	size_t n = 0;
	json_decref(head);
	/* {"trace":..,"events":..,"errors":..,"processes":[...]} without holding it all */
	fprintf(f, "%.*s,\"processes\":[", (int)(strlen(s) - 1), s);
	free(s);
	for (size_t i = 0; i < m->nprocs; i++) {
		if (!fl_report_selected(ro, m->procs[i]))
			continue;
		fputs(n++ ? ",\n" : "\n", f);
		proc_json(f, m->procs[i]);
	}
	fputs("\n]}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return fl_error("error writing the model");
	return 0;
}
