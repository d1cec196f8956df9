/*
 * faultline report: trace -> model -> sections -> text or JSON.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/color.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"
#include "model/model.h"
#include "render/render_html.h"
#include "reports/registry.h"
#include "model/symbols.h"

const char cmd_report_usage[] =
    "usage: faultline report [--json | --html FILE] [--section NAME]... [--pid ID] [--top N]\n"
    "                        [--no-symbols] [--color WHEN] TRACE\n\n"
    "Reads a trace directory (or one <pid>.ndjson file) and prints its reports.\n\n"
    "   --json            print every section as one JSON document (doc/report-json.md)\n"
    "   --html FILE       write one self-contained HTML page with charts to FILE\n"
    "   --section NAME    only this section (repeatable); 'list' lists them\n"
    "   --pid ID          only the process ID (all its exec images), or one image\n"
    "                     as the report names it (1234.2)\n"
    "   --top N           rows per table (default 10)\n"
    "   --no-symbols      do not read symbols and debug info (faster)\n"
    "   --color WHEN      colour headings and warnings: auto (on a terminal, unless\n"
    "                     NO_COLOR is set), always or never\n\n"
    "Options take their value as --opt VALUE or --opt=VALUE.\n"
    "Bad lines in the trace are reported as FILE:LINE and skipped; the exit status is\n"
    "then 1, but the rest of the trace is still reported.\n";

enum { OPT_JSON = 1, OPT_HTML, OPT_SECTION, OPT_PID, OPT_TOP, OPT_NO_SYMBOLS, OPT_COLOR };

static const struct fl_option report_options[] = {
    {OPT_JSON, "json", 0, FL_OPT_FLAG, NULL},
    {OPT_HTML, "html", 0, FL_OPT_STRING, NULL},
    {OPT_SECTION, "section", 0, FL_OPT_STRING, NULL},
    {OPT_PID, "pid", 0, FL_OPT_STRING, NULL},
    {OPT_TOP, "top", 0, FL_OPT_INT, NULL},
    {OPT_NO_SYMBOLS, "no-symbols", 0, FL_OPT_FLAG, NULL},
    {OPT_COLOR, "color", 0, FL_OPT_ENUM, fl_color_choices},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

struct report_args {
	const char **names;
	size_t nnames;
	const char *trace, *html;
	int json, nosym;
	enum fl_color_when color;
};

static void list_sections(void)
{
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		printf("%-12s %s\n", s->name, s->title);
}

/* Returns 0, or 1 when the command is done (--section list). */
static int parse(int argc, char **argv, struct report_args *a, struct fl_report_opts *o)
{
	struct fl_opts p;
	struct fl_opt_value v;
	int id;
	fl_opts_init(&p, "report", cmd_report_usage, report_options, argc, argv);
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END) {
		switch (id) {
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_HTML:
			a->html = v.str;
			break;
		case OPT_SECTION:
			if (!strcmp(v.str, "list")) {
				list_sections();
				return 1;
			}
			if (!fl_report_find(v.str))
				fl_usage(
				    "unknown section '%s'; see 'faultline report --section list'",
				    v.str);
			a->names[a->nnames++] = v.str;
			break;
		case OPT_PID:
			fl_opt_pid("--pid", v.str, &o->pid, &o->image);
			break;
		case OPT_TOP:
			if (v.num > INT_MAX)
				fl_usage("--top %s is more rows than a table can hold", v.str);
			o->top = (int)v.num;
			break;
		case OPT_NO_SYMBOLS:
			a->nosym = 1;
			break;
		case OPT_COLOR:
			a->color = (enum fl_color_when)v.num;
			break;
		default:
			if (a->trace)
				fl_usage("one trace at a time (got '%s' and '%s')", a->trace,
					 v.str);
			a->trace = v.str;
		}
	}
	if (!a->trace)
		fl_usage("which trace? see 'faultline report --help'");
	return 0;
}

/*
 * json_dumpf writes token by token through stdio's locked fwrite; a big
 * report has millions of tokens. Gather them in a buffer instead.
 */
struct dumpbuf {
	FILE *f;
	size_t n;
	char b[1 << 16];
};

static int dump_flush(struct dumpbuf *d)
{
	int r = d->n && fwrite(d->b, 1, d->n, d->f) != d->n ? -1 : 0;
	d->n = 0;
	return r;
}

static int dump_add(const char *buf, size_t n, void *ctx)
{
	struct dumpbuf *d = ctx;
	if (d->n + n > sizeof(d->b) && dump_flush(d) < 0)
		return -1;
	if (n > sizeof(d->b))
		return fwrite(buf, 1, n, d->f) == n ? 0 : -1;
	memcpy(d->b + d->n, buf, n);
	d->n += n;
	return 0;
}

int cmd_pid_in_trace(const struct fl_model *m, const struct fl_report_opts *o, const char *trace)
{
	if (o->pid < 0)
		return 1;
	for (size_t i = 0; i < m->nprocs; i++)
		if (fl_report_selected(o, m->procs[i]))
			return 1;
	if (o->image)
		fl_error("no process %s in '%s'", o->image, trace);
	else
		fl_error("no process %d in '%s'", (int)o->pid, trace);
	return 0;
}

static void dump_json(json_t *r, FILE *f)
{
	static struct dumpbuf d;
	d.f = f;
	d.n = 0;
	json_dump_callback(r, dump_add, &d, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	dump_flush(&d);
	putc('\n', f);
}

static int render_text(json_t *r, enum fl_color_when when)
{
	FILE *f;
	if (!fl_color_wanted(when, 1)) {
		fl_report_render_text(r, stdout);
		return 0;
	}
	f = fl_color_open(stdout);
	if (!f)
		fl_die("cannot colour the report: %m");
	fl_report_render_text(r, f);
	return fl_color_close(f);
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {0};
	int status;
	struct fl_report_opts o;
	struct fl_model m;
	json_t *r;
	fl_report_opts_init(&o);
	a.names = calloc((size_t)argc, sizeof(*a.names));
	if (!a.names)
		fl_die("out of memory");
	if (parse(argc, argv, &a, &o)) {
		free(a.names);
		return 0;
	}
	fl_model_fold_early = 1; /* every process is folded before a section reads it */
	if (fl_model_load(&m, a.trace) < 0) {
		fl_model_release(&m);
		free(a.names);
		return 1;
	}
	if (!cmd_pid_in_trace(&m, &o, a.trace)) {
		fl_model_release(&m);
		free(a.names);
		return 1;
	}
	o.syms = a.nosym ? NULL : fl_symbols_new(0);
	r = fl_report_run(&m, &o, a.nnames ? a.names : NULL, a.nnames);
	status = m.nerrors ? 1 : 0;
	if (a.html) {
		FILE *f = fopen(a.html, "w");
		if (!f)
			fl_die("cannot open '%s': %m", a.html);
		if (fl_render_html(f, r, &m, &o) < 0 || fclose(f) != 0)
			fl_die("error writing '%s'", a.html);
		if (a.json)
			dump_json(r, stdout);
	} else if (a.json) {
		dump_json(r, stdout);
	} else if (render_text(r, a.color) < 0) {
		status = 1;
	}
	json_decref(r);
	fl_symbols_free(o.syms);
	fl_model_release(&m);
	free(a.names);
	return status;
}
