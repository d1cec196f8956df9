/*
 * faultline check: memory budgets for CI. Reads a trace, takes each measured
 * figure from the report sections (summary, heap, cow: the same numbers
 * `faultline report` prints, never computed again here) and sets it against
 * the budget the user gave. The exit status is the verdict, so a CI job can
 * gate on it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "model/model.h"
#include "reports/registry.h"
#include "util/diag.h"
#include "util/fmt.h"

const char cmd_check_usage[] =
    "usage: faultline check [--json] [--pid ID] [--max-peak-rss SIZE] [--max-peak-virtual SIZE]\n"
    "                       [--max-heap-peak SIZE] [--max-leaked SIZE] [--max-cow SIZE]\n"
    "                       [--max-major-faults N] [--max-minor-faults N] TRACE\n\n"
    "Sets the figures of a trace against budgets, one line each (name, budget,\n"
    "measured, OK or OVER), for a CI job to gate on.\n\n"
    "   --max-peak-rss SIZE      the largest process's peak resident set (VmHWM)\n"
    "   --max-peak-virtual SIZE  the largest process's peak virtual size (VmPeak)\n"
    "   --max-heap-peak SIZE     the largest process's peak live heap\n"
    "   --max-leaked SIZE        heap bytes still allocated at exit (the heap report's\n"
    "                            leak; an estimate unless recorded with --all)\n"
    "   --max-cow SIZE           bytes copied on write after fork, every fork summed\n"
    "   --max-major-faults N     major page faults, every process summed\n"
    "   --max-minor-faults N     minor page faults, every process summed\n"
    "   --json                   one JSON document instead of the lines\n"
    "   --pid ID                 only the process ID, or one image (1234.2)\n\n"
    "SIZE is in bytes, or with a suffix K, M, G, T (1M = 1048576). A figure equal to\n"
    "its budget holds. Exit status: 0 every budget holds, 1 a budget is exceeded,\n"
    "2 usage error, 3 the trace cannot be read (or has unreadable lines), 4 a\n"
    "budget's figure was not measured in this trace (and none is exceeded).\n";

/* The exit statuses, as the man page documents them. */
enum {
	CHECK_OK = 0,
	CHECK_OVER = 1,
	CHECK_BAD_TRACE = 3,
	CHECK_UNMEASURED = 4,
};

enum {
	OPT_JSON = 1,
	OPT_PID,
	OPT_PEAK_RSS,
	OPT_PEAK_VIRTUAL,
	OPT_HEAP_PEAK,
	OPT_LEAKED,
	OPT_COW,
	OPT_MAJOR_FAULTS,
	OPT_MINOR_FAULTS,
};

static const struct fl_option check_options[] = {
    {OPT_JSON, "json", 0, FL_OPT_FLAG, NULL},
    {OPT_PID, "pid", 0, FL_OPT_STRING, NULL},
    {OPT_PEAK_RSS, "max-peak-rss", 0, FL_OPT_SIZE, NULL},
    {OPT_PEAK_VIRTUAL, "max-peak-virtual", 0, FL_OPT_SIZE, NULL},
    {OPT_HEAP_PEAK, "max-heap-peak", 0, FL_OPT_SIZE, NULL},
    {OPT_LEAKED, "max-leaked", 0, FL_OPT_SIZE, NULL},
    {OPT_COW, "max-cow", 0, FL_OPT_SIZE, NULL},
    {OPT_MAJOR_FAULTS, "max-major-faults", 0, FL_OPT_INT, NULL},
    {OPT_MINOR_FAULTS, "max-minor-faults", 0, FL_OPT_INT, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

/* What a budget's figure is, as read from a report section. */
struct measured {
	int known; /* 0: the trace did not measure it (a probe was off) */
	uint64_t value;
	int estimate;	     /* a sampled figure, not a count */
	const char *source;  /* where it comes from, in the report's words */
	const char *sampled; /* an estimate: what was sampled, in words */
	double rse;	     /* relative standard error of an estimate, or -1 */
};

struct budget {
	int id;
	const char *name;    /* as the output names it */
	const char *section; /* the report section the figure is in */
	int bytes;	     /* 1: a size, 0: a count */
	void (*measure)(json_t *sections, struct measured *out);
};

static json_t *path(json_t *o, const char *a, const char *b)
{
	o = json_object_get(o, a);
	return b ? json_object_get(o, b) : o;
}

static void set_int(struct measured *out, json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		out->known = 1;
		out->value = (uint64_t)json_integer_value(v);
	}
}

/* A peak the summary took from the sampler's ticks may miss what happened
 * between two ticks: a sampled figure, a lower bound. */
static void peak_of(json_t *s, const char *key, const char *source_key, struct measured *out)
{
	json_t *src = path(s, "summary", source_key);
	set_int(out, path(s, "summary", key));
	out->source = json_string_value(src);
	out->estimate = out->source && !strcmp(out->source, "ticks");
	out->sampled = "the sampler's ticks";
}

static void measure_peak_rss(json_t *s, struct measured *out)
{
	peak_of(s, "peak_rss", "peak_rss_source", out);
}

static void measure_peak_virtual(json_t *s, struct measured *out)
{
	peak_of(s, "peak_vsz", "peak_vsz_source", out);
}

static void measure_heap_peak(json_t *s, struct measured *out)
{
	set_int(out, json_object_get(path(s, "summary", "heap"), "peak_live"));
	out->source = "heap counters";
}

static void measure_leaked(json_t *s, struct measured *out)
{
	json_t *heap = path(s, "heap", NULL);
	set_int(out, json_object_get(heap, "leaked_bytes"));
	out->estimate = json_is_true(json_object_get(heap, "estimate"));
	out->source = json_string_value(json_object_get(heap, "mode"));
	out->sampled = "heap samples; record with --all for an exact figure";
	if (out->estimate && json_is_number(json_object_get(heap, "leaked_rse")))
		out->rse = json_number_value(json_object_get(heap, "leaked_rse"));
}

/* Each fork's copies are the cow section's; the budget is on their sum. A
 * fork counted from fault samples rather than page frames is an estimate. */
static void measure_cow(json_t *s, struct measured *out)
{
	json_t *forks = path(s, "cow", "forks"), *f;
	size_t i;
	out->known = forks != NULL;
	out->source = "pfn";
	json_array_foreach(forks, i, f)
	{
		json_t *b = json_object_get(f, "bytes_copied");
		const char *method = json_string_value(json_object_get(f, "copied_method"));
		if (json_is_integer(b) && json_integer_value(b) > 0)
			out->value += (uint64_t)json_integer_value(b);
		if (method && strcmp(method, "pfn")) {
			out->estimate = 1;
			out->source = method;
			out->sampled = "fault samples";
		}
	}
	if (!json_array_size(forks))
		out->source = "no fork";
}

/* getrusage counts every fault, the kernel-mode ones too; perf only the
 * user-mode ones. The first that was measured. */
static void faults_of(json_t *s, const char *ru_key, const char *perf_key, struct measured *out)
{
	json_t *faults = path(s, "summary", "faults");
	set_int(out, json_object_get(faults, ru_key));
	out->source = "getrusage";
	if (!out->known) {
		set_int(out, json_object_get(faults, perf_key));
		out->source = "perf";
	}
}

static void measure_major(json_t *s, struct measured *out)
{
	faults_of(s, "rusage_major", "perf_major", out);
}

static void measure_minor(json_t *s, struct measured *out)
{
	faults_of(s, "rusage_minor", "perf_minor", out);
}

static const struct budget budgets[] = {
    {OPT_PEAK_RSS, "peak-rss", "summary", 1, measure_peak_rss},
    {OPT_PEAK_VIRTUAL, "peak-virtual", "summary", 1, measure_peak_virtual},
    {OPT_HEAP_PEAK, "heap-peak", "summary", 1, measure_heap_peak},
    {OPT_LEAKED, "leaked", "heap", 1, measure_leaked},
    {OPT_COW, "cow", "cow", 1, measure_cow},
    {OPT_MAJOR_FAULTS, "major-faults", "summary", 0, measure_major},
    {OPT_MINOR_FAULTS, "minor-faults", "summary", 0, measure_minor},
};
#define NBUDGETS (sizeof(budgets) / sizeof(budgets[0]))

struct check_args {
	const char *trace;
	int json;
	int given[NBUDGETS];
	uint64_t limit[NBUDGETS];
};

static void parse(int argc, char **argv, struct check_args *a, struct fl_report_opts *o)
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id, any = 0;
	fl_opts_init(&p, "check", cmd_check_usage, check_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		if (id == OPT_JSON) {
			a->json = 1;
		} else if (id == OPT_PID) {
			fl_opt_pid("--pid", v.str, &o->pid, &o->image);
		} else if (id == FL_OPT_OPERAND) {
			if (a->trace)
				fl_usage("one trace at a time (got '%s' and '%s')", a->trace,
					 v.str);
			a->trace = v.str;
		} else {
			for (size_t i = 0; i < NBUDGETS; i++)
				if (budgets[i].id == id) {
					a->given[i] = 1;
					a->limit[i] = v.num;
					any = 1;
				}
		}
	}
	if (!a->trace)
		fl_usage("which trace? see 'faultline check --help'");
	if (!any)
		fl_usage(
		    "no budget given (--max-peak-rss SIZE, ...); see 'faultline check --help'");
}

static const char *figure(char *buf, size_t len, const struct budget *b, uint64_t v)
{
	return b->bytes ? fl_fmt_bytes(buf, len, (double)v) : fl_fmt_count(buf, len, v);
}

static const char *verdict_of(const struct measured *m, uint64_t limit)
{
	if (!m->known)
		return "unmeasured";
	return m->value > limit ? "over" : "ok";
}

static void print_line(const struct budget *b, uint64_t limit, const struct measured *m)
{
	char lim[32], val[40], note[128] = "";
	const char *verdict = verdict_of(m, limit);
	figure(lim, sizeof(lim), b, limit);
	if (m->known) {
		char num[32], bytes[40];
		figure(num, sizeof(num), b, m->value);
		/* 3.00 MiB over 3.00 MiB would read as a contradiction: then the bytes */
		if (!strcmp(num, lim) && m->value != limit) {
			snprintf(lim, sizeof(lim), "%s B",
				 fl_fmt_count(bytes, sizeof(bytes), limit));
			snprintf(num, sizeof(num), "%s B",
				 fl_fmt_count(bytes, sizeof(bytes), m->value));
		}
		/* "~": a width printf counts right, and plain in any CI log */
		snprintf(val, sizeof(val), "%s%s", m->estimate ? "~" : "", num);
	} else {
		snprintf(val, sizeof(val), "-");
	}
	if (m->estimate && m->rse >= 0)
		snprintf(note, sizeof(note), "  (estimate, +-%.0f%%, from %s)", m->rse * 100,
			 m->sampled);
	else if (m->estimate)
		snprintf(note, sizeof(note), "  (estimate from %s)", m->sampled);
	else if (!m->known)
		snprintf(note, sizeof(note), "  (not measured in this trace)");
	printf("%-14s %14s %14s  %s%s\n", b->name, lim, val,
	       !strcmp(verdict, "ok")	  ? "OK"
	       : !strcmp(verdict, "over") ? "OVER"
					  : "UNMEASURED",
	       note);
}

static json_t *budget_json(const struct budget *b, uint64_t limit, const struct measured *m)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_string(b->name));
	json_object_set_new(j, "unit", json_string(b->bytes ? "bytes" : "count"));
	json_object_set_new(j, "limit", json_integer((json_int_t)limit));
	json_object_set_new(j, "measured",
			    m->known ? json_integer((json_int_t)m->value) : json_null());
	json_object_set_new(j, "estimate", json_boolean(m->estimate));
	json_object_set_new(j, "rse", m->estimate && m->rse >= 0 ? json_real(m->rse) : json_null());
	json_object_set_new(j, "source", m->source ? json_string(m->source) : json_null());
	json_object_set_new(j, "verdict", json_string(verdict_of(m, limit)));
	return j;
}

/* The sections the given budgets read, each once. */
static size_t sections_needed(const struct check_args *a, const char **names)
{
	size_t n = 0;
	for (size_t i = 0; i < NBUDGETS; i++) {
		size_t k = 0;
		if (!a->given[i])
			continue;
		while (k < n && strcmp(names[k], budgets[i].section))
			k++;
		if (k == n)
			names[n++] = budgets[i].section;
	}
	return n;
}

/* Prints every given budget against its figure; returns the verdict's status. */
static int judge(const struct check_args *a, json_t *report)
{
	json_t *sections = json_object_get(report, "sections"), *out = json_array(), *doc;
	int over = 0, unmeasured = 0, given = 0, status;
	if (!a->json)
		printf("%-14s %14s %14s  %s\n", "budget", "limit", "measured", "verdict");
	for (size_t i = 0; i < NBUDGETS; i++) {
		struct measured m = {0, 0, 0, NULL, NULL, -1};
		if (!a->given[i])
			continue;
		budgets[i].measure(sections, &m);
		given++;
		over += m.known && m.value > a->limit[i];
		unmeasured += !m.known;
		if (a->json)
			json_array_append_new(out, budget_json(&budgets[i], a->limit[i], &m));
		else
			print_line(&budgets[i], a->limit[i], &m);
	}
	status = over ? CHECK_OVER : unmeasured ? CHECK_UNMEASURED : CHECK_OK;
	if (json_integer_value(json_object_get(report, "errors")))
		status = CHECK_BAD_TRACE;
	if (!a->json) {
		json_decref(out);
		printf("%d of %d budgets exceeded%s\n", over, given,
		       status == CHECK_BAD_TRACE ? "; the trace has unreadable lines" : "");
		return status;
	}
	doc = json_pack("{s:O, s:O, s:i, s:i, s:o}", "trace", json_object_get(report, "trace"),
			"errors", json_object_get(report, "errors"), "exceeded", over, "status",
			status, "budgets", out);
	json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	struct fl_report_opts o;
	struct fl_model m;
	const char *names[NBUDGETS];
	json_t *report;
	int status;
	fl_report_opts_init(&o);
	parse(argc, argv, &a, &o);
	/* The figures are the report's, from processes folded as report's
	 * are: the load may fold their freed blocks early (memory bounded by
	 * the blocks live at a time, not by the trace's size). */
	fl_model_fold_early = 1;
	if (fl_model_load(&m, a.trace) < 0) {
		fl_model_release(&m);
		return CHECK_BAD_TRACE;
	}
	if (!cmd_pid_in_trace(&m, &o, a.trace)) {
		fl_model_release(&m);
		return CHECK_BAD_TRACE;
	}
	/* No symbols: no budget needs a frame's name, and reading debug info
	 * would be most of the time a gate takes. */
	o.syms = NULL;
	report = fl_report_run(&m, &o, names, sections_needed(&a, names));
	status = judge(&a, report);
	json_decref(report);
	fl_model_release(&m);
	return status;
}
