/*
 * faultline top [options] -- PROGRAM [ARGS...]
 *
 * A live view of a recording. A child runs `faultline record` itself (the
 * same trace directory, the same files: `report` reads it afterwards), and
 * every tick this process reads what the trace files grew by since the last
 * tick: the counters (RSS, exact fault counts), heap totals, fault samples
 * and heap records. Only new bytes are read, so a refresh costs what the
 * program wrote in one tick, not the whole trace.
 *
 * The live figures are a glance, not the report: fault classes here come
 * from the VMA each sample fell in (anonymous, file, stack), without the
 * per-page history that tells copy-on-write from a first touch; the report
 * classifies them exactly afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "faultline/schema.h"
#include "util/diag.h"
#include "util/fmt.h"
#include "util/u64map.h"
#include "util/xalloc.h"

const char cmd_top_usage[] =
    "usage: faultline top [-o DIR] [--force] [--interval MS] [--top N] [--all]\n"
    "                     [--faults all|off|N] [--] PROGRAM [ARGS...]\n\n"
    "Records PROGRAM as 'faultline record' does and shows, while it runs, each\n"
    "process's RSS, page faults (exact counts, and the samples by the kind of\n"
    "memory they hit), live heap and the heap sites holding the most. On a\n"
    "terminal the screen is redrawn each tick; otherwise one line per tick.\n"
    "The trace stays for 'faultline report DIR'. Returns PROGRAM's exit status.\n\n"
    "  -o, --output DIR     trace directory (default as record's)\n"
    "      --force          replace the traces in an existing output directory\n"
    "      --interval MS    refresh and sampler tick (default 100)\n"
    "      --top N          heap sites shown (default 5)\n"
    "      --all            record every heap call (exact sites, as record --all)\n"
    "      --faults all|off|N  page-fault samples, as record's option\n";

enum { OPT_OUTPUT = 1, OPT_FORCE, OPT_INTERVAL, OPT_TOP, OPT_ALL, OPT_FAULTS };

static const struct fl_option top_options[] = {
    {OPT_OUTPUT, "output", 'o', FL_OPT_STRING, NULL},
    {OPT_FORCE, "force", 0, FL_OPT_FLAG, NULL},
    {OPT_INTERVAL, "interval", 0, FL_OPT_INT, NULL},
    {OPT_TOP, "top", 0, FL_OPT_INT, NULL},
    {OPT_ALL, "all", 0, FL_OPT_FLAG, NULL},
    {OPT_FAULTS, "faults", 0, FL_OPT_STRING, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

struct top_opts {
	const char *out, *faults;
	int force, all;
	unsigned interval_ms, top;
};

/* The kinds of memory a fault sample can hit, as far as the VMA tells. */
enum fault_kind { FK_ANON, FK_FILE_CACHE, FK_FILE_DISK, FK_SWAP_IN, FK_STACK, FK_OTHER, FK_COUNT };
static const char *const fault_kind_names[FK_COUNT] = {
    "anon", "file-cache", "file-disk", "swap-in", "stack", "other",
};

struct vma {
	uint64_t start, end, offset;
	char *path; /* "" for anonymous memory */
};

/* One trace file, read as it grows. */
struct top_proc {
	char *file;
	off_t off;
	char *partial; /* an unfinished last line */
	size_t npartial;
	long pid;
	char *exe;
	int exited, all;
	int64_t rss, minflt, majflt, heap_live, heap_peak; /* -1 until seen */
	uint64_t faults[FK_COUNT];			   /* samples x period */
	struct vma *vmas;
	size_t nvmas;
	struct fl_u64map block_weight, block_stack; /* sampled block addr -> its record */
	struct fl_u64map site_live, site_frame;	    /* stack id -> live bytes, frame 0 */
};

struct top_view {
	const char *dir, *prog;
	struct top_proc *procs;
	size_t nprocs;
	struct timespec start;
	int tty;
	unsigned top;
};

/* Returns the index of PROGRAM in argv. */
static int parse(int argc, char **argv, struct top_opts *o)
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id;
	fl_opts_init(&p, "top", cmd_top_usage, top_options, argc, argv);
	p.stop_at_operand = 1;
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		switch (id) {
		case FL_OPT_OPERAND:
			return fl_opts_index(&p) - 1;
		case OPT_OUTPUT:
			o->out = v.str;
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_INTERVAL:
			if (v.num < 1 || v.num > 60000)
				fl_usage("--interval takes 1 to 60000 ms, not '%s'", v.str);
			o->interval_ms = (unsigned)v.num;
			break;
		case OPT_TOP:
			if (v.num > 1000)
				fl_usage("--top takes at most 1000 sites, not '%s'", v.str);
			o->top = (unsigned)v.num;
			break;
		case OPT_ALL:
			o->all = 1;
			break;
		case OPT_FAULTS:
			cmd_record_check_faults(v.str);
			o->faults = v.str;
			break;
		}
	}
	fl_usage("no program given; usage: faultline top [-o DIR] -- PROGRAM [ARGS...]");
}

static int64_t jint(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static uint64_t jaddr(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? strtoull(s, NULL, 16) : 0;
}

static const struct vma *vma_at(const struct top_proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nvmas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (addr < p->vmas[mid].start)
			hi = mid;
		else if (addr >= p->vmas[mid].end)
			lo = mid + 1;
		else
			return &p->vmas[mid];
	}
	return NULL;
}

static void free_vmas(struct top_proc *p)
{
	for (size_t i = 0; i < p->nvmas; i++)
		free(p->vmas[i].path);
	free(p->vmas);
	p->vmas = NULL;
	p->nvmas = 0;
}

/* A maps line is the whole address space, sorted as /proc/PID/maps is. */
static void on_maps(struct top_proc *p, json_t *o)
{
	json_t *vmas = json_object_get(o, "vmas"), *row;
	size_t i;
	free_vmas(p);
	p->vmas = fl_xcalloc(json_array_size(vmas) + 1, sizeof(*p->vmas));
	json_array_foreach(vmas, i, row)
	{
		const char *path = json_string_value(json_array_get(row, 5));
		struct vma *v = &p->vmas[p->nvmas++];
		v->start = jaddr(json_array_get(row, 0));
		v->end = jaddr(json_array_get(row, 1));
		v->offset = jaddr(json_array_get(row, 3));
		v->path = fl_xstrdup(path ? path : "");
	}
}

/*
 * A mapping made since the last maps line (those come once per tick at
 * most): its faults would have no VMA until the next one, which replaces
 * this guess with the kernel's own view.
 */
static void on_mmap(struct top_proc *p, json_t *o)
{
	uint64_t start = jaddr(json_object_get(o, "result")), size = (uint64_t)jint(o, "size", 0);
	const char *path = json_string_value(json_object_get(o, "path"));
	size_t at = 0;
	if (jint(o, "errno", 0) || !start || !size || vma_at(p, start))
		return;
	while (at < p->nvmas && p->vmas[at].start < start)
		at++;
	if (at < p->nvmas && p->vmas[at].start < start + size)
		return; /* overlaps what the kernel showed: leave it to the next maps line */
	p->vmas = fl_xrealloc(p->vmas, (p->nvmas + 1) * sizeof(*p->vmas));
	memmove(p->vmas + at + 1, p->vmas + at, (p->nvmas - at) * sizeof(*p->vmas));
	p->vmas[at] = (struct vma){start, start + size, (uint64_t)jint(o, "offset", 0),
				   fl_xstrdup(path ? path : "")};
	p->nvmas++;
}

static enum fault_kind kind_of(const struct top_proc *p, uint64_t addr, int major)
{
	const struct vma *v = vma_at(p, addr);
	if (!v)
		return FK_OTHER;
	if (!strcmp(v->path, "[stack]"))
		return FK_STACK;
	if (!v->path[0] || !strcmp(v->path, "[heap]"))
		return major ? FK_SWAP_IN : FK_ANON;
	if (v->path[0] == '[')
		return FK_OTHER;
	return major ? FK_FILE_DISK : FK_FILE_CACHE;
}

static void on_faults(struct top_proc *p, json_t *o)
{
	json_t *row;
	size_t i;
	int64_t period = jint(o, "period", 1);
	json_array_foreach(json_object_get(o, "samples"), i, row)
	{
		uint64_t addr = jaddr(json_array_get(row, 0));
		int major = json_integer_value(json_array_get(row, 4)) == 1;
		p->faults[kind_of(p, addr, major)] += (uint64_t)(period > 0 ? period : 1);
	}
}

static void site_add(struct top_proc *p, uint64_t stack, int64_t delta)
{
	uint64_t *live = fl_u64map_slot(&p->site_live, stack);
	*live = delta < 0 && (uint64_t)-delta > *live ? 0 : *live + (uint64_t)delta;
}

/* A sampled block stands for `weight` bytes of its site until it is freed. */
static void block_alloc(struct top_proc *p, uint64_t addr, uint64_t stack, int64_t weight)
{
	if (p->all || !addr || weight <= 0)
		return;
	*fl_u64map_slot(&p->block_weight, addr) = (uint64_t)weight;
	*fl_u64map_slot(&p->block_stack, addr) = stack;
	site_add(p, stack, weight);
}

static void block_free(struct top_proc *p, uint64_t addr)
{
	uint64_t *w = fl_u64map_get(&p->block_weight, addr);
	uint64_t *st = fl_u64map_get(&p->block_stack, addr);
	if (p->all || !w || !st || !*w)
		return;
	site_add(p, *st, -(int64_t)*w);
	*w = 0;
}

/* --all: the sites lines carry each site's exact live bytes. */
static void on_sites(struct top_proc *p, json_t *o)
{
	json_t *row;
	size_t i;
	json_array_foreach(json_object_get(o, "sites"), i, row) *
	    fl_u64map_slot(&p->site_live, (uint64_t)json_integer_value(json_array_get(row, 0))) =
	    (uint64_t)json_integer_value(json_array_get(row, 4));
}

static void on_line(struct top_proc *p, json_t *o)
{
	const char *e = json_string_value(json_object_get(o, "e"));
	if (!e)
		return;
	if (!strcmp(e, "header")) {
		p->pid = (long)jint(o, "pid", 0);
		free(p->exe);
		p->exe = fl_xstrdup(json_string_value(json_object_get(o, "exe")) ?: "?");
		p->all = json_is_true(json_object_get(json_object_get(o, "options"), "all"));
	} else if (!strcmp(e, "counters")) {
		p->rss = jint(o, "rss_anon", 0) + jint(o, "rss_file", 0) + jint(o, "rss_shmem", 0);
		p->minflt = jint(o, "ru_minflt", jint(o, "minflt", -1));
		p->majflt = jint(o, "ru_majflt", jint(o, "majflt", -1));
	} else if (!strcmp(e, "heap")) {
		p->heap_live = jint(o, "live", -1);
		p->heap_peak = jint(o, "peak", -1);
	} else if (!strcmp(e, "maps")) {
		on_maps(p, o);
	} else if (!strcmp(e, "mmap")) {
		on_mmap(p, o);
	} else if (!strcmp(e, "faults")) {
		on_faults(p, o);
	} else if (!strcmp(e, "stack")) {
		*fl_u64map_slot(&p->site_frame, (uint64_t)jint(o, "id", 0)) =
		    jaddr(json_array_get(json_object_get(o, "frames"), 0));
	} else if (!strcmp(e, "alloc")) {
		block_alloc(p, jaddr(json_object_get(o, "addr")), (uint64_t)jint(o, "stack", 0),
			    jint(o, "weight", 0));
	} else if (!strcmp(e, "realloc")) {
		block_free(p, jaddr(json_object_get(o, "old_addr")));
		block_alloc(p, jaddr(json_object_get(o, "addr")), (uint64_t)jint(o, "stack", 0),
			    jint(o, "weight", 0));
	} else if (!strcmp(e, "free")) {
		block_free(p, jaddr(json_object_get(o, "addr")));
	} else if (!strcmp(e, "sites")) {
		on_sites(p, o);
	} else if (!strcmp(e, "exit")) {
		p->exited = 1;
	}
}

static void on_text(struct top_proc *p, const char *line, size_t n)
{
	json_t *o = json_loadb(line, n, 0, NULL);
	/* A line that does not parse is the report's to name; the view skips it. */
	if (json_is_object(o))
		on_line(p, o);
	json_decref(o);
}

/* Reads what the file grew by; hands each complete line to on_text. */
static void poll_file(struct top_proc *p, int dirfd)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = openat(dirfd, p->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	while ((n = pread(fd, buf, sizeof(buf), p->off)) > 0) {
		size_t start = 0;
		p->off += n;
		for (size_t i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n')
				continue;
			if (p->npartial) {
				p->partial = fl_xrealloc(p->partial, p->npartial + i - start);
				memcpy(p->partial + p->npartial, buf + start, i - start);
				on_text(p, p->partial, p->npartial + i - start);
				p->npartial = 0;
			} else {
				on_text(p, buf + start, i - start);
			}
			start = i + 1;
		}
		p->partial = fl_xrealloc(p->partial, p->npartial + (size_t)n - start + 1);
		memcpy(p->partial + p->npartial, buf + start, (size_t)n - start);
		p->npartial += (size_t)n - start;
	}
	close(fd);
}

static int is_trace_file(const char *name)
{
	size_t n = strlen(name), ext = strlen(FL_TRACE_FILE_EXT);
	return n > ext && !strcmp(name + n - ext, FL_TRACE_FILE_EXT);
}

static struct top_proc *proc_of(struct top_view *v, const char *file)
{
	struct top_proc *p;
	for (size_t i = 0; i < v->nprocs; i++)
		if (!strcmp(v->procs[i].file, file))
			return &v->procs[i];
	v->procs = fl_xrealloc(v->procs, (v->nprocs + 1) * sizeof(*v->procs));
	p = &v->procs[v->nprocs++];
	memset(p, 0, sizeof(*p));
	p->file = fl_xstrdup(file);
	p->rss = p->minflt = p->majflt = p->heap_live = p->heap_peak = -1;
	fl_u64map_init(&p->block_weight);
	fl_u64map_init(&p->block_stack);
	fl_u64map_init(&p->site_live);
	fl_u64map_init(&p->site_frame);
	return p;
}

/* Every trace file of the directory, new ones (children) included. */
static void poll_dir(struct top_view *v)
{
	DIR *d = opendir(v->dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (is_trace_file(e->d_name))
			poll_file(proc_of(v, e->d_name), dirfd(d));
	closedir(d);
}

static double elapsed_s(const struct top_view *v)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - v->start.tv_sec) + (now.tv_nsec - v->start.tv_nsec) / 1e9;
}

static const char *opt_bytes(char *buf, size_t len, int64_t v)
{
	return v < 0 ? "-" : fl_fmt_bytes(buf, len, (double)v);
}

static const char *opt_count(char *buf, size_t len, int64_t v)
{
	return v < 0 ? "-" : fl_fmt_count(buf, len, (uint64_t)v);
}

/* Sums over the processes still running (an exited one holds no memory). */
struct totals {
	int64_t rss, minflt, majflt, heap_live;
	uint64_t faults[FK_COUNT];
	size_t running;
};

static void add_known(int64_t *acc, int64_t v)
{
	if (v >= 0)
		*acc = (*acc < 0 ? 0 : *acc) + v;
}

static void totals_of(const struct top_view *v, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->rss = t->minflt = t->majflt = t->heap_live = -1;
	for (size_t i = 0; i < v->nprocs; i++) {
		const struct top_proc *p = &v->procs[i];
		add_known(&t->minflt, p->minflt);
		add_known(&t->majflt, p->majflt);
		for (int k = 0; k < FK_COUNT; k++)
			t->faults[k] += p->faults[k];
		if (p->exited)
			continue;
		t->running++;
		add_known(&t->rss, p->rss);
		add_known(&t->heap_live, p->heap_live);
	}
}

static void print_fault_kinds(const uint64_t *faults, FILE *f)
{
	char b[32];
	for (int k = 0; k < FK_COUNT; k++)
		fprintf(f, " %s %s", fault_kind_names[k], fl_fmt_count(b, sizeof(b), faults[k]));
}

/* Not a terminal: one line per tick, for logs and pipes. */
static void draw_line(const struct top_view *v, FILE *f)
{
	struct totals t;
	char b1[32], b2[32], b3[32], b4[32];
	totals_of(v, &t);
	fprintf(f, "%.1fs processes %zu rss %s minflt %s majflt %s heap %s faults:", elapsed_s(v),
		t.running, opt_bytes(b1, sizeof(b1), t.rss), opt_count(b2, sizeof(b2), t.minflt),
		opt_count(b3, sizeof(b3), t.majflt), opt_bytes(b4, sizeof(b4), t.heap_live));
	print_fault_kinds(t.faults, f);
	fputc('\n', f);
}

struct site_row {
	uint64_t live, frame;
	const struct top_proc *p;
};

static int by_live_desc(const void *a, const void *b)
{
	const struct site_row *x = a, *y = b;
	return x->live < y->live ? 1 : x->live > y->live ? -1 : 0;
}

/* "libfoo.so.1+0x1234": a frame named by where it is mapped from (no
 * symbols: reading debug info every tick would cost more than the view). */
static void frame_text(const struct top_proc *p, uint64_t addr, char *buf, size_t len)
{
	const struct vma *v = vma_at(p, addr);
	const char *base = v && v->path[0] ? strrchr(v->path, '/') : NULL;
	if (v && v->path[0])
		snprintf(buf, len, "%s+0x%" PRIx64, base ? base + 1 : v->path,
			 addr - v->start + v->offset);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

static void draw_sites(const struct top_view *v, FILE *f)
{
	struct site_row *rows = NULL;
	size_t n = 0, cap = 0;
	char b1[32], fr[256];
	for (size_t i = 0; i < v->nprocs; i++) {
		const struct top_proc *p = &v->procs[i];
		for (size_t k = 0; k < p->site_live.cap; k++) {
			uint64_t *frame;
			if (!fl_u64map_used(&p->site_live, k) || !p->site_live.vals[k])
				continue;
			if (n == cap)
				rows =
				    fl_xrealloc(rows, (cap = cap ? 2 * cap : 64) * sizeof(*rows));
			frame = fl_u64map_get(&p->site_frame, p->site_live.keys[k]);
			rows[n++] = (struct site_row){p->site_live.vals[k], frame ? *frame : 0, p};
		}
	}
	if (n)
		qsort(rows, n, sizeof(*rows), by_live_desc);
	fprintf(f, "\nHeap sites holding the most (%s):\n",
		v->nprocs && v->procs[0].all ? "exact" : "estimates from samples");
	for (size_t i = 0; i < n && i < v->top; i++) {
		frame_text(rows[i].p, rows[i].frame, fr, sizeof(fr));
		fprintf(f, "  %10s  %-8ld %s\n", fl_fmt_bytes(b1, sizeof(b1), (double)rows[i].live),
			rows[i].p->pid, fr);
	}
	if (!n)
		fprintf(f, "  none yet\n");
	free(rows);
}

/* A terminal: the whole screen, redrawn each tick. */
static void draw_screen(const struct top_view *v, FILE *f)
{
	struct totals t;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	totals_of(v, &t);
	fputs("\033[H\033[2J", f);
	fprintf(f, "faultline top: %s   %.1f s   %zu running   trace %s\n\n", v->prog, elapsed_s(v),
		t.running, v->dir);
	fprintf(f, "%-8s %-9s %10s %12s %10s %11s %11s\n", "PID", "STATE", "RSS", "MINFLT",
		"MAJFLT", "HEAP LIVE", "HEAP PEAK");
	for (size_t i = 0; i < v->nprocs; i++) {
		const struct top_proc *p = &v->procs[i];
		fprintf(f, "%-8ld %-9s %10s %12s %10s %11s %11s  %s\n", p->pid,
			p->exited ? "exited" : "running", opt_bytes(b1, sizeof(b1), p->rss),
			opt_count(b2, sizeof(b2), p->minflt), opt_count(b3, sizeof(b3), p->majflt),
			opt_bytes(b4, sizeof(b4), p->heap_live),
			opt_bytes(b5, sizeof(b5), p->heap_peak), p->exe ? p->exe : "");
	}
	fprintf(f, "\nFault samples by memory kind (x period; the report tells COW apart):\n ");
	print_fault_kinds(t.faults, f);
	fputc('\n', f);
	draw_sites(v, f);
}

static void draw(const struct top_view *v)
{
	if (v->tty)
		draw_screen(v, stdout);
	else
		draw_line(v, stdout);
	fflush(stdout);
}

static void view_release(struct top_view *v)
{
	for (size_t i = 0; i < v->nprocs; i++) {
		struct top_proc *p = &v->procs[i];
		free(p->file);
		free(p->partial);
		free(p->exe);
		free_vmas(p);
		fl_u64map_release(&p->block_weight);
		fl_u64map_release(&p->block_stack);
		fl_u64map_release(&p->site_live);
		fl_u64map_release(&p->site_frame);
	}
	free(v->procs);
}

static pid_t recorder_pid;

static void forward(int sig)
{
	if (recorder_pid > 0)
		kill(recorder_pid, sig);
}

/* The recorder: `faultline record -q -o DIR ... -- PROGRAM ARGS`, in a child
 * of ours, so that everything record does (the directory's checks, the
 * environment, signal forwarding, the exit status) is record's own. */
static pid_t start_recorder(const struct top_opts *o, const char *dir, char **prog)
{
	char interval[24], **args;
	int argc = 0, n = 0;
	pid_t pid;
	while (prog[n])
		n++;
	args = fl_xcalloc((size_t)n + 16, sizeof(*args));
	snprintf(interval, sizeof(interval), "%u", o->interval_ms);
	args[argc++] = "record";
	args[argc++] = "-q";
	args[argc++] = "-o";
	args[argc++] = (char *)dir;
	args[argc++] = "--interval";
	args[argc++] = interval;
	/* The view reads the new lines of plain files as they are written. */
	args[argc++] = "--no-compress";
	if (o->force)
		args[argc++] = "--force";
	if (o->all)
		args[argc++] = "--all";
	if (o->faults) {
		args[argc++] = "--faults";
		args[argc++] = (char *)o->faults;
	}
	args[argc++] = "--";
	for (int i = 0; i < n; i++)
		args[argc++] = prog[i];
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fl_die("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		int status = cmd_record(argc, args);
		fflush(NULL);
		_exit(status);
	}
	free(args);
	return pid;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int cmd_top(int argc, char **argv)
{
	struct top_opts o = {NULL, NULL, 0, 0, 100, 5};
	struct top_view v = {0};
	struct sigaction sa = {0}, ign = {0};
	int first = parse(argc, argv, &o), status, done = 0;
	char *dir = NULL;

	if (!o.out)
		o.out = dir = cmd_record_default_dir(argv[first]);
	v.dir = o.out;
	v.prog = argv[first];
	v.top = o.top;
	v.tty = isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &v.start);
	recorder_pid = start_recorder(&o, o.out, argv + first);
	/* The terminal's ^C and ^\ reach the whole process group: the program
	 * decides what they mean; the view stays to draw its last frame. */
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!done) {
		pid_t r;
		sleep_ms(o.interval_ms);
		while ((r = waitpid(recorder_pid, &status, WNOHANG)) < 0 && errno == EINTR)
			;
		if (r < 0)
			fl_die("waitpid: %s", strerror(errno));
		done = r == recorder_pid;
		poll_dir(&v);
		draw(&v);
	}
	if (v.tty || v.nprocs)
		fprintf(stderr, "faultline: trace in '%s'; see 'faultline report %s'\n", v.dir,
			v.dir);
	view_release(&v);
	free(dir);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}
