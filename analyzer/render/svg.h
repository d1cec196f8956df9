/*
 * SVG chart primitives for the HTML report: pure functions from numbers to
 * markup on a FILE *, no state, no allocation the caller must free.
 *
 * Every chart is an <svg> with a viewBox (it scales to its container, so the
 * page stays readable on a phone), a <title> naming it, axes with tick labels
 * in human units, and a legend. Every string written (series names, row
 * labels, titles) goes through fl_svg_escape(): callers may pass text that
 * came from a trace. Values that are NaN are "unknown": lines break there,
 * heatmap cells are drawn hatched.
 *
 * All functions return 0, or -1 (with nothing written) when the chart is
 * malformed (no columns, NULL arrays).
 */
#ifndef FL_SVG_H
#define FL_SVG_H

#include <stddef.h>
#include <stdio.h>

enum fl_unit {
	FL_UNIT_COUNT,	 /* 12, 3.4k, 5.6M */
	FL_UNIT_BYTES,	 /* 512 B, 4 KiB, 1.5 GiB */
	FL_UNIT_SECONDS, /* 250 ms, 1.5 s, 2 min */
	FL_UNIT_PAGES,	 /* like COUNT, with " pages" where a unit is printed alone */
};

/* Writes s with & < > " ' as entities; control characters other than tab
 * and newline become U+FFFD. NULL writes nothing. */
void fl_svg_escape(FILE *f, const char *s);

/* Formats v in unit u with about three significant digits into buf ("1.5 MiB",
 * "250 ms", "12.3k"); NaN gives "?". Returns buf. */
char *fl_svg_format(char *buf, size_t n, double v, enum fl_unit u);

#define FL_SVG_MAX_TICKS 16
struct fl_svg_ticks {
	double v[FL_SVG_MAX_TICKS];
	size_t n;
};

/* Round ticks covering [lo, hi]: steps of 1, 2 or 5 times a power of ten in
 * the unit's scale (KiB, MiB, ... for bytes; ms or s for time), at most
 * about 7 of them, every tick inside [lo, hi]. */
void fl_svg_ticks_linear(double lo, double hi, enum fl_unit u, struct fl_svg_ticks *t);
/* Ticks for a log axis over [lo, hi] (lo > 0): powers of 2 for bytes and
 * pages, powers of 10 otherwise, thinned to at most 8. */
void fl_svg_ticks_log(double lo, double hi, enum fl_unit u, struct fl_svg_ticks *t);

/* Palette (colour-blind safe, Okabe-Ito); index wraps. */
const char *fl_svg_color(size_t i);

struct fl_svg_series {
	const char *name;
	const double *y;   /* n values, one per x */
	const char *color; /* NULL: fl_svg_color(index) */
	int dashed;
};

/* A horizontal reference line across the chart (TLB reach, RAM). */
struct fl_svg_hline {
	const char *name;
	double y;
	const char *color;
};

enum fl_svg_scale { FL_SCALE_AUTO, FL_SCALE_LINEAR, FL_SCALE_LOG };

struct fl_svg_chart {
	const char *id;	   /* element id (not escaped: caller-chosen [a-z0-9-]) */
	const char *title; /* accessible name */
	const char *x_label, *y_label;
	enum fl_unit x_unit, y_unit;
	const double *x; /* n ascending values */
	size_t n;
	const struct fl_svg_series *series;
	size_t nseries;
	const struct fl_svg_hline *hlines;
	size_t nhlines;
	/* AUTO: log when a reference line or the data spans more than 64x above
	 * the data's own maximum, so RAM does not flatten the curves. */
	enum fl_svg_scale scale;
};

/* One polyline per series plus the reference lines. */
int fl_svg_line_chart(FILE *f, const struct fl_svg_chart *c);
/* Series stacked bottom-up as filled areas (NaN counts as 0); always linear. */
int fl_svg_stacked_area(FILE *f, const struct fl_svg_chart *c);

struct fl_svg_heatmap {
	const char *id, *title;
	const char *const *rows; /* nrows labels (trace strings welcome) */
	size_t nrows;
	const double *x_edges; /* ncols + 1 ascending column edges */
	size_t ncols;
	const double *cells; /* nrows * ncols, row-major; NaN = unknown */
	enum fl_unit x_unit, v_unit;
	const char *x_label, *v_label;
	const char *color; /* hue of the highest value, "#rrggbb" */
};

/* Rows are labelled on the left; colour intensity is value / max (square
 * root scaled, so small values stay visible); a gradient legend gives the
 * range. Each cell carries a <title> with row, time range and value. */
int fl_svg_heatmap(FILE *f, const struct fl_svg_heatmap *h);

struct fl_svg_bars {
	const char *id, *title;
	const char *const *labels; /* n categories (trace strings welcome) */
	size_t n;
	const struct fl_svg_series *series; /* each has n values */
	size_t nseries;
	enum fl_unit unit;
	const char *x_label;
};

/* Horizontal grouped bars: one group per label, one bar per series. */
int fl_svg_bars(FILE *f, const struct fl_svg_bars *b);

#endif
