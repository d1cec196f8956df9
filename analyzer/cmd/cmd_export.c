/*
 * faultline export --format folded|perfetto|json [-o FILE] TRACE
 *
 * The trace in another tool's format: flame graphs (folded stacks), the
 * Perfetto UI (Chrome trace events), or the whole model as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/diag.h"
#include "export/export.h"
#include "model/model.h"
#include "reports/report.h"
#include "model/symbols.h"

const char cmd_export_usage[] =
    "usage: faultline export --format folded|perfetto|json [-o FILE] [--pid N]\n"
    "                        [--no-symbols] TRACE\n\n"
    "Writes the trace in another tool's format, to standard output or FILE.\n\n"
    "   --format folded     collapsed stacks for flamegraph.pl, speedscope, inferno:\n"
    "                       'alloc;...' lines weighted by bytes allocated, 'fault;...'\n"
    "                       lines weighted by page faults; root frame first\n"
    "   --format perfetto   Chrome trace event JSON (Perfetto UI, chrome://tracing):\n"
    "                       processes, threads, RSS/virtual/working-set/fault counters,\n"
    "                       fork, exec and mmap instants\n"
    "   --format json       the whole analysed model as one JSON document\n"
    "   -o, --output FILE   write to FILE instead of standard output\n"
    "   --pid N             only the process N (all its exec images)\n"
    "   --no-symbols        frames as object+offset, without reading symbols\n";

static const char *value(int argc, char **argv, int *i)
{
	const char *eq = strchr(argv[*i], '=');
	if (argv[*i][1] == '-' && eq)
		return eq + 1;
	if (*i + 1 >= argc)
		fl_usage("option '%s' needs a value", argv[*i]);
	return argv[++*i];
}

static int is_opt(const char *a, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(a, name, n) && (a[n] == 0 || (a[n] == '=' && name[1] == '-'));
}

int cmd_export(int argc, char **argv)
{
	const char *format = NULL, *out = NULL, *trace = NULL;
	int nosym = 0, rc;
	struct fl_report_opts o;
	struct fl_model m;
	FILE *f = stdout;

	fl_report_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (is_opt(a, "--format") || is_opt(a, "-f"))
			format = value(argc, argv, &i);
		else if (is_opt(a, "--output") || is_opt(a, "-o"))
			out = value(argc, argv, &i);
		else if (is_opt(a, "--pid")) {
			char *end;
			const char *v = value(argc, argv, &i);
			long pid = strtol(v, &end, 10);
			if (!*v || *end || pid < 0)
				fl_usage("--pid needs a process id, not '%s'", v);
			o.pid = (int32_t)pid;
		} else if (!strcmp(a, "--no-symbols"))
			nosym = 1;
		else if (a[0] == '-' && a[1])
			fl_usage("unknown option '%s'; see 'faultline export --help'", a);
		else if (trace)
			fl_usage("one trace at a time (got '%s' and '%s')", trace, a);
		else
			trace = a;
	}
	if (!format)
		fl_usage("which format? --format folded, perfetto or json");
	if (strcmp(format, "folded") && strcmp(format, "perfetto") && strcmp(format, "json"))
		fl_usage("unknown format '%s'; use folded, perfetto or json", format);
	if (!trace)
		fl_usage("which trace? see 'faultline export --help'");
	if (fl_model_load(&m, trace) < 0) {
		fl_model_release(&m);
		return 1;
	}
	if (o.pid >= 0 && !fl_model_find_pid(&m, o.pid, NULL, 0)) {
		fl_model_release(&m);
		fl_die("no process %d in '%s'", (int)o.pid, trace);
	}
	if (out && !(f = fopen(out, "w"))) {
		fl_model_release(&m);
		fl_die("cannot open '%s': %m", out);
	}
	o.syms = nosym || strcmp(format, "folded") ? NULL : fl_symbols_new(FL_SYM_NO_LINES);
	if (!strcmp(format, "folded"))
		rc = fl_export_folded(f, &m, &o);
	else if (!strcmp(format, "perfetto"))
		rc = fl_export_perfetto(f, &m, &o);
	else
		rc = fl_export_json(f, &m, &o);
	if (out && fclose(f) != 0 && rc == 0)
		rc = fl_error("error writing '%s'", out);
	fl_symbols_free(o.syms);
	if (rc == 0 && m.nerrors)
		rc = -1; /* the bad lines were reported; the export has the rest */
	fl_model_release(&m);
	return rc ? 1 : 0;
}
