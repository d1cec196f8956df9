/*
 * faultline export --format folded|perfetto|pprof|json [-o FILE] TRACE
 *
 * The trace in another tool's format: flame graphs (folded stacks), the
 * Perfetto UI (Chrome trace events), pprof (go tool pprof, Pyroscope,
 * Parca, Grafana), or the whole model as JSON.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "export/export.h"
#include "model/model.h"
#include "reports/report.h"
#include "model/symbols.h"

const char cmd_export_usage[] =
    "usage: faultline export --format folded|perfetto|pprof|json [-o FILE] [--pid ID]\n"
    "                        [--what alloc|peak|leaked|faults] [--no-symbols] TRACE\n\n"
    "Writes the trace in another tool's format, to standard output or FILE.\n\n"
    "   --format folded     collapsed stacks for flamegraph.pl, speedscope, inferno,\n"
    "                       one measure per file (--what); root frame first\n"
    "   --what WHAT         what the folded weights measure: alloc (bytes allocated,\n"
    "                       the default), peak (each heap site's peak live bytes),\n"
    "                       leaked (heap bytes still allocated at exit) or faults\n"
    "                       (page faults)\n"
    "   --format perfetto   Chrome trace event JSON (Perfetto UI, chrome://tracing):\n"
    "                       processes, threads, RSS/heap/virtual/working-set/fault\n"
    "                       counters, fork flows to the children, exec and mmap instants\n"
    "   --format pprof      a gzip'd profile.proto (go tool pprof, Pyroscope, Parca):\n"
    "                       alloc_space, alloc_objects, inuse_space and faults samples\n"
    "   --format json       the whole analysed model as one JSON document\n"
    "   -o, --output FILE   write to FILE instead of standard output\n"
    "   -f FORMAT           the same as --format FORMAT\n"
    "   --pid ID            only the process ID (all its exec images), or one image\n"
    "                       as the report names it (1234.2)\n"
    "   --no-symbols        frames as object+offset, without reading symbols\n";

enum { OPT_FORMAT = 1, OPT_OUTPUT, OPT_PID, OPT_WHAT, OPT_NO_SYMBOLS };
enum { FORMAT_FOLDED, FORMAT_PERFETTO, FORMAT_PPROF, FORMAT_JSON };

static const char *const formats[] = {"folded", "perfetto", "pprof", "json", NULL};
/* In the order of enum fl_folded_what. */
static const char *const whats[] = {"alloc", "peak", "leaked", "faults", NULL};

static const struct fl_option export_options[] = {
    {OPT_FORMAT, "format", 'f', FL_OPT_STRING, NULL},
    {OPT_OUTPUT, "output", 'o', FL_OPT_STRING, NULL},
    {OPT_PID, "pid", 0, FL_OPT_STRING, NULL},
    {OPT_WHAT, "what", 0, FL_OPT_ENUM, whats},
    {OPT_NO_SYMBOLS, "no-symbols", 0, FL_OPT_FLAG, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

static int parse_format(const char *s)
{
	const char *guess;
	for (int i = 0; formats[i]; i++)
		if (!strcmp(formats[i], s))
			return i;
	guess = fl_did_you_mean(s, formats);
	if (guess)
		fl_usage("unknown format '%s'; did you mean '%s'?", s, guess);
	fl_usage("unknown format '%s'; use folded, perfetto, pprof or json", s);
}

struct export_args {
	int format; /* FORMAT_*, -1 until given */
	const char *out, *trace;
	int what; /* enum fl_folded_what, -1 until given */
	int nosym;
};

static void parse(int argc, char **argv, struct export_args *a, struct fl_report_opts *o)
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id;
	fl_opts_init(&p, "export", cmd_export_usage, export_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		switch (id) {
		case OPT_FORMAT:
			a->format = parse_format(v.str);
			break;
		case OPT_OUTPUT:
			a->out = v.str;
			break;
		case OPT_PID:
			fl_opt_pid("--pid", v.str, &o->pid, &o->image);
			break;
		case OPT_WHAT:
			a->what = (int)v.num;
			break;
		case OPT_NO_SYMBOLS:
			a->nosym = 1;
			break;
		default:
			if (a->trace)
				fl_usage("one trace at a time (got '%s' and '%s')", a->trace,
					 v.str);
			a->trace = v.str;
		}
	}
	if (a->format < 0)
		fl_usage("which format? --format folded, perfetto, pprof or json");
	if (a->what >= 0 && a->format != FORMAT_FOLDED)
		fl_usage("--what chooses the weights of --format folded (pprof holds them all)");
	if (a->what < 0)
		a->what = FL_FOLDED_ALLOC;
	if (!a->trace)
		fl_usage("which trace? see 'faultline export --help'");
	if (a->format == FORMAT_PPROF && !a->out && isatty(STDOUT_FILENO))
		fl_usage("a pprof profile is binary: write it to a file with -o FILE");
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = {-1, NULL, NULL, -1, 0};
	int rc;
	struct fl_report_opts o;
	struct fl_model m;
	FILE *f = stdout;

	fl_report_opts_init(&o);
	parse(argc, argv, &a, &o);
	fl_model_keep_samples = 1; /* the exports write every sample */
	/* Heap sites come from the report's heap section (export/stacks.c), and
	 * the thread tracks from the spans the fold keeps: only the JSON model,
	 * which lists every block, needs them all kept. */
	fl_model_fold_early = a.format != FORMAT_JSON;
	if (fl_model_load(&m, a.trace) < 0) {
		fl_model_release(&m);
		return 1;
	}
	if (!cmd_pid_in_trace(&m, &o, a.trace)) {
		fl_model_release(&m);
		return 1;
	}
	if (a.out && !(f = fopen(a.out, "w"))) {
		fl_model_release(&m);
		fl_die("cannot open '%s': %m", a.out);
	}
	o.syms = a.nosym || (a.format != FORMAT_FOLDED && a.format != FORMAT_PPROF)
		     ? NULL
		     : fl_symbols_new(FL_SYM_NO_LINES);
	if (a.format == FORMAT_FOLDED)
		rc = fl_export_folded(f, &m, &o, (enum fl_folded_what)a.what);
	else if (a.format == FORMAT_PERFETTO)
		rc = fl_export_perfetto(f, &m, &o);
	else if (a.format == FORMAT_PPROF)
		rc = fl_export_pprof(f, &m, &o);
	else
		rc = fl_export_json(f, &m, &o);
	if (a.out && fclose(f) != 0 && rc == 0)
		rc = fl_error("error writing '%s'", a.out);
	fl_symbols_free(o.syms);
	if (rc == 0 && m.nerrors)
		rc = -1; /* the bad lines were reported; the export has the rest */
	fl_model_release(&m);
	return rc ? 1 : 0;
}
