/*
 * faultline report: trace -> model -> sections -> text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "util/diag.h"
#include "model/model.h"
#include "render/render_html.h"
#include "reports/registry.h"
#include "model/symbols.h"

const char cmd_report_usage[] =
    "usage: faultline report [--json | --html FILE] [--section NAME]... [--pid N] [--top N]\n"
    "                        [--no-symbols] TRACE\n\n"
    "Reads a trace directory (or one <pid>.ndjson file) and prints its reports.\n\n"
    "   --json            print every section as one JSON document (doc/report-json.md)\n"
    "   --html FILE       write one self-contained HTML page with charts to FILE\n"
    "   --section NAME    only this section (repeatable); 'list' lists them\n"
    "   --pid N           only the process N (all its exec images)\n"
    "   --top N           rows per table (default 10)\n"
    "   --no-symbols      do not read symbols and debug info (faster)\n\n"
    "Bad lines in the trace are reported as FILE:LINE and skipped; the exit status is\n"
    "then 1, but the rest of the trace is still reported.\n";

static long parse_num(const char *opt, const char *s)
{
	char *end;
	long v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || v < 0)
		fl_usage("%s needs a non-negative number, not '%s'", opt, s ? s : "");
	return v;
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

static void dump_json(json_t *r, FILE *f)
{
	static struct dumpbuf d;
	d.f = f;
	d.n = 0;
	json_dump_callback(r, dump_add, &d, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	dump_flush(&d);
	putc('\n', f);
}

int cmd_report(int argc, char **argv)
{
	const char **names = calloc((size_t)argc, sizeof(*names));
	size_t nnames = 0;
	const char *trace = NULL, *html = NULL;
	int json = 0, nosym = 0, status;
	struct fl_report_opts o;
	struct fl_model m;
	json_t *r;
	fl_report_opts_init(&o);
	if (!names)
		fl_die("out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json"))
			json = 1;
		else if (!strcmp(a, "--html") || !strncmp(a, "--html=", 7)) {
			html = a[6] == '=' ? a + 7 : argv[++i];
			if (!html || !*html)
				fl_usage("--html needs a file name");
		} else if (!strcmp(a, "--no-symbols"))
			nosym = 1;
		else if (!strcmp(a, "--section") || !strncmp(a, "--section=", 10)) {
			const char *v = a[9] == '=' ? a + 10 : argv[++i];
			if (!v)
				fl_usage("--section needs a name");
			if (!strcmp(v, "list")) {
				for (const struct fl_report_section *s = fl_report_sections;
				     s->name; s++)
					printf("%-12s %s\n", s->name, s->title);
				free(names);
				return 0;
			}
			if (!fl_report_find(v))
				fl_usage(
				    "unknown section '%s'; see 'faultline report --section list'",
				    v);
			names[nnames++] = v;
		} else if (!strcmp(a, "--pid"))
			o.pid = (int32_t)parse_num("--pid", argv[++i]);
		else if (!strncmp(a, "--pid=", 6))
			o.pid = (int32_t)parse_num("--pid", a + 6);
		else if (!strcmp(a, "--top"))
			o.top = (int)parse_num("--top", argv[++i]);
		else if (!strncmp(a, "--top=", 6))
			o.top = (int)parse_num("--top", a + 6);
		else if (a[0] == '-' && a[1])
			fl_usage("unknown option '%s'; see 'faultline report --help'", a);
		else if (trace)
			fl_usage("one trace at a time (got '%s' and '%s')", trace, a);
		else
			trace = a;
	}
	if (!trace)
		fl_usage("which trace? see 'faultline report --help'");
	if (fl_model_load(&m, trace) < 0) {
		fl_model_release(&m);
		free(names);
		return 1;
	}
	if (o.pid >= 0 && !fl_model_find_pid(&m, o.pid, NULL, 0)) {
		fl_model_release(&m);
		free(names);
		fl_die("no process %d in '%s'", (int)o.pid, trace);
	}
	o.syms = nosym ? NULL : fl_symbols_new(0);
	o.color = !json && isatty(1) && !getenv("NO_COLOR");
	r = fl_report_run(&m, &o, nnames ? names : NULL, nnames);
	if (html) {
		FILE *f = fopen(html, "w");
		if (!f)
			fl_die("cannot open '%s': %m", html);
		if (fl_render_html(f, r, &m, &o) < 0 || fclose(f) != 0)
			fl_die("error writing '%s'", html);
		if (json)
			dump_json(r, stdout);
	} else if (json) {
		dump_json(r, stdout);
	} else {
		fl_report_render_text(r, stdout);
	}
	status = m.nerrors ? 1 : 0;
	json_decref(r);
	fl_symbols_free(o.syms);
	fl_model_release(&m);
	free(names);
	return status;
}
