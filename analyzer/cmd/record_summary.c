/*
 * After `faultline record`: where the trace went and the summary section of
 * its report. Symbols are not needed for the summary, so none are read.
 */
#include "cmd/record_summary.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/schema.h"
#include "model/model.h"
#include "model/symbols.h"
#include "reports/registry.h"

/* Bigger traces are left to `faultline report`: the summary must not keep the user waiting. */
#define SUMMARY_MAX_BYTES (512ULL << 20)

static int count_files(const char *dir, unsigned long long *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	*bytes = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (!strstr(e->d_name, FL_TRACE_FILE_EXT))
			continue;
		files++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0)
			*bytes += (unsigned long long)st.st_size;
	}
	closedir(d);
	return files;
}

void fl_record_summary(const char *dir, FILE *f)
{
	unsigned long long bytes;
	int files = count_files(dir, &bytes);
	struct fl_model m;
	struct fl_report_opts o;
	const char *names[] = {"summary"};
	json_t *r;
	fprintf(f, "faultline: trace of %d process%s written to %s\n", files,
		files == 1 ? "" : "es", dir);
	if (files && bytes > SUMMARY_MAX_BYTES)
		fprintf(f, "faultline: the trace is large (%llu MiB); no summary here\n",
			bytes >> 20);
	else if (files) {
		fl_model_fold_early = 1; /* as report's: the run folds every process first */
		if (fl_model_load(&m, dir) == 0) {
			fl_report_opts_init(&o);
			r = fl_report_run(&m, &o, names, 1);
			fl_report_render_text(r, f);
			json_decref(r);
			/* What to look at first: the findings the other sections
			 * raised (an 8 GiB reservation touched 0.8 %, say). */
			o.syms = fl_symbols_new(0);
			fl_report_top_findings_text(&m, &o, 5, f);
			fl_symbols_free(o.syms);
		}
		fl_model_release(&m);
	}
	fprintf(f, "faultline: see it with: faultline report %s\n", dir);
}
