/*
 * The comparison as a page. Every text that came from a trace (names of
 * traces, sites, findings) is escaped: a trace is data from the program.
 */
#include "render/html_compare.h"

#include <math.h>
#include <string.h>

#include "render/svg.h"
#include "util/fmt.h"

static const char css[] = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
			  "table{border-collapse:collapse;margin:1em 0}"
			  "td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:right}"
			  "td:first-child,th:first-child{text-align:left}"
			  ".noise{color:#888}.verdict{font-size:1.1em;max-width:60em}"
			  "code{font-size:12px}\n";

static void figure(FILE *f, json_t *v, const char *unit)
{
	char buf[48];
	if (!json_is_number(v)) {
		fputs("n/a", f);
		return;
	}
	double d = json_number_value(v);
	if (!strcmp(unit, "bytes"))
		fputs(fl_fmt_bytes(buf, sizeof(buf), d), f);
	else if (!strcmp(unit, "ns"))
		fputs(fl_fmt_ns(buf, sizeof(buf), d), f);
	else
		fprintf(f, "%s%s", d < 0 ? "-" : "",
			fl_fmt_count(buf, sizeof(buf), (uint64_t)fabs(d)));
}

static void spread(FILE *f, json_t *s, const char *unit)
{
	figure(f, json_object_get(s, "median"), unit);
	if (json_equal(json_object_get(s, "min"), json_object_get(s, "max")))
		return;
	fputs(" <span class=\"noise\">[", f);
	figure(f, json_object_get(s, "min"), unit);
	fputs("..", f);
	figure(f, json_object_get(s, "max"), unit);
	fputs("]</span>", f);
}

static void figures(FILE *f, json_t *cmp)
{
	json_t *r;
	size_t i;
	fputs("<table>\n<caption>Figures, largest change first (median [min..max] of the "
	      "runs)</caption>\n<tr><th>figure</th><th>",
	      f);
	fl_svg_escape(f, json_string_value(json_object_get(cmp, "name_a")));
	fputs("</th><th>", f);
	fl_svg_escape(f, json_string_value(json_object_get(cmp, "name_b")));
	fputs("</th><th>change</th><th>noise</th></tr>\n", f);
	json_array_foreach(json_object_get(cmp, "figures"), i, r)
	{
		const char *unit = json_string_value(json_object_get(r, "unit"));
		json_t *ratio = json_object_get(r, "ratio");
		fputs("<tr><td>", f);
		fl_svg_escape(f, json_string_value(json_object_get(r, "label")));
		fputs("</td><td>", f);
		spread(f, json_object_get(r, "a"), unit);
		fputs("</td><td>", f);
		spread(f, json_object_get(r, "b"), unit);
		if (json_is_number(ratio))
			fprintf(f, "</td><td>%+.0f%%", (json_number_value(ratio) - 1) * 100);
		else
			fputs("</td><td>n/a", f);
		fprintf(f, "</td><td>%s</td></tr>\n",
			!strcmp(json_string_value(json_object_get(r, "noise")), "within")
			    ? "within noise"
			: !strcmp(json_string_value(json_object_get(r, "noise")), "clear")
			    ? "clear"
			    : "one run");
	}
	fputs("</table>\n", f);
}

static void sites(FILE *f, json_t *cmp)
{
	static const char *const keys[] = {"bytes", "calls", "peak", "leaked"};
	json_t *r;
	size_t i;
	if (!json_array_size(json_object_get(cmp, "heap_sites")))
		return;
	fputs("<table>\n<caption>Heap by site, largest change first (per run)</caption>\n"
	      "<tr><th>site</th><th>bytes A</th><th>bytes B</th><th>calls A</th><th>calls B</th>"
	      "<th>peak A</th><th>peak B</th><th>leaked A</th><th>leaked B</th></tr>\n",
	      f);
	json_array_foreach(json_object_get(cmp, "heap_sites"), i, r)
	{
		fputs("<tr><td><code>", f);
		fl_svg_escape(f, json_string_value(json_object_get(r, "site")));
		fputs("</code></td>", f);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			for (int s = 0; s < 2; s++) {
				fputs("<td>", f);
				figure(f,
				       json_object_get(json_object_get(r, s ? "b" : "a"), keys[k]),
				       k == 1 ? "count" : "bytes");
				fputs("</td>", f);
			}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

int fl_render_compare_html(FILE *f, json_t *cmp)
{
	json_t *fi;
	size_t i;
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>faultline compare</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<h1>faultline compare</h1>\n<p>A: <code>",
		css);
	fl_svg_escape(f, json_string_value(json_object_get(cmp, "name_a")));
	fprintf(f, "</code> (%lld runs)<br>B: <code>",
		(long long)json_integer_value(json_object_get(cmp, "runs_a")));
	fl_svg_escape(f, json_string_value(json_object_get(cmp, "name_b")));
	fprintf(f, "</code> (%lld runs)</p>\n<p class=\"verdict\">",
		(long long)json_integer_value(json_object_get(cmp, "runs_b")));
	fl_svg_escape(f,
		      json_string_value(json_object_get(json_object_get(cmp, "verdict"), "text")));
	fputs("</p>\n", f);
	figures(f, cmp);
	sites(f, cmp);
	if (json_array_size(json_object_get(cmp, "findings"))) {
		fputs("<h2>Findings</h2>\n<ul>\n", f);
		json_array_foreach(json_object_get(cmp, "findings"), i, fi)
		{
			fputs("<li>", f);
			fl_svg_escape(f, json_string_value(json_object_get(fi, "text")));
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
