/*
 * The whole model as JSON: what the analyzer made of the trace, after
 * validation, replay and linking, for tools that want to do their own
 * analysis. Field names follow struct fl_proc in model.h; addresses are
 * "0x..." strings as in the trace; -1 means unknown. Each process is
 * dumped on its own so a big model streams out.
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

static json_t *maps(const struct fl_proc *p)
{
	json_t *a = json_array();
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
		json_array_append_new(a, json_pack("{s:o, s:s?, s:o, s:o}", "t", u64(s->t), "why",
						   s->why, "vmas", v, "shim", sh));
	}
	return a;
}

static json_t *calls(const struct fl_proc *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->ncalls; i++) {
		const struct fl_map_call *c = &p->calls[i];
		json_array_append_new(
		    a,
		    json_pack("{s:o, s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:i, "
			      "s:i, s:i, s:I, s:s?}",
			      "t", u64(c->t), "seq", u64(c->seq), "fn",
			      fl_fn_name((enum fl_fn)c->fn), "tid", c->tid, "addr", hex(c->addr),
			      "size", u64(c->size), "old_addr", hex(c->old_addr), "old_size",
			      u64(c->old_size), "result", hex(c->result), "stack", u64(c->stack),
			      "prot", c->prot, "flags", c->flags, "fd", c->fd, "advice", c->advice,
			      "errno", c->err, "offset", (json_int_t)c->offset, "path", c->path));
	}
	return a;
}

static json_t *blocks(const struct fl_proc *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->nblocks; i++) {
		const struct fl_block *b = &p->blocks[i];
		json_array_append_new(
		    a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:s, s:s?}", "addr",
				 hex(b->addr), "size", u64(fl_block_size(p, b)), "weight",
				 u64(fl_block_weight(p, b)), "t_alloc", u64(b->t_alloc), "t_free",
				 u64(b->t_free), "stack", u64(b->stack), "tid", fl_block_tid(p, b),
				 "fn", fl_fn_name((enum fl_fn)fl_block_fn(b)), "freed_by",
				 fl_block_freed_by(b) < FL_FN_COUNT
				     ? fl_fn_name((enum fl_fn)fl_block_freed_by(b))
				     : NULL));
	}
	return a;
}

static json_t *counters(const struct fl_proc *p)
{
	json_t *a = json_array();
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
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *heap(const struct fl_proc *p)
{
	json_t *a = json_array();
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
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o}", "t", u64(h->t),
						   "calls", calls, "bytes", bytes, "live",
						   u64(h->live), "peak", u64(h->peak)));
	}
	return a;
}

static json_t *faults(const struct fl_proc *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *f = &p->faults[i];
		json_array_append_new(a, json_pack("[o,o,i,o,i]", hex(f->addr), hex(f->ip), f->tid,
						   u64(f->t), f->major));
	}
	return a;
}

static json_t *residency(const struct fl_proc *p)
{
	json_t *a = json_array();
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
		json_array_append_new(a, json_pack("{s:o, s:s?, s:o}", "t", u64(r->t), "method",
						   r->method, "regions", regs));
	}
	fl_residency_end(&k);
	return a;
}

static json_t *misc_events(const struct fl_proc *p, json_t *o)
{
	json_t *w = json_array(), *io = json_array(), *fk = json_array(), *ex = json_array();
	json_t *nt = json_array(), *st = json_array(), *si = json_array();
	struct fl_io_cursor ik;
	const struct fl_io *x;
	for (size_t i = 0; i < p->nwss; i++)
		json_array_append_new(w, json_pack("{s:o, s:o, s:s?, s:I}", "t", u64(p->wss[i].t),
						   "window_ns", u64(p->wss[i].window_ns), "method",
						   p->wss[i].method, "written",
						   (json_int_t)p->wss[i].written));
	fl_io_begin(&ik, &p->io);
	while ((x = fl_io_next(&ik)) != NULL) {
		json_t *fds = json_array();
		for (size_t j = 0; j < x->nfds; j++) {
			const struct fl_io_fd *d = &x->fds[j];
			json_array_append_new(fds, json_pack("[i,s?,o,o]", d->fd, d->path,
							     u64(d->calls), u64(d->bytes)));
		}
		json_array_append_new(io, json_pack("{s:o, s:o}", "t", u64(x->t), "fds", fds));
	}
	fl_io_end(&ik);
	for (size_t i = 0; i < p->nforks; i++)
		json_array_append_new(fk, json_pack("{s:o, s:i, s:i, s:s}", "t", u64(p->forks[i].t),
						    "tid", p->forks[i].tid, "child",
						    p->forks[i].child, "kind",
						    fl_link_name((enum fl_link)p->forks[i].kind)));
	for (size_t i = 0; i < p->nexecs; i++)
		json_array_append_new(
		    ex, json_pack("{s:o, s:s?, s:O?, s:I, s:i}", "t", u64(p->execs[i].t), "path",
				  p->execs[i].path, "argv", p->execs[i].argv, "result",
				  (json_int_t)p->execs[i].result, "errno", p->execs[i].err));
	for (size_t i = 0; i < p->nnotes; i++)
		json_array_append_new(nt,
				      json_pack("{s:o, s:s?, s:s?, s:I}", "t", u64(p->notes[i].t),
						"what", p->notes[i].what, "why", p->notes[i].why,
						"n", (json_int_t)p->notes[i].n));
	for (size_t i = 0; i < p->nstacks; i++) {
		json_t *fr;
		if (!p->stacks[i].id)
			continue;
		fr = json_array();
		for (uint32_t j = 0; j < p->stacks[i].nframes; j++)
			json_array_append_new(fr, hex(p->stacks[i].frames[j]));
		json_array_append_new(
		    st, json_pack("{s:I, s:o}", "id", (json_int_t)p->stacks[i].id, "frames", fr));
	}
	for (size_t i = 0; i < p->nsites; i++) {
		const struct fl_site *s = &p->sites[i];
		json_array_append_new(si, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "stack",
						    u64(s->stack), "allocs", u64(s->allocs),
						    "frees", u64(s->frees), "bytes", u64(s->bytes),
						    "live", u64(s->live), "peak", u64(s->peak)));
	}
	json_object_set_new(o, "wss", w);
	json_object_set_new(o, "io", io);
	json_object_set_new(o, "forks", fk);
	json_object_set_new(o, "execs", ex);
	json_object_set_new(o, "notes", nt);
	json_object_set_new(o, "stacks", st);
	json_object_set_new(o, "sites", si);
	return o;
}

static json_t *proc_json(const struct fl_proc *p)
{
	json_t *kids = json_array();
	const struct fl_exit *e = &p->exit;
	for (size_t i = 0; i < p->nchildren; i++)
		json_array_append_new(kids, json_string(p->children[i]->key));
	json_t *o = json_pack(
	    "{s:s?, s:s?, s:i, s:i, s:i, s:s, s:s?, s:o, s:s?, s:O?, s:O?, s:o, s:o, s:o, s:o}",
	    "key", p->key, "file", p->file, "pid", p->pid, "ppid", p->ppid, "uid", p->uid, "link",
	    fl_link_name((enum fl_link)p->link), "parent", p->parent ? p->parent->key : NULL,
	    "parent_t", u64(p->parent_t), "exe", p->exe, "argv", p->argv, "header", p->header,
	    "start_realtime_ns", u64(p->start_realtime_ns), "end_t", u64(p->end_t), "children",
	    kids, "exit",
	    e->present
		? json_pack("{s:o, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "t", u64(e->t), "how",
			    e->how, "status", (json_int_t)e->status, "signal",
			    (json_int_t)e->signal, "ru_minflt", (json_int_t)e->ru_minflt,
			    "ru_majflt", (json_int_t)e->ru_majflt, "ru_utime_ns",
			    (json_int_t)e->ru_utime_ns, "ru_stime_ns", (json_int_t)e->ru_stime_ns,
			    "ru_maxrss_kb", (json_int_t)e->ru_maxrss_kb)
		: json_null());
	json_object_set_new(o, "maps", maps(p));
	json_object_set_new(o, "calls", calls(p));
	json_object_set_new(o, "blocks", blocks(p));
	json_object_set_new(o, "counters", counters(p));
	json_object_set_new(o, "heap", heap(p));
	json_object_set_new(o, "faults_period", u64(p->faults_period));
	json_object_set_new(o, "faults_lost", u64(p->faults_lost));
	json_object_set_new(o, "faults", faults(p));
	json_object_set_new(o, "residency", residency(p));
	json_object_set_new(o, "events", u64(p->nevents));
	json_object_set_new(o, "errors", u64(p->nerrors));
	return misc_events(p, o);
}

int fl_export_json(FILE *f, const struct fl_model *m, const struct fl_report_opts *ro)
{
	json_t *head = json_pack("{s:s?, s:I, s:I}", "trace", m->path, "events",
				 (json_int_t)m->nevents, "errors", (json_int_t)m->nerrors);
	char *s = json_dumps(head, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t n = 0;
	json_decref(head);
	/* {"trace":..,"events":..,"errors":..,"processes":[...]} without holding it all */
	fprintf(f, "%.*s,\"processes\":[", (int)(strlen(s) - 1), s);
	free(s);
	for (size_t i = 0; i < m->nprocs; i++) {
		json_t *p;
		if (!fl_report_selected(ro, m->procs[i]))
			continue;
		p = proc_json(m->procs[i]);
		fputs(n++ ? ",\n" : "\n", f);
		json_dumpf(p, f, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(p);
	}
	fputs("\n]}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return fl_error("error writing the model");
	return 0;
}
