/*
 * faultline compare A B: two traces side by side (typically the same job
 * done with read() and with mmap()), and a verdict on the trade-off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/diag.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_io.h"

const char cmd_compare_usage[] =
    "usage: faultline compare [--json] [--pid-a N] [--pid-b N] TRACE_A TRACE_B\n\n"
    "Compares two runs: wall and CPU time, read() calls and bytes copied to user\n"
    "space, page faults by class and per MiB of file data, file pages mapped, peak\n"
    "RSS, dTLB misses (or the TLB model), and a verdict naming the trade-off, e.g.\n"
    "whether switching read() to mmap() paid off.\n\n"
    "   --json        print the comparison as JSON (doc/report-json.md)\n"
    "   --pid-a N     only process N of TRACE_A (likewise --pid-b)\n";

static long num(const char *opt, const char *s)
{
	char *end;
	long v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || v < 0)
		fl_usage("%s needs a non-negative number, not '%s'", opt, s ? s : "");
	return v;
}

int cmd_compare(int argc, char **argv)
{
	const char *path[2] = {NULL, NULL};
	int json = 0, n = 0, status = 0;
	struct fl_report_opts o[2];
	struct fl_model m[2];
	struct fl_io_profile prof[2];
	fl_report_opts_init(&o[0]);
	fl_report_opts_init(&o[1]);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--pid-a") || !strcmp(a, "--pid-b"))
			o[a[6] == 'b'].pid = (int32_t)num(a, argv[++i]);
		else if (a[0] == '-' && a[1])
			fl_usage("unknown option '%s'; see 'faultline compare --help'", a);
		else if (n < 2)
			path[n++] = a;
		else
			fl_usage("compare takes two traces, not three ('%s')", a);
	}
	if (n != 2)
		fl_usage("compare needs two traces; see 'faultline compare --help'");
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
