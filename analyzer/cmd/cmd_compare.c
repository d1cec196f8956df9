/*
 * faultline compare A B: any two traces figure by figure (time, I/O, disk
 * reads, faults by class, RSS, page cache, heap by site), largest change
 * first, and for a read/mmap pair a verdict on the trade-off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/compare.h"
#include "render/html_compare.h"

const char cmd_compare_usage[] =
    "usage: faultline compare [--json] [--html FILE] [--top N] [--pid-a ID] [--pid-b ID]\n"
    "                         TRACE_A TRACE_B\n\n"
    "Compares two runs of anything, figure by figure, largest change first: the\n"
    "program's own time, wall and CPU time, read() calls and bytes copied, bytes\n"
    "read from disk, page faults by class, file pages mapped, peak RSS and page\n"
    "cache, dTLB misses, the heap, and the heap by site (bytes, calls, peak,\n"
    "leaked). A trace recorded with --repeat N counts by the median of its runs,\n"
    "and a change their spread covers is \"within noise\". When one run copies its\n"
    "file data with read() and the other maps it, a verdict names the faster\n"
    "one and the measured part behind it: disk reads, copies or faults.\n\n"
    "   --json        print the comparison as JSON (doc/report-json.md)\n"
    "   --html FILE   write it as an HTML page\n"
    "   --top N       heap sites shown (default 10)\n"
    "   --pid-a ID    only process ID of TRACE_A (1234, or one image: 1234.2);\n"
    "                 likewise --pid-b for TRACE_B\n";

enum { OPT_JSON = 1, OPT_HTML, OPT_TOP, OPT_PID_A, OPT_PID_B };

static const struct fl_option compare_options[] = {
    {OPT_JSON, "json", 0, FL_OPT_FLAG, NULL},	  {OPT_HTML, "html", 0, FL_OPT_STRING, NULL},
    {OPT_TOP, "top", 0, FL_OPT_INT, NULL},	  {OPT_PID_A, "pid-a", 0, FL_OPT_STRING, NULL},
    {OPT_PID_B, "pid-b", 0, FL_OPT_STRING, NULL}, {0, NULL, 0, FL_OPT_FLAG, NULL},
};

struct compare_args {
	const char *path[2];
	const char *html;
	int json;
};

static void parse(int argc, char **argv, struct compare_args *a, struct fl_report_opts o[2])
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id, n = 0;
	fl_opts_init(&p, "compare", cmd_compare_usage, compare_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		if (id == OPT_JSON)
			a->json = 1;
		else if (id == OPT_HTML)
			a->html = v.str;
		else if (id == OPT_TOP)
			o[0].top = o[1].top = v.num > 1000 ? 1000 : (int)v.num;
		else if (id == OPT_PID_A || id == OPT_PID_B)
			fl_opt_pid(id == OPT_PID_A ? "--pid-a" : "--pid-b", v.str,
				   &o[id == OPT_PID_B].pid, &o[id == OPT_PID_B].image);
		else if (n < 2)
			a->path[n++] = v.str;
		else
			fl_usage("compare takes two traces, not three ('%s')", v.str);
	}
	if (n != 2)
		fl_usage("compare needs two traces; see 'faultline compare --help'");
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = {{NULL, NULL}, NULL, 0};
	int status = 0;
	struct fl_report_opts o[2];
	struct fl_model m[2];
	fl_report_opts_init(&o[0]);
	fl_report_opts_init(&o[1]);
	parse(argc, argv, &a, o);
	/* The figures come from the heap lines, the shim's per-site lines
	 * (with --all, which the fold needs) and the first block, none of
	 * which the early fold takes away. */
	fl_model_fold_early = 1;
	for (int k = 0; k < 2; k++) {
		if (fl_model_load(&m[k], a.path[k]) < 0 ||
		    !cmd_pid_in_trace(&m[k], &o[k], a.path[k])) {
			if (k)
				fl_model_release(&m[0]);
			fl_model_release(&m[k]);
			return 1;
		}
		if (m[k].nerrors)
			status = 1;
	}
	/* sites are matched across the traces by their function names */
	o[0].syms = o[1].syms = fl_symbols_new(0);
	json_t *cmp = fl_compare(&m[0], &o[0], &m[1], &o[1], a.path[0], a.path[1]);
	if (a.html) {
		FILE *f = fopen(a.html, "w");
		if (!f)
			fl_die("cannot open '%s': %m", a.html);
		if (fl_render_compare_html(f, cmp) < 0 || fclose(f) != 0)
			fl_die("error writing '%s'", a.html);
	}
	if (a.json) {
		json_dumpf(cmp, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (!a.html) {
		fl_compare_text(cmp, stdout, o[0].top);
	}
	json_decref(cmp);
	fl_symbols_free(o[0].syms);
	fl_model_release(&m[0]);
	fl_model_release(&m[1]);
	return status;
}
