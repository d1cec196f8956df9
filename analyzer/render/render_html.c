/*
 * The HTML report's page frame: the style sheet, the header and navigation,
 * the order of the parts, the footer. The parts (html_summary.c,
 * html_charts.c, html_tables.c) format the report JSON; none computes a
 * figure.
 *
 * Layout is plain HTML5 with one inline style sheet. Charts are SVG with a
 * viewBox, so they shrink with the page; tables sit in scrolling wrappers so
 * a phone never gets a page wider than its screen. The page must open
 * offline, in a mail client, or from a CI artifact store that blocks
 * scripts: everything reads without script, and the one inline script
 * (html_flame.c) only adds zoom, search and sorting. Its
 * Content-Security-Policy allows inline style and script and nothing else,
 * so the page can fetch nothing.
 */
#include "render/render_html.h"

#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "reports/registry.h"
#include "reports/rss.h"
#include "util/xalloc.h"

/* Charts go to the processes with the largest resident set first. */
static int64_t peak_rss(const struct fl_proc *p)
{
	int64_t best = -1;
	struct fl_counters_cursor k;
	const struct fl_counters *c;
	fl_counters_begin(&k, &p->counters);
	while ((c = fl_counters_next(&k)) != NULL) {
		int64_t r = fl_rss_of_sample(c);
		if (r > best)
			best = r;
	}
	return best;
}

static int cmp_peak(const void *a, const void *b)
{
	int64_t x = peak_rss(*(const struct fl_proc *const *)a);
	int64_t y = peak_rss(*(const struct fl_proc *const *)b);
	return x < y ? 1 : x > y ? -1 : 0;
}

static void pick_chart_procs(struct html_ctx *c)
{
	struct fl_proc **all = fl_xcalloc(c->m->nprocs + 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < c->m->nprocs; i++)
		if (c->m->procs[i]->ncounters && fl_report_selected(c->o, c->m->procs[i]))
			all[n++] = c->m->procs[i];
	qsort(all, n, sizeof(*all), cmp_peak);
	c->nchart = n < HTML_MAX_CHART_PROCS ? n : HTML_MAX_CHART_PROCS;
	for (size_t i = 0; i < c->nchart; i++)
		c->chart[i] = all[i];
	free(all);
}

static const char css[] =
    ":root{--fg:#1b1b1b;--dim:#5f6368;--card:#f3f5f8;--line:#dde1e6;--warn:#a64200;--accent:#"
    "14213d}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe "
    "UI',Roboto,sans-serif;color:var(--fg);background:#fff}\n"
    "header.top{background:var(--accent);color:#fff;padding:14px 16px}\n"
    "header.top h1{margin:0;font-size:1.4rem}\n"
    "header.top p{margin:4px 0 0;opacity:.85;overflow-wrap:anywhere}\n"
    "main{max-width:1200px;margin:0 auto;padding:0 16px 48px}\n"
    "nav ul{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:12px 0}\n"
    "nav a{color:var(--accent)}\n"
    "h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:36px}\n"
    "h3{margin:24px 0 8px;overflow-wrap:anywhere}\n"
    "figure{margin:12px 0;padding:8px;border:1px solid var(--line);border-radius:6px}\n"
    "figcaption{font-size:.9rem;color:var(--dim);margin-bottom:4px}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}\n"
    ".tile{background:var(--card);border-radius:6px;padding:8px 12px;color:var(--dim)}\n"
    ".tile b{display:block;font-size:1.35rem;color:var(--fg)}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.88rem;margin:6px 0}\n"
    "th,td{border-bottom:1px solid var(--line);padding:3px "
    "8px;text-align:left;vertical-align:top}\n"
    "td{font-variant-numeric:tabular-nums}\n"
    "th.row{font-weight:normal;white-space:nowrap}\n"
    "details.data{margin:4px 0 16px}\n"
    "details.data summary{cursor:pointer;color:var(--accent);font-size:.9rem}\n"
    "code{font-family:ui-monospace,'SFMono-Regular',Menlo,monospace;font-size:.9em;overflow-wrap:"
    "anywhere}\n"
    ".dim{color:var(--dim)}\n"
    ".note{color:var(--dim);font-style:italic}\n"
    "ul.findings{list-style:none;padding:0}\n"
    "li.finding{border-left:4px solid #6b8fb8;background:var(--card);padding:6px 10px;margin:6px "
    "0;border-radius:0 6px 6px 0}\n"
    "li.finding.warn{border-left-color:var(--warn)}\n"
    ".sev{display:inline-block;font-size:.75rem;text-transform:uppercase;font-weight:bold;color:#"
    "fff;background:#6b8fb8;border-radius:3px;padding:0 5px;margin-right:4px}\n"
    ".warn .sev{background:var(--warn)}\n"
    "p.explain{margin:4px 0 0;font-size:.92rem;color:#333}\n"
    "details.examples summary{cursor:pointer;color:var(--dim);font-size:.9rem}\n"
    ".unsupported{cursor:help;border-bottom:1px dotted var(--dim)}\n"
    "ul.tree,ul.tree ul{list-style:none;padding-left:18px;border-left:1px dotted #aaa}\n"
    "ul.tree{padding-left:4px;border:0}\n"
    "ul.tree li{margin:4px 0;overflow-wrap:anywhere}\n"
    "footer{color:var(--dim);font-size:.85rem;margin-top:40px}\n"
    "@media (max-width:640px){body{font-size:15px}main{padding:0 8px 32px}"
    "figure{padding:2px;margin:8px -4px}header.top h1{font-size:1.15rem}.tile "
    "b{font-size:1.1rem}}\n"
    "svg.flame{display:block;width:100%;height:auto;font:11px ui-monospace,Menlo,monospace}\n"
    "svg.flame g.fr{cursor:pointer}\n"
    "svg.flame rect{stroke:#fff;stroke-width:.5}\n"
    "svg.flame rect.hit{fill:#d61e8c}\n"
    "svg.flame text{pointer-events:none;fill:#1b1b1b}\n"
    ".fl-ctl{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:4px 0;font-size:.9rem}\n"
    ".fl-ctl[hidden]{display:none}\n"
    ".fl-ctl output{color:var(--dim);overflow-wrap:anywhere}\n"
    "th.sortable{cursor:pointer}\n"
    "th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "th[aria-sort=ascending]::after{content:' \\25B2'}\n"
    "@media print{details.data{display:none}.fl-ctl{display:none}}\n";

static void per_process(struct html_ctx *c, const char *id, const char *title, int what)
{
	fprintf(c->f, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
	if (c->nchart == 0)
		fputs("<p class=\"note\">No process has counter ticks in this trace.</p>\n", c->f);
	for (size_t i = 0; i < c->nchart; i++) {
		const struct fl_proc *p = c->chart[i];
		html_proc_heading(c, p);
		if (what == 0)
			html_memory_chart(c, p, (int)i);
		else if (what == 1)
			html_faults_chart(c, p, (int)i);
		else
			html_heatmaps(c, p, (int)i);
	}
	fputs("</section>\n", c->f);
}

static void page_head(struct html_ctx *c)
{
	const char *trace = json_string_value(json_object_get(c->report, "trace"));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"faultline\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>faultline: ",
	      c->f);
	if (c->m->nroots)
		html_esc(c, c->m->roots[0]->exe);
	fprintf(c->f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	fputs("<header class=\"top\"><h1>faultline report</h1><p>", c->f);
	if (c->m->nroots) {
		fputs("<code>", c->f);
		html_argv_text(c, c->m->roots[0]);
		fputs("</code> \xc2\xb7 ", c->f);
	}
	fputs("trace <code>", c->f);
	html_esc(c, trace ? trace : c->m->path);
	fprintf(c->f, "</code> \xc2\xb7 %llu events</p></header>\n<main>\n",
		(unsigned long long)c->m->nevents);
	fputs(
	    "<nav><ul><li><a href=\"#summary\">summary</a></li><li><a href=\"#memory\">memory</a>"
	    "</li><li><a href=\"#faults\">faults</a></li><li><a href=\"#regions\">regions</a></li>"
	    "<li><a href=\"#cow\">copy-on-write</a></li><li><a href=\"#overcommit\">overcommit</a>"
	    "</li><li><a href=\"#flame\">flame graphs</a></li><li><a "
	    "href=\"#tree\">processes</a></li><li><a href=\"#sections\">all sections"
	    "</a></li></ul></nav>\n",
	    c->f);
}

int fl_render_html(FILE *f, json_t *report, const struct fl_model *m,
		   const struct fl_report_opts *o)
{
	struct html_ctx c = {f, report, m, o, UINT64_MAX, {NULL}, 0};
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->start_realtime_ns < c.t0)
			c.t0 = m->procs[i]->start_realtime_ns;
	if (c.t0 == UINT64_MAX)
		c.t0 = 0;
	pick_chart_procs(&c);
	page_head(&c);
	html_summary(&c);
	per_process(&c, "memory", "Memory over time", 0);
	per_process(&c, "faults", "Page faults over time", 1);
	per_process(&c, "regions", "The address space over time", 2);
	html_cow_chart(&c);
	html_overcommit_chart(&c);
	html_flame_graphs(&c);
	html_process_tree(&c);
	fputs("<div id=\"sections\"></div>\n", f);
	html_sections(&c);
	fputs("<footer>Written by faultline from <code>", f);
	html_esc(&c, m->path);
	fputs("</code>. Times are seconds since the first process started; sizes use binary "
	      "units (1 MiB = 1,048,576 bytes).</footer>\n</main>\n",
	      f);
	html_script(&c);
	fputs("</body>\n</html>\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
