/*
 * compare's text: the figures of two traces side by side with their
 * spreads, the heap sites that changed most, and the verdict, all read from
 * the JSON that fl_compare built (reports/compare.c), so the text can never
 * say what the JSON does not.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/compare.h"
#include "reports/report.h"
#include "util/fmt.h"
#include "util/text.h"

static const char *fmt_fig(char *buf, size_t n, json_t *v, const char *unit)
{
	if (!json_is_number(v))
		return "n/a";
	double d = json_number_value(v);
	if (!strcmp(unit, "bytes"))
		return fl_fmt_bytes(buf, n, d);
	if (!strcmp(unit, "ns"))
		return fl_fmt_ns(buf, n, d);
	if (d < 0) {
		snprintf(buf, n, "-%s", fl_fmt_count(buf + 1, n - 1, (uint64_t)-d));
		return buf;
	}
	return fl_fmt_count(buf, n, (uint64_t)d);
}

static const char *fmt_spread(char *buf, size_t n, json_t *s, const char *unit)
{
	char mb[32], lo[32], hi[32];
	/* fmt_fig may return a constant ("n/a") without filling mb */
	const char *m = fmt_fig(mb, sizeof(mb), json_object_get(s, "median"), unit);
	if (json_equal(json_object_get(s, "min"), json_object_get(s, "max")))
		snprintf(buf, n, "%s", m);
	else
		snprintf(buf, n, "%s [%s..%s]", m,
			 fmt_fig(lo, sizeof(lo), json_object_get(s, "min"), unit),
			 fmt_fig(hi, sizeof(hi), json_object_get(s, "max"), unit));
	return buf;
}

void fl_runs_text(json_t *runs, FILE *f)
{
	json_t *r;
	size_t i;
	char a[96];
	fprintf(f, "  %lld runs: median [min..max] of each figure\n",
		(long long)json_integer_value(json_object_get(runs, "count")));
	json_array_foreach(json_object_get(runs, "figures"), i, r)
	{
		const char *unit = json_string_value(json_object_get(r, "unit"));
		fprintf(f, "  %-36s %s\n", json_string_value(json_object_get(r, "label")),
			fmt_spread(a, sizeof(a), r, unit));
	}
}

static void figures_text(json_t *cmp, FILE *f)
{
	json_t *r;
	size_t i;
	char a[96], b[96], c[64];
	fprintf(f, "  %-36s %22s %22s %14s\n", "",
		json_string_value(json_object_get(cmp, "name_a")),
		json_string_value(json_object_get(cmp, "name_b")), "change");
	json_array_foreach(json_object_get(cmp, "figures"), i, r)
	{
		const char *unit = json_string_value(json_object_get(r, "unit"));
		const char *nz = json_string_value(json_object_get(r, "noise"));
		json_t *ratio = json_object_get(r, "ratio");
		if (json_is_number(ratio))
			snprintf(c, sizeof(c), "%+.0f%%", (json_number_value(ratio) - 1) * 100);
		else
			snprintf(c, sizeof(c), "%s",
				 json_number_value(json_object_get(r, "change")) > 0 ? "from 0"
										     : "n/a");
		fprintf(f, "  %-36s %22s %22s %14s%s\n",
			json_string_value(json_object_get(r, "label")),
			fmt_spread(a, sizeof(a), json_object_get(r, "a"), unit),
			fmt_spread(b, sizeof(b), json_object_get(r, "b"), unit), c,
			!strcmp(nz, "within") ? "  within noise" : "");
	}
}

static void sites_text(json_t *cmp, FILE *f, int top)
{
	json_t *arr = json_object_get(cmp, "heap_sites"), *r;
	size_t i;
	char x[32], y[32], z[32], fit[256];
	if (!json_array_size(arr))
		return;
	fprintf(f, "\n  heap by site, largest change first (bytes allocated per run):\n");
	fprintf(f, "  %-56s %12s %12s %12s\n", "site", "A", "B", "change");
	json_array_foreach(arr, i, r)
	{
		if ((int)i >= top)
			break;
		double cb = json_number_value(json_object_get(r, "change_bytes"));
		fprintf(f, "  %-56s %12s %12s %s%11s\n",
			fl_fit_path(fit, sizeof(fit), json_string_value(json_object_get(r, "site")),
				    56),
			fmt_fig(x, sizeof(x), json_object_get(json_object_get(r, "a"), "bytes"),
				"bytes"),
			fmt_fig(y, sizeof(y), json_object_get(json_object_get(r, "b"), "bytes"),
				"bytes"),
			cb < 0 ? "-" : "+", fl_fmt_bytes(z, sizeof(z), fabs(cb)));
	}
}

void fl_compare_text(json_t *cmp, FILE *f, int top)
{
	figures_text(cmp, f);
	sites_text(cmp, f, top);
	fputc('\n', f);
	fl_text_wrap(f, "verdict: ", "         ",
		     json_string_value(json_object_get(json_object_get(cmp, "verdict"), "text")),
		     100);
	fl_findings_render(cmp, f);
}
