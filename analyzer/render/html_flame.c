/*
 * Flame graphs of the HTML report: the heap section's and the faults
 * section's stack trees ("flame" in their JSON) drawn as icicles, root on
 * top, each frame as wide as its share of its parent. The SVG is laid out
 * here, so the graphs read without script; the page's one inline script
 * adds a figure selector, click-to-zoom, search and a hover readout, and
 * sorts the section tables by a click on a header. Nothing is fetched: the
 * page's Content-Security-Policy allows no source but itself inline.
 */
#include <string.h>

#include "render/html.h"

#define FLAME_WIDTH 1200.0 /* viewBox units */
#define FLAME_ROW 18	   /* one frame's height */
#define FLAME_CHAR 7.0	   /* a label character's width, for fitting labels */

struct flame {
	struct html_ctx *c;
	const char *const *keys;   /* the figures of each node; the first is drawn */
	const char *const *labels; /* what each figure is, in words */
	size_t nkeys;
	int bytes; /* figures are bytes, else counts */
	double total;
};

static int depth_of(json_t *node)
{
	json_t *k;
	size_t i;
	int best = 0;
	json_array_foreach(json_object_get(node, "children"), i, k)
	{
		int d = depth_of(k);
		if (d > best)
			best = d;
	}
	return best + 1;
}

static void figure_text(const struct flame *fl, char *buf, size_t len, double v)
{
	if (fl->bytes)
		fl_fmt_bytes(buf, len, v);
	else
		fl_fmt_count(buf, len, (uint64_t)v);
}

/* A warm colour from the frame's name, as flame graphs have: stable per name. */
static unsigned hue_of(const char *s)
{
	unsigned h = 2166136261u;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void frame(const struct flame *fl, json_t *node, const char *name, const char *text,
		  double x, double w, int depth)
{
	FILE *f = fl->c->f;
	json_t *k;
	size_t i;
	double v0 = json_number_value(json_object_get(node, fl->keys[0])), cx = x;
	unsigned h = hue_of(name);
	char buf[32];
	fputs("<g class=\"fr\" data-v=\"", f);
	for (size_t j = 0; j < fl->nkeys; j++)
		fprintf(f, "%s%lld", j ? " " : "",
			(long long)json_integer_value(json_object_get(node, fl->keys[j])));
	fputs("\" data-n=\"", f);
	html_esc(fl->c, name);
	fputs("\"><title>", f);
	html_esc(fl->c, text);
	for (size_t j = 0; j < fl->nkeys; j++) {
		double v = json_number_value(json_object_get(node, fl->keys[j]));
		figure_text(fl, buf, sizeof(buf), v);
		fprintf(f, "\n%s: %s", fl->labels[j], buf);
	}
	fprintf(f,
		"</title><rect x=\"%.3f\" y=\"%d\" width=\"%.3f\" height=\"%d\" "
		"fill=\"hsl(%u,%u%%,%u%%)\"/>",
		x, depth * FLAME_ROW, w, FLAME_ROW - 1, h % 50, 70 + (h >> 8) % 25,
		55 + (h >> 16) % 15);
	if (w >= 3 * FLAME_CHAR) {
		size_t fit = (size_t)(w / FLAME_CHAR) - 1, n = strlen(name);
		char label[256];
		snprintf(label, sizeof(label), "%.*s%s", (int)(n > fit ? fit - 1 : n), name,
			 n > fit ? "\xe2\x80\xa6" : "");
		fprintf(f, "<text x=\"%.3f\" y=\"%d\">", x + 3, depth * FLAME_ROW + 13);
		html_esc(fl->c, label);
		fputs("</text>", f);
	}
	fputc('\n', f);
	json_array_foreach(json_object_get(node, "children"), i, k)
	{
		double kv = json_number_value(json_object_get(k, fl->keys[0]));
		double kw = v0 > 0 ? w * kv / v0 : 0;
		frame(fl, k, json_string_value(json_object_get(k, "name")),
		      json_string_value(json_object_get(k, "text")), cx, kw, depth + 1);
		cx += kw;
	}
	fputs("</g>\n", f);
}

/* One flame graph: the controls (shown by the script), the SVG, a note. */
static void flame_figure(struct flame *fl, json_t *tree, const char *id, const char *caption)
{
	FILE *f = fl->c->f;
	int rows = depth_of(tree);
	char buf[32];
	fl->total = json_number_value(json_object_get(tree, fl->keys[0]));
	fputs("<figure class=\"flame\">\n<figcaption>", f);
	html_esc(fl->c, caption);
	fputs("</figcaption>\n", f);
	fprintf(f, "<div class=\"fl-ctl\" hidden><select aria-label=\"figure\"%s>",
		fl->nkeys > 1 ? "" : " hidden");
	for (size_t j = 0; j < fl->nkeys; j++)
		fprintf(f, "<option value=\"%zu\">%s</option>", j, fl->labels[j]);
	fputs("</select> <input type=\"search\" placeholder=\"search frames\" aria-label=\"search "
	      "frames\"> <button type=\"button\">reset zoom</button> <output></output></div>\n",
	      f);
	figure_text(fl, buf, sizeof(buf), fl->total);
	fprintf(f,
		"<svg class=\"flame\" id=\"%s\" viewBox=\"0 0 %.0f %d\" data-w=\"%.0f\" "
		"data-row=\"%d\" data-unit=\"%s\" role=\"img\" aria-label=\"",
		id, FLAME_WIDTH, rows * FLAME_ROW, FLAME_WIDTH, FLAME_ROW,
		fl->bytes ? "bytes" : "count");
	html_esc(fl->c, caption);
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", f);
	frame(fl, tree, "all", "all", 0, FLAME_WIDTH, 0);
	fputs("</svg>\n<p class=\"note\">Each frame is as wide as its share of the frame above it; "
	      "hover a frame for its figures, click to zoom (with script).</p>\n</figure>\n",
	      f);
}

void html_flame_graphs(struct html_ctx *c)
{
	static const char *const heap_keys[] = {"bytes", "peak_live", "leaked_bytes"};
	static const char *const heap_labels[] = {"bytes allocated", "peak live bytes",
						  "leaked bytes"};
	static const char *const fault_keys[] = {"faults"};
	static const char *const fault_labels[] = {"page faults"};
	json_t *heap = json_object_get(html_section(c, "heap"), "flame");
	json_t *faults = json_object_get(html_section(c, "faults"), "flame");
	struct flame hf = {c, heap_keys, heap_labels, 3, 1, 0};
	struct flame ff = {c, fault_keys, fault_labels, 1, 0, 0};
	fputs("<section id=\"flame\"><h2>Flame graphs</h2>\n", c->f);
	if (json_integer_value(json_object_get(heap, "bytes")) > 0)
		flame_figure(&hf, heap, "flame-heap",
			     "Heap by allocation stack: process, callers, the allocating site");
	else
		fputs("<p class=\"note\">No heap allocation was recorded.</p>\n", c->f);
	if (json_integer_value(json_object_get(faults, "faults")) > 0)
		flame_figure(
		    &ff, faults, "flame-faults",
		    "Page faults by code: process, the faulting function, the fault class");
	else
		/* the shim's own sampled faults are not in the graph */
		fputs("<p class=\"note\">No page fault of the program was sampled.</p>\n", c->f);
	fputs("</section>\n", c->f);
}

/*
 * The page's one script: zoom, search, hover readout and the figure
 * selector of the flame graphs, and sortable section tables. It only moves
 * and hides what the page already holds; the figures it shows are the
 * frames' own (data-v), formatted as the report formats them.
 */
static const char script[] =
    "(function () {\n"
    "'use strict';\n"
    "function bytes(v) {\n"
    "  var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], i = 0, a = Math.abs(v);\n"
    "  while (a >= 1024 && i < 5) { a /= 1024; v /= 1024; i++; }\n"
    "  if (!i) return v.toFixed(0) + ' B';\n"
    "  return (a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ' + u[i];\n"
    "}\n"
    "function count(v) { return String(v).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); }\n"
    "function pct(v, of) { return of > 0 ? (100 * v / of).toFixed(1) + '%' : '-'; }\n"
    "function flame(fig) {\n"
    "  var svg = fig.querySelector('svg.flame'), ctl = fig.querySelector('.fl-ctl');\n"
    "  var W = +svg.getAttribute('data-w'), H = +svg.getAttribute('data-row');\n"
    "  var fmt = svg.getAttribute('data-unit') === 'bytes' ? bytes : count;\n"
    "  var sel = ctl.querySelector('select'), q = ctl.querySelector('input');\n"
    "  var out = ctl.querySelector('output'), root = svg.querySelector('g.fr');\n"
    "  var k = 0, zoom = root, said = '';\n"
    "  ctl.hidden = false;\n"
    "  function val(g) { return +g.getAttribute('data-v').split(' ')[k]; }\n"
    "  function kids(g) { return g.querySelectorAll(':scope > g.fr'); }\n"
    "  function up(g) { return g === root ? null : g.parentNode.closest('g.fr'); }\n"
    "  function draw(g, x, w, d) {\n"
    "    var r = g.querySelector(':scope > rect'), t = g.querySelector(':scope > text');\n"
    "    var name = g.getAttribute('data-n'), fit = Math.floor(w / 7) - 1, cx = x, v = "
    "val(g);\n"
    "    g.style.display = w > 0 ? '' : 'none';\n"
    "    r.setAttribute('x', x); r.setAttribute('width', w); r.setAttribute('y', d * H);\n"
    "    if (!t) { t = document.createElementNS(svg.namespaceURI, 'text'); g.insertBefore(t, "
    "r.nextSibling); }\n"
    "    t.setAttribute('x', x + 3); t.setAttribute('y', d * H + 13);\n"
    "    t.textContent = fit < 2 ? '' : name.length > fit ? name.slice(0, fit - 1) + "
    "'\\u2026' : name;\n"
    "    kids(g).forEach(function (c) {\n"
    "      var cw = v > 0 && w > 0 ? w * val(c) / v : 0;\n"
    "      draw(c, cx, cw, d + 1); cx += cw;\n"
    "    });\n"
    "  }\n"
    "  function layout() {\n"
    "    var chain = [], g, d = 0;\n"
    "    for (g = zoom; g; g = up(g)) chain.unshift(g);\n"
    "    chain.forEach(function (a, i) {\n"
    "      if (i + 1 < chain.length) {\n"
    "        kids(a).forEach(function (c) { if (c !== chain[i + 1]) c.style.display = 'none'; "
    "});\n"
    "        var r = a.querySelector(':scope > rect');\n"
    "        a.style.display = ''; r.setAttribute('x', 0); r.setAttribute('width', W);\n"
    "        var t = a.querySelector(':scope > text');\n"
    "        if (t) { t.setAttribute('x', 3); t.textContent = a.getAttribute('data-n'); }\n"
    "        d++;\n"
    "      }\n"
    "    });\n"
    "    draw(zoom, 0, val(zoom) > 0 ? W : 0, d);\n"
    "    search();\n"
    "  }\n"
    "  function search() {\n"
    "    var s = q.value.toLowerCase(), hit = 0;\n"
    "    svg.querySelectorAll('g.fr').forEach(function (g) {\n"
    "      var m = s !== '' && g.getAttribute('data-n').toLowerCase().indexOf(s) >= 0;\n"
    "      g.querySelector(':scope > rect').classList.toggle('hit', m);\n"
    "      if (m) {\n"
    "        for (var a = up(g); a && !a.querySelector(':scope > rect.hit'); a = up(a));\n"
    "        if (!a) hit += val(g);\n"
    "      }\n"
    "    });\n"
    "    said = s === '' ? '' : 'matched: ' + fmt(hit) + ' (' + pct(hit, val(root)) + ')';\n"
    "    out.textContent = said;\n"
    "  }\n"
    "  svg.addEventListener('click', function (e) {\n"
    "    var g = e.target.closest('g.fr');\n"
    "    if (g) { zoom = g; layout(); }\n"
    "  });\n"
    "  svg.addEventListener('mouseover', function (e) {\n"
    "    var g = e.target.closest('g.fr');\n"
    "    if (!g) return;\n"
    "    var t = g.querySelector(':scope > title').textContent.split('\\n')[0];\n"
    "    out.textContent = t + ': ' + fmt(val(g)) + ', ' + pct(val(g), val(root)) + ' of all' +\n"
    "      (zoom !== root ? ', ' + pct(val(g), val(zoom)) + ' of the zoomed frame' : '');\n"
    "  });\n"
    "  svg.addEventListener('mouseleave', function () { out.textContent = said; });\n"
    "  sel.addEventListener('change', function () { k = +sel.value; layout(); });\n"
    "  q.addEventListener('input', search);\n"
    "  ctl.querySelector('button').addEventListener('click', function () { zoom = root; "
    "layout(); });\n"
    "}\n"
    "function sortable(table) {\n"
    "  var head = table.rows[0], dir = {};\n"
    "  if (!head || head.cells[0].tagName !== 'TH') return;\n"
    "  function key(td) {\n"
    "    var s = td && td.querySelector('[title]');\n"
    "    if (s && s.getAttribute('title') !== '' && !isNaN(+s.getAttribute('title'))) return "
    "+s.getAttribute('title');\n"
    "    return td ? td.textContent : '';\n"
    "  }\n"
    "  Array.prototype.forEach.call(head.cells, function (th, col) {\n"
    "    th.classList.add('sortable');\n"
    "    th.addEventListener('click', function () {\n"
    "      var rows = Array.prototype.slice.call(table.rows, 1), body = rows.length ? "
    "rows[0].parentNode : null;\n"
    "      var tail = rows.filter(function (r) { return r.cells.length === 1; });\n"
    "      var d = dir[col] = dir[col] === 1 ? -1 : 1;\n"
    "      rows = rows.filter(function (r) { return r.cells.length !== 1; });\n"
    "      rows.sort(function (a, b) {\n"
    "        var x = key(a.cells[col]), y = key(b.cells[col]);\n"
    "        if (typeof x === 'number' && typeof y === 'number') return d * (y - x);\n"
    "        return d * String(x).localeCompare(String(y));\n"
    "      });\n"
    "      rows.concat(tail).forEach(function (r) { body.appendChild(r); });\n"
    "      Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute('aria-sort'); "
    "});\n"
    "      th.setAttribute('aria-sort', d === 1 ? 'descending' : 'ascending');\n"
    "    });\n"
    "  });\n"
    "}\n"
    "document.querySelectorAll('figure.flame').forEach(flame);\n"
    "document.querySelectorAll('table.sort').forEach(sortable);\n"
    "})();\n";

void html_script(struct html_ctx *c)
{
	fprintf(c->f, "<script>\n%s</script>\n", script);
}
