/*
 * The top of the HTML report, in plain words, and the process tree. Every
 * figure is one of the summary, faults or ws section's (the same numbers the
 * text report prints), never recomputed here.
 */
#include <stdarg.h>
#include <string.h>

#include "render/html.h"
#include "reports/report_summary.h"

static void tile(struct html_ctx *c, const char *label, json_t *v, enum html_fig_kind kind,
		 const char *fmt, ...)
{
	va_list ap;
	json_t *path;
	va_start(ap, fmt);
	path = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	fputs("<div class=\"tile\"><b>", c->f);
	html_fig(c, path, v, kind);
	fputs("</b>", c->f);
	html_esc(c, label);
	fputs("</div>\n", c->f);
	json_decref(path);
}

static void tiles(struct html_ctx *c, json_t *sum)
{
	json_t *faults = json_object_get(sum, "faults");
	fputs("<div class=\"tiles\">\n", c->f);
	tile(c, "run time", json_object_get(sum, "runtime_ns"), HTML_FIG_NS, "[s,s,s]", "sections",
	     "summary", "runtime_ns");
	tile(c, "processes", json_object_get(sum, "processes"), HTML_FIG_COUNT, "[s,s,s]",
	     "sections", "summary", "processes");
	tile(c, "peak RSS", json_object_get(sum, "peak_rss"), HTML_FIG_BYTES, "[s,s,s]", "sections",
	     "summary", "peak_rss");
	tile(c, "peak virtual size", json_object_get(sum, "peak_vsz"), HTML_FIG_BYTES, "[s,s,s]",
	     "sections", "summary", "peak_vsz");
	tile(c, "minor page faults", json_object_get(faults, "rusage_minor"), HTML_FIG_COUNT,
	     "[s,s,s,s]", "sections", "summary", "faults", "rusage_minor");
	tile(c, "major page faults", json_object_get(faults, "rusage_major"), HTML_FIG_COUNT,
	     "[s,s,s,s]", "sections", "summary", "faults", "rusage_major");
	fputs("</div>\n", c->f);
}

/* The index of the summary's per_process entry with this key, or -1. */
static int per_process_index(json_t *sum, const char *key)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(sum, "per_process"), i, e)
	{
		const char *k = json_string_value(json_object_get(e, "key"));
		if (k && key && !strcmp(k, key))
			return (int)i;
	}
	return -1;
}

/* The ws section's entry of this pid, and its index, or NULL. */
static json_t *ws_of(struct html_ctx *c, json_int_t pid, size_t *index)
{
	json_t *procs = json_object_get(html_section(c, "ws"), "processes");
	for (*index = 0; *index < json_array_size(procs); ++*index)
		if (json_integer_value(json_object_get(json_array_get(procs, *index), "pid")) ==
		    pid)
			return json_array_get(procs, *index);
	return NULL;
}

static void largest_words(struct html_ctx *c, json_t *sum)
{
	int i = per_process_index(sum, json_string_value(json_object_get(sum, "peak_rss_process")));
	json_t *p = json_array_get(json_object_get(sum, "per_process"), i < 0 ? 0 : (size_t)i);
	if (i < 0)
		return;
	fprintf(c->f, " The largest, process %lld, had at most ",
		(long long)json_integer_value(json_object_get(p, "pid")));
	html_figf(c, json_object_get(p, "peak_rss"), HTML_FIG_BYTES, "[s,s,s,i,s]", "sections",
		  "summary", "per_process", i, "peak_rss");
	fputs(" resident in RAM", c->f);
	if (json_is_integer(json_object_get(p, "peak_vsz"))) {
		fputs(" while its address space reached ", c->f);
		html_figf(c, json_object_get(p, "peak_vsz"), HTML_FIG_BYTES, "[s,s,s,i,s]",
			  "sections", "summary", "per_process", i, "peak_vsz");
	}
	fputs(".", c->f);
}

static void class_words(struct html_ctx *c)
{
	json_t *faults = html_section(c, "faults"), *by = json_object_get(faults, "by_class"), *cl;
	size_t i;
	int first = 1;
	if (!json_object_size(by))
		return;
	fputs("<p>What the faults were (from the fault samples): ", c->f);
	json_array_foreach(json_object_get(faults, "classes"), i, cl)
	{
		const char *name = json_string_value(json_object_get(cl, "name"));
		json_t *n = name ? json_object_get(by, name) : NULL;
		if (!json_is_integer(n) || json_integer_value(n) <= 0)
			continue;
		fputs(first ? "" : ", ", c->f);
		html_figf(c, n, HTML_FIG_COUNT, "[s,s,s,s]", "sections", "faults", "by_class",
			  name);
		fputc(' ', c->f);
		html_esc(c, json_string_value(json_object_get(cl, "title")));
		first = 0;
	}
	fputs(".</p>\n", c->f);
}

static void ws_words(struct html_ctx *c, json_t *sum)
{
	int i = per_process_index(sum, json_string_value(json_object_get(sum, "peak_rss_process")));
	json_t *p = json_array_get(json_object_get(sum, "per_process"), i < 0 ? 0 : (size_t)i);
	size_t k;
	json_t *ws = p ? ws_of(c, json_integer_value(json_object_get(p, "pid")), &k) : NULL;
	json_t *tlb = json_object_get(ws, "tlb"), *ram = json_object_get(ws, "ram");
	json_t *bytes = json_object_get(tlb, "ws_bytes"), *reach = json_object_get(tlb, "reach_4k");
	if (!ws)
		return;
	if (json_integer_value(bytes) > 0 && json_integer_value(reach) > 0) {
		int beyond = json_is_true(json_object_get(tlb, "beyond_reach"));
		fputs("<p>Its working set peaked at ", c->f);
		html_figf(c, bytes, HTML_FIG_BYTES, "[s,s,s,i,s,s]", "sections", "ws", "processes",
			  (int)k, "tlb", "ws_bytes");
		fprintf(c->f, ", %s the ", beyond ? "more than" : "within");
		html_figf(c, reach, HTML_FIG_BYTES, "[s,s,s,i,s,s]", "sections", "ws", "processes",
			  (int)k, "tlb", "reach_4k");
		fprintf(c->f, " the dTLB can map with 4 KiB pages: %s</p>\n",
			beyond ? "expect TLB misses; huge pages would multiply the reach."
			       : "address translation is cheap here.");
	}
	if (json_is_number(json_object_get(ram, "pct")) &&
	    json_integer_value(json_object_get(ram, "mem_total")) > 0) {
		fputs("<p>Its working set was ", c->f);
		html_figf(c, json_object_get(ram, "pct"), HTML_FIG_PCT, "[s,s,s,i,s,s]", "sections",
			  "ws", "processes", (int)k, "ram", "pct");
		fputs(" of the machine's ", c->f);
		html_figf(c, json_object_get(ram, "mem_total"), HTML_FIG_BYTES, "[s,s,s,i,s,s]",
			  "sections", "ws", "processes", (int)k, "ram", "mem_total");
		fputs(" of RAM.</p>\n", c->f);
	}
}

static void summary_words(struct html_ctx *c, json_t *sum)
{
	json_t *faults = json_object_get(sum, "faults");
	fputs("<p>", c->f);
	if (c->m->nroots) {
		fputs("<code>", c->f);
		html_argv_text(c, c->m->roots[0]);
		fputs("</code> ", c->f);
	}
	fputs("ran for ", c->f);
	html_figf(c, json_object_get(sum, "runtime_ns"), HTML_FIG_NS, "[s,s,s]", "sections",
		  "summary", "runtime_ns");
	if (json_integer_value(json_object_get(sum, "processes")) > 1) {
		fputs(" as ", c->f);
		html_figf(c, json_object_get(sum, "processes"), HTML_FIG_COUNT, "[s,s,s]",
			  "sections", "summary", "processes");
		fputs(" process images", c->f);
	}
	fputs(".", c->f);
	largest_words(c, sum);
	if (json_is_integer(json_object_get(faults, "rusage_minor"))) {
		fputs(" It took ", c->f);
		html_figf(c, json_object_get(faults, "rusage_minor"), HTML_FIG_COUNT, "[s,s,s,s]",
			  "sections", "summary", "faults", "rusage_minor");
		fputs(" minor and ", c->f);
		html_figf(c, json_object_get(faults, "rusage_major"), HTML_FIG_COUNT, "[s,s,s,s]",
			  "sections", "summary", "faults", "rusage_major");
		fprintf(c->f, " major page faults (%s).", fl_report_rusage_span(faults));
	}
	fputs("</p>\n", c->f);
	class_words(c);
	ws_words(c, sum);
}

static void probes_off(struct html_ctx *c)
{
	const struct fl_proc *p = c->m->nroots ? c->m->roots[0] : NULL;
	int any = 0;
	if (!p)
		return;
	for (size_t i = 0; i < p->nprobes; i++) {
		if (p->probes[i].ok)
			continue;
		fputs(any++ ? ", " : "<p class=\"note\">Not measured here: ", c->f);
		fputs("<code>", c->f);
		html_esc(c, p->probes[i].name);
		fputs("</code>", c->f);
		if (p->probes[i].why) {
			fputs(" (", c->f);
			html_esc(c, p->probes[i].why);
			fputs(")", c->f);
		}
	}
	if (any)
		fputs(". Figures that need them are marked unknown, never guessed.</p>\n", c->f);
}

static void standout(struct html_ctx *c)
{
	json_t *secs = json_object_get(c->report, "sections"), *sec, *arr, *fi;
	const char *name;
	size_t i, n = 0;
	fputs("<h3>What stands out</h3>\n<ul class=\"findings\">\n", c->f);
	json_object_foreach(secs, name, sec)
	{
		arr = json_object_get(sec, "findings");
		json_array_foreach(arr, i, fi)
		{
			const char *sev = json_string_value(json_object_get(fi, "severity"));
			if (sev && strcmp(sev, "info") != 0) {
				json_t *path = json_pack("[s,s,s,I]", "sections", name, "findings",
							 (json_int_t)i);
				html_finding_item(c, fi, path);
				json_decref(path);
				n++;
			}
		}
	}
	if (!n)
		fputs("<li>No warnings: see each section below for what was measured.</li>\n",
		      c->f);
	fputs("</ul>\n", c->f);
}

void html_summary(struct html_ctx *c)
{
	json_t *sum = html_section(c, "summary");
	fputs("<section id=\"summary\"><h2>In plain words</h2>\n", c->f);
	if (sum) {
		tiles(c, sum);
		summary_words(c, sum);
	} else {
		fputs("<p class=\"note\">The summary section is not in this report.</p>\n", c->f);
	}
	probes_off(c);
	if (c->m->nerrors)
		fprintf(c->f,
			"<p class=\"note warn\">%lu lines or files of the trace could not be read; "
			"the figures leave them out.</p>\n",
			c->m->nerrors);
	standout(c);
	fputs("</section>\n", c->f);
}

/* ---- process tree ---- */

static void tree_node(struct html_ctx *c, json_t *sum, const struct fl_proc *p, int depth)
{
	int i = per_process_index(sum, p->key);
	json_t *pp = i >= 0 ? json_array_get(json_object_get(sum, "per_process"), (size_t)i) : NULL;
	fputs("<li>", c->f);
	fprintf(c->f, "<b>%d</b> <code>", p->pid);
	html_argv_text(c, p);
	fputs("</code> <span class=\"dim\">", c->f);
	if (p->parent)
		fprintf(c->f, "%s; ", fl_link_name((enum fl_link)p->link));
	if (pp) {
		fputs("ran ", c->f);
		html_figf(c, json_object_get(pp, "runtime_ns"), HTML_FIG_NS, "[s,s,s,i,s]",
			  "sections", "summary", "per_process", i, "runtime_ns");
		fputs(", peak RSS ", c->f);
		html_figf(c, json_object_get(pp, "peak_rss"), HTML_FIG_BYTES, "[s,s,s,i,s]",
			  "sections", "summary", "per_process", i, "peak_rss");
	} else {
		fputs("not selected", c->f);
	}
	if (!p->exit.present)
		fputs(", no exit recorded (killed?)", c->f);
	else if (p->exit.how && !strcmp(p->exit.how, "signal"))
		fprintf(c->f, ", killed by signal %lld", (long long)p->exit.signal);
	else if (p->exit.how && !strcmp(p->exit.how, "exec"))
		fputs(", then exec", c->f);
	else if (p->exit.status >= 0)
		fprintf(c->f, ", exit %lld", (long long)p->exit.status);
	else
		fputs(", exited (status not recorded)", c->f);
	fputs("</span>", c->f);
	if (p->nchildren && depth < 32) {
		fputs("<ul>", c->f);
		for (size_t k = 0; k < p->nchildren; k++)
			tree_node(c, sum, p->children[k], depth + 1);
		fputs("</ul>", c->f);
	}
	fputs("</li>\n", c->f);
}

void html_process_tree(struct html_ctx *c)
{
	json_t *sum = html_section(c, "summary");
	fputs("<section id=\"tree\"><h2>Process tree</h2>\n<ul class=\"tree\">\n", c->f);
	for (size_t i = 0; i < c->m->nroots; i++)
		tree_node(c, sum, c->m->roots[i], 0);
	fputs("</ul></section>\n", c->f);
}
