/*
 * The section registry and the helpers every section shares: findings,
 * number formatting, frames and stacks as JSON.
 */
#include "reports/report.h"

#include <stdarg.h>
#include <string.h>

#include "reports/report_cow.h"
#include "reports/report_faults.h"
#include "reports/report_io.h"
#include "reports/report_overcommit.h"
#include "reports/report_ws.h"
#include "util/xalloc.h"

const struct fl_report_section fl_report_sections[] = {
    {"summary", "Summary", fl_report_summary, fl_report_summary_text},
    {"tree", "Processes", fl_report_tree, fl_report_tree_text},
    {"heap", "Heap", fl_report_heap, fl_report_heap_text},
    {"faults", "Page faults", fl_report_faults, fl_report_faults_text},
    {"ws", "Working set", fl_report_ws, fl_report_ws_text},
    {"overcommit", "Overcommit", fl_report_overcommit, fl_report_overcommit_text},
    {"cow", "Copy-on-write", fl_report_cow, fl_report_cow_text},
    {"io", "File I/O", fl_report_io, fl_report_io_text},
    {NULL, NULL, NULL, NULL},
};

const struct fl_report_section *fl_report_find(const char *name)
{
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

void fl_report_opts_init(struct fl_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = -1;
	o->top = 10;
}

int fl_report_selected(const struct fl_report_opts *o, const struct fl_proc *p)
{
	return o->pid < 0 || p->pid == o->pid;
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

/*
 * The summary names the most important findings of the other sections that
 * were computed: warnings first, then the rest, in registry order.
 */
static void collect_top_findings(json_t *secs)
{
	json_t *summary = json_object_get(secs, "summary"), *top;
	if (!summary)
		return;
	top = json_array();
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
				if (json_array_size(top) >= TOP_FINDINGS || ++taken > PER_SECTION)
					break;
				if (has_text(top, json_object_get(fd, "text")))
					continue;
				c = json_deep_copy(fd);
				json_object_set_new(c, "section", json_string(s->name));
				json_array_append_new(top, c);
			}
		}
	json_object_set_new(summary, "top_findings", top);
}

json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames)
{
	json_t *r = json_object(), *secs = json_object();
	size_t nsel = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		nsel += fl_report_selected(o, m->procs[i]);
	json_object_set_new(r, "trace", json_string(m->path));
	json_object_set_new(r, "processes", json_integer((json_int_t)nsel));
	json_object_set_new(r, "events", json_integer((json_int_t)m->nevents));
	json_object_set_new(r, "errors", json_integer((json_int_t)m->nerrors));
	if (o->pid >= 0)
		json_object_set_new(r, "pid", json_integer(o->pid));
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
		int want = !names;
		for (size_t i = 0; !want && i < nnames; i++)
			want = !strcmp(names[i], s->name);
		if (want)
			json_object_set_new(secs, s->name, s->compute(m, o));
	}
	json_object_set_new(r, "sections", secs);
	collect_top_findings(secs);
	return r;
}

void fl_report_render_text(json_t *report, FILE *f)
{
	json_t *secs = json_object_get(report, "sections");
	int first = 1;
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

void fl_finding_add(json_t *obj, const char *id, const char *severity, const char *explain,
		    const char *fmt, ...)
{
	json_t *arr = json_object_get(obj, "findings"), *fd = json_object();
	char text[1024];
	va_list ap;
	if (!arr) {
		arr = json_array();
		json_object_set_new(obj, "findings", arr);
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_set_new(fd, "id", json_string(id));
	json_object_set_new(fd, "severity", json_string(severity));
	json_object_set_new(fd, "text", json_string(text));
	json_object_set_new(fd, "explain", json_string(explain));
	json_array_append_new(arr, fd);
}

void fl_findings_render(json_t *obj, FILE *f)
{
	json_t *arr = json_object_get(obj, "findings"), *fd;
	size_t i;
	if (!json_array_size(arr))
		return;
	fprintf(f, "\nFindings:\n");
	json_array_foreach(arr, i, fd)
	{
		const char *sev = json_string_value(json_object_get(fd, "severity"));
		fl_text_wrap(f, sev && !strcmp(sev, "warn") ? "  ! " : "  - ", "    ",
			     json_string_value(json_object_get(fd, "text")), 100);
		fl_text_wrap(f, "      why: ", "           ",
			     json_string_value(json_object_get(fd, "explain")), 100);
	}
}

json_t *fl_report_frame_json(const struct fl_report_opts *o, const struct fl_proc *p, uint64_t addr,
			     uint64_t t, int is_return)
{
	struct fl_sym sym;
	char buf[512];
	json_t *j = json_object();
	fl_symbols_lookup(o->syms, p, addr, t, is_return, &sym);
	json_object_set_new(j, "addr", json_string(fl_fmt_addr(buf, sizeof(buf), addr)));
	json_object_set_new(j, "func", sym.func ? json_string(sym.func) : json_null());
	json_object_set_new(j, "object", sym.object ? json_string(sym.object) : json_null());
	json_object_set_new(j, "file", sym.file ? json_string(sym.file) : json_null());
	json_object_set_new(j, "line", sym.line ? json_integer(sym.line) : json_null());
	json_object_set_new(j, "text",
			    json_string(fl_symbols_format(&sym, addr, buf, sizeof(buf))));
	return j;
}

json_t *fl_report_stack_json(const struct fl_report_opts *o, const struct fl_proc *p,
			     uint32_t stack_id, uint64_t t, int depth)
{
	const struct fl_stack *st = fl_proc_stack(p, stack_id);
	json_t *j = json_object(), *frames = json_array();
	int site = st ? fl_symbols_site_frame(o->syms, p, st, t) : 0;
	json_object_set_new(j, "stack", json_integer(stack_id));
	if (st && st->nframes) {
		json_object_set_new(j, "site", fl_report_frame_json(o, p, st->frames[site], t, 1));
		for (uint32_t i = (uint32_t)site;
		     i < st->nframes && (int)(i - (uint32_t)site) < depth; i++)
			json_array_append_new(frames,
					      fl_report_frame_json(o, p, st->frames[i], t, 1));
	} else {
		json_t *unknown = json_object();
		json_object_set_new(unknown, "addr", json_null());
		json_object_set_new(unknown, "func", json_null());
		json_object_set_new(unknown, "object", json_null());
		json_object_set_new(unknown, "file", json_null());
		json_object_set_new(unknown, "line", json_null());
		json_object_set_new(unknown, "text", json_string("(no backtrace)"));
		json_object_set_new(j, "site", unknown);
	}
	json_object_set_new(j, "frames", frames);
	return j;
}
