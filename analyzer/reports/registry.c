/*
 * The section registry: which sections exist, in which order, and running
 * them into one report object. It is the only file that knows every
 * section; the sections know only the helpers in reports/report.h.
 */
#include "reports/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fault_summary.h"
#include "model/heap_fold.h"
#include "reports/compare.h"
#include "reports/report_cow.h"
#include "reports/report_faults.h"
#include "reports/report_heap.h"
#include "reports/report_io.h"
#include "reports/report_overcommit.h"
#include "reports/report_regions.h"
#include "reports/report_summary.h"
#include "reports/report_tree.h"
#include "reports/report_ws.h"
#include "util/text.h"

const struct fl_report_section fl_report_sections[] = {
    {"summary", "Summary", fl_report_summary, fl_report_summary_text, 1},
    {"tree", "Processes", fl_report_tree, fl_report_tree_text, 0},
    {"heap", "Heap", fl_report_heap, fl_report_heap_text, 0},
    {"faults", "Page faults", fl_report_faults, fl_report_faults_text, 1},
    {"regions", "Regions over time", fl_report_regions, fl_report_regions_text, 1},
    {"ws", "Working set", fl_report_ws, fl_report_ws_text, 1},
    {"overcommit", "Overcommit", fl_report_overcommit, fl_report_overcommit_text, 1},
    {"cow", "Copy-on-write", fl_report_cow, fl_report_cow_text, 1},
    {"io", "File I/O", fl_report_io, fl_report_io_text, 1},
    {NULL, NULL, NULL, NULL, 0},
};

const struct fl_report_section *fl_report_find(const char *name)
{
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

#define TOP_FINDINGS 8
#define PER_SECTION 2

static int has_text(json_t *arr, json_t *text)
{
	json_t *fd;
	size_t i;
	json_array_foreach(arr, i, fd) if (json_equal(json_object_get(fd, "text"), text)) return 1;
	return 0;
}

json_t *fl_report_top_findings(json_t *secs, size_t max)
{
	json_t *top = json_array();
	for (int pass = 0; pass < 2; pass++)
		for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
			json_t *fd,
			    *arr = json_object_get(json_object_get(secs, s->name), "findings");
			size_t i, taken = 0;
			if (!strcmp(s->name, "summary"))
				continue;
			json_array_foreach(arr, i, fd)
			{
				const char *sev =
				    json_string_value(json_object_get(fd, "severity"));
				json_t *c;
				if ((pass == 0) != (sev && !strcmp(sev, "warn")))
					continue;
				/* No section may crowd out the others; no repeats. */
				if (json_array_size(top) >= max || ++taken > PER_SECTION)
					break;
				if (has_text(top, json_object_get(fd, "text")))
					continue;
				c = json_deep_copy(fd);
				json_object_set_new(c, "section", json_string(s->name));
				json_array_append_new(top, c);
			}
		}
	return top;
}

/* The summary names the most important findings of the other sections that
 * were computed. */
static void collect_top_findings(json_t *secs)
{
	json_t *summary = json_object_get(secs, "summary");
	if (summary)
		json_object_set_new(summary, "top_findings",
				    fl_report_top_findings(secs, TOP_FINDINGS));
}

void fl_report_top_findings_text(const struct fl_model *m, const struct fl_report_opts *o,
				 size_t max, FILE *f)
{
	const char *names[sizeof(fl_report_sections) / sizeof(fl_report_sections[0])];
	size_t n = 0;
	json_t *r, *top;
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		if (strcmp(s->name, "summary"))
			names[n++] = s->name;
	r = fl_report_run(m, o, names, n);
	top = fl_report_top_findings(json_object_get(r, "sections"), max);
	fl_findings_render_top(top, "Top findings (details with 'faultline report'):", f);
	json_decref(top);
	json_decref(r);
}

static int wanted(const struct fl_report_section *s, const char *const *names, size_t nnames)
{
	int want = !names;
	for (size_t i = 0; !want && i < nnames; i++)
		want = !strcmp(names[i], s->name);
	return want;
}

/*
 * Every process's heap is folded first: the freed blocks go, and the
 * classified pass reads each block's history (the site under a fault at
 * its time) from the spans the fold keeps, 40 B a block where the blocks
 * took 64 (and the blocks and their spans are never held side by side).
 * Then the samples are classified, every selected process's now rather
 * than section by section, and the spans go. A process with samples left
 * unclassified (not selected, or no section wants them) keeps its spans:
 * a later summary may need them (a forked child's reads its parent's).
 */
static void fold_heaps(const struct fl_model *m, const struct fl_report_opts *o,
		       const char *const *names, size_t nnames)
{
	int classify = 0;
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		classify |= s->classifies && wanted(s, names, nnames);
	for (size_t i = 0; i < m->nprocs; i++)
		fl_proc_heap_fold((struct fl_proc *)m->procs[i]);
	for (size_t i = 0; classify && i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			fl_faults_summary(m, m->procs[i]);
}

json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames)
{
	json_t *r = json_object(), *secs = json_object();
	size_t nsel = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		nsel += fl_report_selected(o, m->procs[i]);
	fold_heaps(m, o, names, nnames);
	json_object_set_new(r, "trace", json_string(m->path));
	json_object_set_new(r, "processes", json_integer((json_int_t)nsel));
	json_object_set_new(r, "events", json_integer((json_int_t)m->nevents));
	json_object_set_new(r, "errors", json_integer((json_int_t)m->nerrors));
	if (o->pid >= 0)
		json_object_set_new(r, "pid", json_integer(o->pid));
	/* record --repeat: every section sums all runs; this says how they spread */
	if (fl_runs_count(m) > 1)
		json_object_set_new(r, "runs", fl_runs_json(m, o));
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
		if (wanted(s, names, nnames)) {
			json_t *sec = s->compute(m, o);
			fl_findings_fold(sec);
			json_object_set_new(secs, s->name, sec);
		}
	}
	json_object_set_new(r, "sections", secs);
	collect_top_findings(secs);
	return r;
}

static void render_sections(json_t *report, FILE *f)
{
	json_t *secs = json_object_get(report, "sections");
	int first = 1;
	if (json_object_get(report, "runs")) {
		fprintf(f, "== Runs ==\n");
		fl_runs_text(json_object_get(report, "runs"), f);
		first = 0;
	}
	/* Registry order, not the object's key order. */
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
		json_t *sec = json_object_get(secs, s->name);
		if (!sec)
			continue;
		if (!first)
			fputc('\n', f);
		first = 0;
		fprintf(f, "== %s ==\n", s->title);
		s->render_text(sec, f);
	}
}

void fl_report_render_text(json_t *report, FILE *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		render_sections(report, f);
		return;
	}
	/* Through one filter: every section prints names from the trace. */
	render_sections(report, mem);
	fclose(mem);
	fl_text_write_safe(f, text, len, 1);
	free(text);
}
