/*
 * faultline compare A B: two traces side by side (typically the same job
 * done with read() and with mmap()), and a verdict on the trade-off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_io.h"

const char cmd_compare_usage[] =
    "usage: faultline compare [--json] [--pid-a ID] [--pid-b ID] TRACE_A TRACE_B\n\n"
    "Compares two runs: wall and CPU time, read() calls and bytes copied to user\n"
    "space, page faults by class and per MiB of file data, file pages mapped, peak\n"
    "RSS, dTLB misses (or the TLB model), and a verdict naming the trade-off, e.g.\n"
    "whether switching read() to mmap() paid off.\n\n"
    "   --json        print the comparison as JSON (doc/report-json.md)\n"
    "   --pid-a ID    only process ID of TRACE_A (1234, or one image: 1234.2);\n"
    "                 likewise --pid-b for TRACE_B\n";

enum { OPT_JSON = 1, OPT_PID_A, OPT_PID_B };

static const struct fl_option compare_options[] = {
    {OPT_JSON, "json", 0, FL_OPT_FLAG, NULL},
    {OPT_PID_A, "pid-a", 0, FL_OPT_STRING, NULL},
    {OPT_PID_B, "pid-b", 0, FL_OPT_STRING, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

static int parse(int argc, char **argv, const char *path[2], struct fl_report_opts o[2])
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id, json = 0, n = 0;
	fl_opts_init(&p, "compare", cmd_compare_usage, compare_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		if (id == OPT_JSON)
			json = 1;
		else if (id == OPT_PID_A || id == OPT_PID_B)
			fl_opt_pid(id == OPT_PID_A ? "--pid-a" : "--pid-b", v.str,
				   &o[id == OPT_PID_B].pid, &o[id == OPT_PID_B].image);
		else if (n < 2)
			path[n++] = v.str;
		else
			fl_usage("compare takes two traces, not three ('%s')", v.str);
	}
	if (n != 2)
		fl_usage("compare needs two traces; see 'faultline compare --help'");
	return json;
}

int cmd_compare(int argc, char **argv)
{
	const char *path[2] = {NULL, NULL};
	int json, status = 0;
	struct fl_report_opts o[2];
	struct fl_model m[2];
	struct fl_io_profile prof[2];
	fl_report_opts_init(&o[0]);
	fl_report_opts_init(&o[1]);
	json = parse(argc, argv, path, o);
	for (int k = 0; k < 2; k++) {
		o[k].syms = NULL; /* the comparison needs no symbols */
		if (fl_model_load(&m[k], path[k]) < 0) {
			if (k)
				fl_model_release(&m[0]);
			fl_model_release(&m[k]);
			return 1;
		}
		if (m[k].nerrors)
			status = 1;
		fl_io_profile(&m[k], &o[k], &prof[k]);
	}
	json_t *cmp = fl_compare(&prof[0], &prof[1], path[0], path[1]);
	if (json) {
		json_dumpf(cmp, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		fl_compare_text(cmp, stdout);
	}
	json_decref(cmp);
	fl_model_release(&m[0]);
	fl_model_release(&m[1]);
	return status;
}
