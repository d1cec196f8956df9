/*
 * SVG chart primitives. The geometry is fixed in viewBox units (960 wide)
 * and the browser scales it; text sizes were picked so that labels stay
 * legible when a phone shrinks a chart to a third of that.
 *
 * Presentation attributes are written inline rather than relying on the
 * page's CSS, so that a chart copied out of the report still looks right.
 */
#include "render/svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"

#define W 960.0
#define FONT "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,sans-serif\" font-size=\"13\""
#define CHAR_W 7.2 /* average glyph advance at font-size 13, for layout only */
#define LEGEND_ROW 20.0

static const char *const palette[] = {
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442", "#000000",
};

const char *fl_svg_color(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

void fl_svg_escape(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				fputs("\xef\xbf\xbd", f);
			else
				fputc(c, f);
		}
	}
}

/* Scales |v| down by `base` until it is below 1000 (rounding included). */
static const char *scale_down(double *v, double base, const char *const *names, size_t nnames)
{
	size_t i = 0;
	while (i + 1 < nnames && fabs(*v) >= (base == 1024 ? 1023.5 : 999.5)) {
		*v /= base;
		i++;
	}
	return names[i];
}

char *fl_svg_format(char *buf, size_t n, double v, enum fl_unit u)
{
	static const char *const counts[] = {"", "k", "M", "G", "T"};
	const char *suffix;
	double a = fabs(v);

	if (isnan(v)) {
		snprintf(buf, n, "?");
		return buf;
	}
	switch (u) {
	case FL_UNIT_BYTES:
		fl_fmt_bytes(buf, n, v);
		break;
	case FL_UNIT_SECONDS:
		if (a == 0)
			snprintf(buf, n, "0 s");
		else if (a < 999.5e-6)
			snprintf(buf, n, "%.3g \xc2\xb5s", v * 1e6);
		else if (a < 0.9995)
			snprintf(buf, n, "%.3g ms", v * 1e3);
		else if (a < 119.5)
			snprintf(buf, n, "%.3g s", v);
		else
			snprintf(buf, n, "%.3g min", v / 60);
		break;
	case FL_UNIT_COUNT:
	case FL_UNIT_PAGES:
	default:
		suffix = scale_down(&v, 1000, counts, 5);
		if (*suffix == 0 && v == floor(v))
			snprintf(buf, n, "%.0f", v);
		else
			snprintf(buf, n, "%.3g%s", v, suffix);
		break;
	}
	return buf;
}

static void ticks_add(struct fl_svg_ticks *t, double v)
{
	if (t->n < FL_SVG_MAX_TICKS)
		t->v[t->n++] = v;
}

void fl_svg_ticks_linear(double lo, double hi, enum fl_unit u, struct fl_svg_ticks *t)
{
	double scale = 1, span, raw, mag, r, step, v;

	t->n = 0;
	if (!(hi > lo)) {
		ticks_add(t, lo);
		return;
	}
	if (u == FL_UNIT_BYTES)
		while (scale < 0x1p50 && fmax(fabs(hi), fabs(lo)) / scale >= 1024)
			scale *= 1024;
	span = (hi - lo) / scale;
	raw = span / 5;
	if (scale > 1 && raw < 1) {
		/* a fraction of a KiB/MiB/GiB: halves and quarters, never 0.2 GiB */
		step = pow(2, round(log2(raw))) * scale;
	} else {
		mag = pow(10, floor(log10(raw)));
		r = raw / mag;
		step = (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag * scale;
	}
	for (v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
		if (fabs(v) < step * 1e-9)
			v = 0;
		ticks_add(t, v);
	}
}

void fl_svg_ticks_log(double lo, double hi, enum fl_unit u, struct fl_svg_ticks *t)
{
	double base = (u == FL_UNIT_BYTES || u == FL_UNIT_PAGES) ? 2 : 10;
	double e0, e1, every;

	t->n = 0;
	if (!(lo > 0) || !(hi >= lo)) {
		ticks_add(t, lo > 0 ? lo : 1);
		return;
	}
	e0 = ceil(log(lo) / log(base) - 1e-9);
	e1 = floor(log(hi) / log(base) + 1e-9);
	every = ceil((e1 - e0 + 1) / 8);
	if (every < 1)
		every = 1;
	/* Bytes: keep ticks on whole KiB/MiB/GiB steps where possible. */
	if (base == 2 && every > 1 && every < 10)
		every = every <= 2 ? 2 : every <= 5 ? 5 : 10;
	if (base == 2 && every >= 10)
		every = ceil(every / 10) * 10;
	if (base == 2 && every > 1)
		e0 = ceil(e0 / every) * every;
	for (double e = e0; e <= e1; e += every)
		ticks_add(t, pow(base, e));
}

/* ---- plot frame ---- */

struct frame {
	double px0, px1, py0, py1; /* pixel box: left, right, top, bottom */
	double x0, x1, y0, y1;	   /* data range */
	int log;
};

static double fx(const struct frame *fr, double x)
{
	return fr->px0 + (x - fr->x0) / (fr->x1 - fr->x0) * (fr->px1 - fr->px0);
}

static double fy(const struct frame *fr, double y)
{
	double a, b, v;
	if (fr->log) {
		a = log(fr->y0);
		b = log(fr->y1);
		v = log(y > fr->y0 ? y : fr->y0);
	} else {
		a = fr->y0;
		b = fr->y1;
		v = y;
	}
	return fr->py1 - (v - a) / (b - a) * (fr->py1 - fr->py0);
}

static void svg_open(FILE *f, const char *id, const char *title, double h)
{
	fprintf(
	    f,
	    "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" " FONT,
	    W, h);
	if (id)
		fprintf(f, " id=\"%s\"", id);
	fputs(" aria-label=\"", f);
	fl_svg_escape(f, title);
	fputs("\"><title>", f);
	fl_svg_escape(f, title);
	fputs("</title>\n", f);
}

static void text(FILE *f, double x, double y, const char *anchor, const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
		extra ? " " : "", extra ? extra : "");
	fl_svg_escape(f, s);
	fputs("</text>\n", f);
}

/* Legend entries laid out left to right, wrapping; returns the rows used. */
struct legend_item {
	const char *name, *color;
	int dashed, line;
};

static int legend_rows(const struct legend_item *it, size_t n, double x0, double x1)
{
	double x = x0;
	int rows = n ? 1 : 0;
	for (size_t i = 0; i < n; i++) {
		double w = 26 + CHAR_W * (double)strlen(it[i].name ? it[i].name : "") + 16;
		if (x + w > x1 && x > x0) {
			rows++;
			x = x0;
		}
		x += w;
	}
	return rows;
}

static void legend(FILE *f, const struct legend_item *it, size_t n, double x0, double x1, double y)
{
	double x = x0;
	fputs("<g class=\"legend\">\n", f);
	for (size_t i = 0; i < n; i++) {
		const char *name = it[i].name ? it[i].name : "";
		double w = 26 + CHAR_W * (double)strlen(name) + 16;
		if (x + w > x1 && x > x0) {
			y += LEGEND_ROW;
			x = x0;
		}
		if (it[i].line)
			fprintf(
			    f,
			    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			    "stroke-width=\"3\"%s/>\n",
			    x, y - 4, x + 20, y - 4, it[i].color,
			    it[i].dashed ? " stroke-dasharray=\"6 4\"" : "");
		else
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"12\" "
				"fill=\"%s\"/>\n",
				x, y - 11, it[i].color);
		text(f, x + 26, y, "start", NULL, name);
		x += w;
	}
	fputs("</g>\n", f);
}

static void y_axis(FILE *f, const struct frame *fr, const struct fl_svg_ticks *t, enum fl_unit u,
		   const char *label)
{
	char buf[64];
	fputs("<g class=\"axis y\">\n", f);
	for (size_t i = 0; i < t->n; i++) {
		double y = fy(fr, t->v[i]);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			fr->px0, y, fr->px1, y);
		text(f, fr->px0 - 6, y + 4, "end", NULL,
		     fl_svg_format(buf, sizeof(buf), t->v[i], u));
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n",
		fr->px0, fr->py0, fr->px0, fr->py1);
	if (label) {
		char tr[96];
		double cy = (fr->py0 + fr->py1) / 2;
		snprintf(tr, sizeof(tr), "transform=\"rotate(-90 14 %.1f)\"", cy);
		text(f, 14, cy, "middle", tr, label);
	}
	fputs("</g>\n", f);
}

static void x_axis(FILE *f, const struct frame *fr, const struct fl_svg_ticks *t, enum fl_unit u,
		   const char *label)
{
	char buf[64];
	fputs("<g class=\"axis x\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n",
		fr->px0, fr->py1, fr->px1, fr->py1);
	for (size_t i = 0; i < t->n; i++) {
		double x = fx(fr, t->v[i]);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n",
			x, fr->py1, x, fr->py1 + 5);
		text(f, x, fr->py1 + 19, "middle", NULL,
		     fl_svg_format(buf, sizeof(buf), t->v[i], u));
	}
	if (label)
		text(f, (fr->px0 + fr->px1) / 2, fr->py1 + 38, "middle", NULL, label);
	fputs("</g>\n", f);
}

/* ---- line and area charts ---- */

static int chart_ok(const struct fl_svg_chart *c)
{
	if (!c || !c->x || c->n == 0 || (c->nseries && !c->series) || (c->nhlines && !c->hlines))
		return 0;
	for (size_t s = 0; s < c->nseries; s++)
		if (!c->series[s].y)
			return 0;
	return 1;
}

static const char *series_color(const struct fl_svg_series *s, size_t i)
{
	return s->color ? s->color : fl_svg_color(i);
}

static size_t chart_legend(const struct fl_svg_chart *c, struct legend_item *it, int area)
{
	size_t n = 0;
	for (size_t s = 0; s < c->nseries; s++)
		it[n++] = (struct legend_item){c->series[s].name, series_color(&c->series[s], s),
					       c->series[s].dashed, !area};
	for (size_t h = 0; h < c->nhlines; h++)
		it[n++] = (struct legend_item){
		    c->hlines[h].name, c->hlines[h].color ? c->hlines[h].color : "#888", 1, 1};
	return n;
}

/* Data extent of the series: max, and min positive (for log scales). */
static void extent(const struct fl_svg_chart *c, int stacked, double *max, double *minpos)
{
	*max = 0;
	*minpos = INFINITY;
	for (size_t i = 0; i < c->n; i++) {
		double sum = 0;
		for (size_t s = 0; s < c->nseries; s++) {
			double v = c->series[s].y[i];
			if (isnan(v))
				continue;
			sum = stacked ? sum + v : v;
			if (sum > *max)
				*max = sum;
			if (sum > 0 && sum < *minpos)
				*minpos = sum;
		}
	}
}

static void plot_frame(const struct fl_svg_chart *c, int stacked, double top, double h,
		       struct frame *fr)
{
	double max, minpos, hmax = 0, hmin = INFINITY;

	extent(c, stacked, &max, &minpos);
	for (size_t i = 0; i < c->nhlines; i++) {
		if (c->hlines[i].y > hmax)
			hmax = c->hlines[i].y;
		if (c->hlines[i].y > 0 && c->hlines[i].y < hmin)
			hmin = c->hlines[i].y;
	}
	fr->px0 = 84;
	fr->px1 = W - 20;
	fr->py0 = top;
	fr->py1 = h - 50;
	fr->x0 = c->x[0];
	fr->x1 = c->x[c->n - 1];
	if (!(fr->x1 > fr->x0))
		fr->x1 = fr->x0 + 1;
	fr->log = !stacked && (c->scale == FL_SCALE_LOG ||
			       (c->scale == FL_SCALE_AUTO && max > 0 && hmax > 4 * max));
	if (fr->log) {
		double lo = fmin(minpos, hmin), hi = fmax(max, hmax);
		if (!isfinite(lo))
			lo = 1;
		fr->y0 = lo / 1.5;
		fr->y1 = hi * 1.5;
	} else {
		fr->y0 = 0;
		fr->y1 = fmax(max, hmax) * 1.08;
		if (!(fr->y1 > 0))
			fr->y1 = 1;
	}
}

static void chart_head(FILE *f, const struct fl_svg_chart *c, int area, struct frame *fr)
{
	struct legend_item it[64];
	size_t n = chart_legend(c, it, area);
	struct fl_svg_ticks yt, xt;
	int rows;
	double top, h;

	if (n > 64)
		n = 64;
	rows = legend_rows(it, n, 84, W - 20);
	top = 16 + rows * LEGEND_ROW;
	h = top + 280 + 50;
	plot_frame(c, area, top, h, fr);
	svg_open(f, c->id, c->title, h);
	legend(f, it, n, 84, W - 20, 20);
	if (fr->log)
		fl_svg_ticks_log(fr->y0, fr->y1, c->y_unit, &yt);
	else
		fl_svg_ticks_linear(fr->y0, fr->y1, c->y_unit, &yt);
	fl_svg_ticks_linear(fr->x0, fr->x1, c->x_unit, &xt);
	y_axis(f, fr, &yt, c->y_unit, c->y_label);
	x_axis(f, fr, &xt, c->x_unit, c->x_label);
}

static void hlines(FILE *f, const struct fl_svg_chart *c, const struct frame *fr)
{
	char buf[64];
	for (size_t i = 0; i < c->nhlines; i++) {
		const struct fl_svg_hline *h = &c->hlines[i];
		const char *color = h->color ? h->color : "#888";
		double y = fy(fr, h->y);
		if (y < fr->py0 - 0.5 || y > fr->py1 + 0.5)
			continue;
		fprintf(f,
			"<g class=\"ref\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
			fr->px0, y, fr->px1, y, color);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">",
			fr->px1 - 4, y - 5, color);
		fl_svg_escape(f, h->name);
		fprintf(f, " %s</text></g>\n", fl_svg_format(buf, sizeof(buf), h->y, c->y_unit));
	}
}

int fl_svg_line_chart(FILE *f, const struct fl_svg_chart *c)
{
	struct frame fr;

	if (!chart_ok(c))
		return -1;
	chart_head(f, c, 0, &fr);
	hlines(f, c, &fr);
	for (size_t s = 0; s < c->nseries; s++) {
		const struct fl_svg_series *se = &c->series[s];
		const double *y = se->y;
		int pen = 0, segments = 0;
		for (size_t i = 1; i < c->n; i++)
			segments |= !isnan(y[i]) && !isnan(y[i - 1]);
		/* Isolated points would be invisible as a path: mark them. */
		for (size_t i = 0; i < c->n; i++)
			if (!isnan(y[i]) && (i == 0 || isnan(y[i - 1])) &&
			    (i + 1 == c->n || isnan(y[i + 1])))
				fprintf(f,
					"<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
					"fill=\"%s\"/>\n",
					segments ? "point" : "series", fx(&fr, c->x[i]),
					fy(&fr, y[i]), series_color(se, s));
		if (!segments)
			continue;
		fprintf(f,
			"<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
			"stroke-linejoin=\"round\"%s d=\"",
			series_color(se, s), se->dashed ? " stroke-dasharray=\"6 4\"" : "");
		for (size_t i = 0; i < c->n; i++) {
			if (isnan(y[i])) {
				pen = 0;
				continue;
			}
			fprintf(f, "%s%.1f %.1f", pen ? " L" : (i ? " M" : "M"), fx(&fr, c->x[i]),
				fy(&fr, y[i]));
			pen = 1;
		}
		fputs("\"><title>", f);
		fl_svg_escape(f, se->name);
		fputs("</title></path>\n", f);
	}
	fputs("</svg>\n", f);
	return 0;
}

int fl_svg_stacked_area(FILE *f, const struct fl_svg_chart *c)
{
	struct frame fr;
	double *below;

	if (!chart_ok(c))
		return -1;
	below = calloc(c->n, sizeof(*below));
	if (!below)
		return -1;
	chart_head(f, c, 1, &fr);
	for (size_t s = 0; s < c->nseries; s++) {
		const double *y = c->series[s].y;
		fprintf(
		    f,
		    "<path class=\"series\" fill=\"%s\" fill-opacity=\"0.85\" stroke=\"%s\" d=\"",
		    series_color(&c->series[s], s), series_color(&c->series[s], s));
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s%.1f %.1f", i ? " L" : "M", fx(&fr, c->x[i]),
				fy(&fr, below[i] + (isnan(y[i]) ? 0 : y[i])));
		for (size_t i = c->n; i-- > 0;)
			fprintf(f, " L%.1f %.1f", fx(&fr, c->x[i]), fy(&fr, below[i]));
		fputs(" Z\"><title>", f);
		fl_svg_escape(f, c->series[s].name);
		fputs("</title></path>\n", f);
		for (size_t i = 0; i < c->n; i++)
			below[i] += isnan(y[i]) ? 0 : y[i];
	}
	hlines(f, c, &fr);
	fputs("</svg>\n", f);
	free(below);
	return 0;
}

/* ---- heatmap ---- */

/* Writes at most max characters of s (UTF-8 aware), keeping the tail, which
 * is the informative end of a path. */
static void label_tail(FILE *f, const char *s, size_t max)
{
	size_t len = 0, skip;
	const char *p;
	char *tmp;
	if (!s)
		return;
	for (p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			len++;
	if (len <= max) {
		fl_svg_escape(f, s);
		return;
	}
	skip = len - (max - 1);
	for (p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && skip-- == 0)
			break;
	tmp = strdup(p);
	fputs("\xe2\x80\xa6", f);
	fl_svg_escape(f, tmp ? tmp : "");
	free(tmp);
}

static void mix(char *out, size_t n, const char *hex, double k)
{
	unsigned r = 0x44, g = 0x44, b = 0x44;
	const unsigned br = 0xf6, bg = 0xf6, bb = 0xf6;
	if (hex && strlen(hex) == 7)
		sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b);
	snprintf(out, n, "#%02x%02x%02x", (unsigned)(br + (r - (double)br) * k + 0.5),
		 (unsigned)(bg + (g - (double)bg) * k + 0.5),
		 (unsigned)(bb + (b - (double)bb) * k + 0.5));
}

#define HM_LABEL 230.0
#define HM_ROW 18.0

int fl_svg_heatmap(FILE *f, const struct fl_svg_heatmap *h)
{
	struct frame fr;
	struct fl_svg_ticks xt;
	double max = 0, top = 44, hgt;
	char buf[64], buf2[64], buf3[64], col[16];
	const char *id = h && h->id ? h->id : "hm";

	if (!h || !h->rows || !h->x_edges || !h->cells || h->ncols == 0 || h->nrows == 0)
		return -1;
	for (size_t i = 0; i < h->nrows * h->ncols; i++)
		if (h->cells[i] > max)
			max = h->cells[i];
	hgt = top + (double)h->nrows * HM_ROW + 50;
	fr = (struct frame){HM_LABEL,
			    W - 20,
			    top,
			    top + (double)h->nrows * HM_ROW,
			    h->x_edges[0],
			    h->x_edges[h->ncols],
			    0,
			    1,
			    0};
	if (!(fr.x1 > fr.x0))
		fr.x1 = fr.x0 + 1;
	svg_open(f, h->id, h->title, hgt);
	fprintf(
	    f,
	    "<defs><pattern id=\"%s-unk\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	    "<rect width=\"6\" height=\"6\" fill=\"#fff\"/><path d=\"M0 6L6 0\" stroke=\"#bbb\"/>"
	    "</pattern><linearGradient id=\"%s-grad\">",
	    id, id);
	for (int k = 0; k <= 4; k++) {
		mix(col, sizeof(col), h->color, sqrt(k / 4.0));
		fprintf(f, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", k * 25, col);
	}
	fputs("</linearGradient></defs>\n", f);
	/* legend: value label, gradient from 0 to max, unknown swatch */
	fputs("<g class=\"legend\">", f);
	text(f, HM_LABEL, 24, "start", NULL, h->v_label ? h->v_label : "");
	{
		double lx = HM_LABEL + CHAR_W * (double)strlen(h->v_label ? h->v_label : "") + 12;
		text(f, lx, 24, "start", NULL, "0");
		fprintf(
		    f,
		    "<rect x=\"%.1f\" y=\"12\" width=\"160\" height=\"14\" fill=\"url(#%s-grad)\" "
		    "stroke=\"#999\"/>\n",
		    lx + 14, id);
		text(f, lx + 180, 24, "start", NULL,
		     fl_svg_format(buf, sizeof(buf), max, h->v_unit));
		lx += 180 + CHAR_W * (double)strlen(buf) + 20;
		fprintf(
		    f,
		    "<rect x=\"%.1f\" y=\"12\" width=\"20\" height=\"14\" fill=\"url(#%s-unk)\" "
		    "stroke=\"#999\"/>\n",
		    lx, id);
		text(f, lx + 26, 24, "start", NULL, "not measured");
	}
	fputs("</g>\n", f);
	for (size_t r = 0; r < h->nrows; r++) {
		double y = top + (double)r * HM_ROW;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"><title>", HM_LABEL - 6,
			y + HM_ROW - 5);
		fl_svg_escape(f, h->rows[r]);
		fputs("</title>", f);
		label_tail(f, h->rows[r], 30);
		fputs("</text>\n", f);
		for (size_t c = 0; c < h->ncols; c++) {
			double v = h->cells[r * h->ncols + c];
			double x0 = fx(&fr, h->x_edges[c]), x1 = fx(&fr, h->x_edges[c + 1]);
			if (isnan(v))
				snprintf(col, sizeof(col), "url(#%s-unk)", id);
			else
				mix(col, sizeof(col), h->color,
				    max > 0 && v > 0 ? sqrt(v / max) : 0);
			fprintf(f,
				"<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" "
				"fill=\"%s\"><title>",
				x0, y, fmax(x1 - x0, 0.5), HM_ROW - 1, col);
			fl_svg_escape(f, h->rows[r]);
			fprintf(f, ", %s\xe2\x80\x93%s: %s</title></rect>\n",
				fl_svg_format(buf, sizeof(buf), h->x_edges[c], h->x_unit),
				fl_svg_format(buf2, sizeof(buf2), h->x_edges[c + 1], h->x_unit),
				fl_svg_format(buf3, sizeof(buf3), v, h->v_unit));
		}
	}
	fl_svg_ticks_linear(fr.x0, fr.x1, h->x_unit, &xt);
	x_axis(f, &fr, &xt, h->x_unit, h->x_label);
	fputs("</svg>\n", f);
	return 0;
}

/* ---- bars ---- */

#define BAR_H 14.0
#define BAR_LABEL 300.0

int fl_svg_bars(FILE *f, const struct fl_svg_bars *b)
{
	struct legend_item it[64];
	struct fl_svg_ticks xt;
	struct frame fr;
	double max = 0, top, group, hgt;
	size_t nl;
	char buf[64];

	if (!b || !b->labels || b->n == 0 || b->nseries == 0 || !b->series)
		return -1;
	for (size_t s = 0; s < b->nseries; s++) {
		if (!b->series[s].y)
			return -1;
		for (size_t i = 0; i < b->n; i++)
			if (b->series[s].y[i] > max)
				max = b->series[s].y[i];
	}
	nl = b->nseries < 64 ? b->nseries : 64;
	for (size_t s = 0; s < nl; s++)
		it[s] =
		    (struct legend_item){b->series[s].name, series_color(&b->series[s], s), 0, 0};
	top = 16 + legend_rows(it, nl, BAR_LABEL, W - 20) * LEGEND_ROW;
	group = (double)b->nseries * BAR_H + 10;
	hgt = top + (double)b->n * group + 50;
	fr = (struct frame){BAR_LABEL, W - 90, top, top + (double)b->n * group, 0, max * 1.05,
			    0,	       1,      0};
	if (!(fr.x1 > 0))
		fr.x1 = 1;
	svg_open(f, b->id, b->title, hgt);
	legend(f, it, nl, BAR_LABEL, W - 20, 20);
	fl_svg_ticks_linear(0, fr.x1, b->unit, &xt);
	for (size_t i = 0; i < xt.n; i++)
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			fx(&fr, xt.v[i]), fr.py0, fx(&fr, xt.v[i]), fr.py1);
	for (size_t i = 0; i < b->n; i++) {
		double y = top + (double)i * group + 5;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"><title>", BAR_LABEL - 6,
			y + group / 2);
		fl_svg_escape(f, b->labels[i]);
		fputs("</title>", f);
		label_tail(f, b->labels[i], 40);
		fputs("</text>\n", f);
		for (size_t s = 0; s < b->nseries; s++) {
			double v = b->series[s].y[i], yy = y + (double)s * BAR_H;
			double w = isnan(v) ? 0 : fx(&fr, v) - fr.px0;
			fprintf(f,
				"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" "
				"fill=\"%s\"><title>",
				fr.px0, yy, fmax(w, 0.5), BAR_H - 2,
				series_color(&b->series[s], s));
			fl_svg_escape(f, b->series[s].name);
			fprintf(f, ": %s</title></rect>\n",
				fl_svg_format(buf, sizeof(buf), v, b->unit));
			text(f, fr.px0 + fmax(w, 0.5) + 4, yy + BAR_H - 3, "start",
			     "font-size=\"11\"", buf);
		}
	}
	x_axis(f, &fr, &xt, b->unit, b->x_label);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n",
		fr.px0, fr.py0, fr.px0, fr.py1);
	fputs("</svg>\n", f);
	return 0;
}
