/*
 * pprof: the messages of pprof's own profile.proto (compiled to C by
 * protoc-c at build time, see the Makefile), filled here and packed by
 * libprotobuf-c straight into a gzip stream (zlib), as the format asks.
 *
 * Locations are per process image and address (the same address means
 * different code in two processes); functions are shared by name, so a
 * library's function is one node across processes. Each sample carries
 * the labels "pid" and "process" to tell processes apart. Values are
 * stored unsampled (the heap report's estimates), as profile.proto asks.
 */
#include "export/export.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "export/stacks.h"
#include "profile.pb-c.h"
#include "util/diag.h"
#include "util/xalloc.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

/* The sample values, in the order of sample_type. */
enum { V_ALLOC_SPACE, V_ALLOC_OBJECTS, V_INUSE_SPACE, V_FAULTS, NVALUES };
static const char *const value_names[NVALUES][2] = {
    {"alloc_space", "bytes"},
    {"alloc_objects", "count"},
    {"inuse_space", "bytes"},
    {"faults", "count"},
};

struct pprof {
	const struct fl_model *m;
	const struct fl_report_opts *o;
	Profile prof;
	size_t cap_str, cap_sample, cap_loc, cap_fn, cap_map;
	/* string -> index into a table, as JSON integers (keys unchecked) */
	json_t *strings, *functions, *locations, *mappings, *samples;
	Label **proc_labels; /* per process image: pid, process */
	Label kind[2];	     /* fault: minor, major */
	ValueType types[NVALUES];
	ValueType *type_ptrs[NVALUES];
	uint64_t *ids; /* the sample being built: location ids, leaf first */
	size_t nids, cap_ids;
};

/* The index of key in table, or -1 when absent. */
static int64_t lookup(json_t *table, const char *key)
{
	json_t *v = json_object_get(table, key);
	return v ? json_integer_value(v) : -1;
}

static void remember(json_t *table, const char *key, int64_t index)
{
	json_object_set_new_nocheck(table, key, json_integer(index));
}

static int64_t str(struct pprof *pp, const char *s)
{
	int64_t i = lookup(pp->strings, s);
	if (i >= 0)
		return i;
	FL_GROW(pp->prof.string_table, pp->cap_str, pp->prof.n_string_table + 1);
	pp->prof.string_table[pp->prof.n_string_table] = fl_xstrdup(s);
	remember(pp->strings, s, (int64_t)pp->prof.n_string_table);
	return (int64_t)pp->prof.n_string_table++;
}

static uint64_t function(struct pprof *pp, const char *name)
{
	int64_t i = lookup(pp->functions, name);
	Function *fn;
	if (i >= 0)
		return (uint64_t)i + 1;
	fn = fl_xmalloc(sizeof(*fn));
	perftools__profiles__function__init(fn);
	fn->id = pp->prof.n_function + 1;
	fn->name = fn->system_name = str(pp, name);
	FL_GROW(pp->prof.function, pp->cap_fn, pp->prof.n_function + 1);
	pp->prof.function[pp->prof.n_function++] = fn;
	remember(pp->functions, name, (int64_t)fn->id - 1);
	return fn->id;
}

/* The mapping holding addr in process image pidx at t; 0 when unknown. */
static uint64_t mapping(struct pprof *pp, size_t pidx, uint64_t addr, uint64_t t)
{
	const struct fl_proc *p = pp->m->procs[pidx];
	struct fl_vma v;
	char key[64];
	int64_t i;
	Mapping *mp;
	if (fl_proc_vma_at(p, addr, t, &v) < 0)
		return 0;
	snprintf(key, sizeof(key), "%zu:%llx", pidx, (unsigned long long)v.start);
	if ((i = lookup(pp->mappings, key)) >= 0)
		return (uint64_t)i + 1;
	mp = fl_xmalloc(sizeof(*mp));
	perftools__profiles__mapping__init(mp);
	mp->id = pp->prof.n_mapping + 1;
	mp->memory_start = v.start;
	mp->memory_limit = v.end;
	mp->file_offset = v.offset;
	mp->filename = str(pp, v.path ? v.path : "");
	mp->build_id = str(pp, v.build_id ? v.build_id : "");
	mp->has_functions = pp->o->syms != NULL;
	FL_GROW(pp->prof.mapping, pp->cap_map, pp->prof.n_mapping + 1);
	pp->prof.mapping[pp->prof.n_mapping++] = mp;
	remember(pp->mappings, key, (int64_t)mp->id - 1);
	return mp->id;
}

static uint64_t new_location(struct pprof *pp, const char *key, uint64_t mapping_id, uint64_t addr,
			     const char *name)
{
	Location *loc = fl_xmalloc(sizeof(*loc));
	Line *line = fl_xmalloc(sizeof(*line));
	perftools__profiles__location__init(loc);
	perftools__profiles__line__init(line);
	line->function_id = function(pp, name);
	loc->id = pp->prof.n_location + 1;
	loc->mapping_id = mapping_id;
	loc->address = addr;
	loc->n_line = 1;
	loc->line = fl_xmalloc(sizeof(*loc->line));
	loc->line[0] = line;
	FL_GROW(pp->prof.location, pp->cap_loc, pp->prof.n_location + 1);
	pp->prof.location[pp->prof.n_location++] = loc;
	remember(pp->locations, key, (int64_t)loc->id - 1);
	return loc->id;
}

static void push(struct pprof *pp, uint64_t location_id)
{
	FL_GROW(pp->ids, pp->cap_ids, pp->nids + 1);
	pp->ids[pp->nids++] = location_id;
}

/* A code location: the frame at addr of process image pidx. */
static void push_frame(struct pprof *pp, size_t pidx, uint64_t addr, uint64_t t, int is_return)
{
	char key[64], name[512];
	int64_t i;
	snprintf(key, sizeof(key), "%zu:%llx:%d", pidx, (unsigned long long)addr, is_return);
	if ((i = lookup(pp->locations, key)) >= 0) {
		push(pp, (uint64_t)i + 1);
		return;
	}
	fl_stacks_frame_name(pp->o, pp->m->procs[pidx], addr, t, is_return, name, sizeof(name));
	push(pp, new_location(pp, key, mapping(pp, pidx, addr, t), addr, name));
}

/* A location that is no code (a memory region, "allocated at"): one per name. */
static void push_pseudo(struct pprof *pp, const char *name)
{
	char key[600];
	int64_t i;
	snprintf(key, sizeof(key), "-%s", name);
	i = lookup(pp->locations, key);
	push(pp, i >= 0 ? (uint64_t)i + 1 : new_location(pp, key, 0, 0, name));
}

/* The caller frames of stack id, innermost first (the allocator's own left out). */
static void push_stack(struct pprof *pp, size_t pidx, uint32_t id, uint64_t t)
{
	const struct fl_proc *p = pp->m->procs[pidx];
	const struct fl_stack *st = fl_proc_stack(p, id);
	if (!st || st->nframes == 0) {
		push_pseudo(pp, "[no backtrace]");
		return;
	}
	for (uint32_t i = fl_symbols_first_frame(p, st, t); i < st->nframes; i++)
		push_frame(pp, pidx, st->frames[i], t, 1);
}

static Label **labels_of(struct pprof *pp, size_t pidx)
{
	const struct fl_proc *p = pp->m->procs[pidx];
	const char *exe = p->exe ? p->exe : "?", *base = strrchr(exe, '/');
	Label **l = &pp->proc_labels[2 * pidx];
	if (l[0])
		return l;
	l[0] = fl_xmalloc(sizeof(**l));
	l[1] = fl_xmalloc(sizeof(**l));
	perftools__profiles__label__init(l[0]);
	perftools__profiles__label__init(l[1]);
	l[0]->key = str(pp, "pid");
	l[0]->num = p->pid;
	l[1]->key = str(pp, "process");
	l[1]->str = str(pp, base ? base + 1 : exe);
	return l;
}

/*
 * The sample with the stack built in pp->ids and these labels, created
 * with zero values when new; identical stacks of one process share one.
 */
static Sample *sample(struct pprof *pp, size_t pidx, const Label *kind)
{
	char *key = fl_xmalloc(24 * (pp->nids + 2)), *k = key;
	int64_t i;
	Sample *s;
	k += sprintf(k, "%zu:%d", pidx, kind ? (int)kind->str : -1);
	for (size_t j = 0; j < pp->nids; j++)
		k += sprintf(k, ",%llu", (unsigned long long)pp->ids[j]);
	if ((i = lookup(pp->samples, key)) >= 0) {
		free(key);
		return pp->prof.sample[i];
	}
	s = fl_xmalloc(sizeof(*s));
	perftools__profiles__sample__init(s);
	s->n_location_id = pp->nids;
	s->location_id = fl_xmalloc((pp->nids ? pp->nids : 1) * sizeof(*s->location_id));
	memcpy(s->location_id, pp->ids, pp->nids * sizeof(*s->location_id));
	s->n_value = NVALUES;
	s->value = fl_xcalloc(NVALUES, sizeof(*s->value));
	s->n_label = kind ? 3 : 2;
	s->label = fl_xmalloc(3 * sizeof(*s->label));
	memcpy(s->label, labels_of(pp, pidx), 2 * sizeof(*s->label));
	s->label[2] = (Label *)kind;
	FL_GROW(pp->prof.sample, pp->cap_sample, pp->prof.n_sample + 1);
	pp->prof.sample[pp->prof.n_sample] = s;
	remember(pp->samples, key, (int64_t)pp->prof.n_sample++);
	free(key);
	return s;
}

/* v += w, saturating: a hostile trace's weights and periods can be huge. */
static void add(int64_t *v, int64_t w)
{
	*v = w > 0 && *v > INT64_MAX - w ? INT64_MAX : *v + w;
}

static size_t proc_index(const struct fl_model *m, const struct fl_proc *p)
{
	size_t i;
	for (i = 0; i < m->nprocs && m->procs[i] != p; i++)
		;
	return i;
}

static void heap_samples(struct pprof *pp)
{
	size_t n;
	struct fl_heap_site *sites = fl_stacks_heap_sites(pp->m, pp->o, &n);
	for (size_t i = 0; i < n; i++) {
		size_t pidx = proc_index(pp->m, sites[i].p);
		Sample *s;
		pp->nids = 0;
		push_stack(pp, pidx, sites[i].stack, sites[i].t);
		s = sample(pp, pidx, NULL);
		add(&s->value[V_ALLOC_SPACE], sites[i].bytes);
		add(&s->value[V_ALLOC_OBJECTS], sites[i].allocs);
		add(&s->value[V_INUSE_SPACE], sites[i].leaked_bytes);
	}
	free(sites);
}

/* The folded export's fault tree, leaf first: see export.h. */
static void fault_samples(struct pprof *pp, size_t pidx)
{
	const struct fl_proc *p = pp->m->procs[pidx];
	int64_t w = !p->faults_period			     ? 1
		    : p->faults_period > (uint64_t)INT64_MAX ? INT64_MAX
							     : (int64_t)p->faults_period;
	char region[512];
	for (size_t i = 0; i < p->nfaults; i++) {
		const struct fl_fault *ft = &p->faults[i];
		const struct fl_block *b = fl_proc_block_at(p, ft->addr, ft->t);
		pp->nids = 0;
		push_frame(pp, pidx, ft->ip, ft->t, 0);
		if (b) {
			push_pseudo(pp, "touched by");
			push_stack(pp, pidx, b->stack, b->t_alloc);
			push_pseudo(pp, "allocated at");
		}
		fl_stacks_region_name(p, ft->addr, ft->t, region, sizeof(region));
		push_pseudo(pp, region);
		add(&sample(pp, pidx, &pp->kind[ft->major ? 1 : 0])->value[V_FAULTS], w);
	}
}

static void header(struct pprof *pp)
{
	ValueType *types = pp->types;
	uint64_t start = UINT64_MAX, end = 0;
	str(pp, ""); /* string_table[0] */
	for (int i = 0; i < NVALUES; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = str(pp, value_names[i][0]);
		types[i].unit = str(pp, value_names[i][1]);
		pp->type_ptrs[i] = &types[i];
	}
	pp->prof.n_sample_type = NVALUES;
	pp->prof.sample_type = pp->type_ptrs;
	pp->prof.default_sample_type = types[V_ALLOC_SPACE].type;
	for (int i = 0; i < 2; i++) {
		perftools__profiles__label__init(&pp->kind[i]);
		pp->kind[i].key = str(pp, "fault");
		pp->kind[i].str = str(pp, i ? "major" : "minor");
	}
	for (size_t i = 0; i < pp->m->nprocs; i++) {
		const struct fl_proc *p = pp->m->procs[i];
		if (!fl_report_selected(pp->o, p))
			continue;
		if (p->start_realtime_ns < start)
			start = p->start_realtime_ns;
		if (p->start_realtime_ns + p->end_t > end)
			end = p->start_realtime_ns + p->end_t;
	}
	pp->prof.time_nanos = start < end ? (int64_t)start : 0;
	pp->prof.duration_nanos = start < end ? (int64_t)(end - start) : 0;
}

/* A ProtobufCBuffer that deflates what protobuf-c packs into a gzip file. */
struct gz_sink {
	ProtobufCBuffer base;
	z_stream z;
	FILE *f;
	int err;
	unsigned char out[16384]; /* deflate's output, on its way to f */
};

static void deflate_into(struct gz_sink *g, const uint8_t *data, size_t len, int flush)
{
	size_t n;
	int rc;
	g->z.next_in = (unsigned char *)data;
	g->z.avail_in = (uInt)len;
	do {
		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		rc = deflate(&g->z, flush);
		n = sizeof(g->out) - g->z.avail_out;
		if (rc == Z_STREAM_ERROR || fwrite(g->out, 1, n, g->f) != n)
			g->err = 1;
	} while (!g->err && (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
}

static void gz_append(ProtobufCBuffer *buf, size_t len, const uint8_t *data)
{
	struct gz_sink *g = (struct gz_sink *)buf;
	/* avail_in is 32 bits: feed a huge chunk in pieces */
	while (!g->err && len > 0) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		deflate_into(g, data, n, Z_NO_FLUSH);
		data += n;
		len -= n;
	}
}

static int write_gzip(const Profile *prof, FILE *f)
{
	struct gz_sink g = {.base = {gz_append}, .f = f};
	if (deflateInit2(&g.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16 /* gzip */, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return fl_error("cannot start gzip compression");
	perftools__profiles__profile__pack_to_buffer(prof, &g.base);
	if (!g.err)
		deflate_into(&g, NULL, 0, Z_FINISH);
	deflateEnd(&g.z);
	if (g.err || fflush(f) != 0 || ferror(f))
		return fl_error("error writing the pprof profile");
	return 0;
}

static void release(struct pprof *pp)
{
	Profile *pr = &pp->prof;
	for (size_t i = 0; i < pr->n_sample; i++) {
		free(pr->sample[i]->location_id);
		free(pr->sample[i]->value);
		free(pr->sample[i]->label);
		free(pr->sample[i]);
	}
	for (size_t i = 0; i < pr->n_location; i++) {
		free(pr->location[i]->line[0]);
		free(pr->location[i]->line);
		free(pr->location[i]);
	}
	for (size_t i = 0; i < pr->n_function; i++)
		free(pr->function[i]);
	for (size_t i = 0; i < pr->n_mapping; i++)
		free(pr->mapping[i]);
	for (size_t i = 0; i < pr->n_string_table; i++)
		free(pr->string_table[i]);
	for (size_t i = 0; i < 2 * pp->m->nprocs; i++)
		free(pp->proc_labels[i]);
	free(pr->sample);
	free(pr->location);
	free(pr->function);
	free(pr->mapping);
	free(pr->string_table);
	free(pp->proc_labels);
	free(pp->ids);
	json_decref(pp->strings);
	json_decref(pp->functions);
	json_decref(pp->locations);
	json_decref(pp->mappings);
	json_decref(pp->samples);
}

int fl_export_pprof(FILE *f, const struct fl_model *m, const struct fl_report_opts *o)
{
	struct pprof pp = {.m = m, .o = o};
	int rc;
	perftools__profiles__profile__init(&pp.prof);
	pp.strings = json_object();
	pp.functions = json_object();
	pp.locations = json_object();
	pp.mappings = json_object();
	pp.samples = json_object();
	pp.proc_labels = fl_xcalloc(2 * m->nprocs + 1, sizeof(*pp.proc_labels));
	header(&pp);
	heap_samples(&pp);
	for (size_t i = 0; i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			fault_samples(&pp, i);
	rc = write_gzip(&pp.prof, f);
	release(&pp);
	return rc;
}
