/* svg.c: formatting, ticks, escaping and the geometry of each chart. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "render/svg.h"

static char *render(int (*fn)(FILE *, const void *), const void *arg, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*rc = fn(f, arg);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static int line_fn(FILE *f, const void *c) { return fl_svg_line_chart(f, c); }
static int area_fn(FILE *f, const void *c) { return fl_svg_stacked_area(f, c); }
static int heat_fn(FILE *f, const void *h) { return fl_svg_heatmap(f, h); }
static int bars_fn(FILE *f, const void *b) { return fl_svg_bars(f, b); }

static void test_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fl_svg_escape(f, "<script>a&b \"q\" 'r'\x01</script>");
	fl_svg_escape(f, NULL);
	fclose(f);
	CHECK_STR(buf, "&lt;script&gt;a&amp;b &quot;q&quot; &#39;r&#39;\xef\xbf\xbd&lt;/script&gt;");
	free(buf);
}

static void test_format(void)
{
	char b[64];
	CHECK_STR(fl_svg_format(b, sizeof(b), 4096, FL_UNIT_BYTES), "4.00 KiB");
	CHECK_STR(fl_svg_format(b, sizeof(b), 1536.0 * 1024, FL_UNIT_BYTES), "1.50 MiB");
	CHECK_STR(fl_svg_format(b, sizeof(b), 1023.9, FL_UNIT_BYTES), "1024 B");
	CHECK_STR(fl_svg_format(b, sizeof(b), 24.0 * 1024 * 1024 * 1024, FL_UNIT_BYTES), "24.0 GiB");
	CHECK_STR(fl_svg_format(b, sizeof(b), 100, FL_UNIT_BYTES), "100 B");
	CHECK_STR(fl_svg_format(b, sizeof(b), 1000.0 * 1048576, FL_UNIT_BYTES), "1000 MiB");
	CHECK_STR(fl_svg_format(b, sizeof(b), 123.4 * 1024, FL_UNIT_BYTES), "123 KiB");
	CHECK_STR(fl_svg_format(b, sizeof(b), 0.25, FL_UNIT_SECONDS), "250 ms");
	CHECK_STR(fl_svg_format(b, sizeof(b), 1.5, FL_UNIT_SECONDS), "1.5 s");
	CHECK_STR(fl_svg_format(b, sizeof(b), 0, FL_UNIT_SECONDS), "0 s");
	CHECK_STR(fl_svg_format(b, sizeof(b), 180, FL_UNIT_SECONDS), "3 min");
	CHECK_STR(fl_svg_format(b, sizeof(b), 12345, FL_UNIT_COUNT), "12.3k");
	CHECK_STR(fl_svg_format(b, sizeof(b), 999.7, FL_UNIT_COUNT), "1k");
	CHECK_STR(fl_svg_format(b, sizeof(b), 42, FL_UNIT_PAGES), "42");
	CHECK_STR(fl_svg_format(b, sizeof(b), 2.5, FL_UNIT_COUNT), "2.5");
	CHECK_STR(fl_svg_format(b, sizeof(b), 3e6, FL_UNIT_COUNT), "3M");
	CHECK_STR(fl_svg_format(b, sizeof(b), NAN, FL_UNIT_BYTES), "?");
}

static void check_ticks(const struct fl_svg_ticks *t, double lo, double hi)
{
	CHECK(t->n >= 2 && t->n <= 12);
	for (size_t i = 0; i < t->n; i++) {
		CHECK(t->v[i] >= lo - 1e-9 && t->v[i] <= hi * (1 + 1e-9));
		if (i)
			CHECK(t->v[i] > t->v[i - 1]);
		if (i > 1) /* evenly spaced */
			CHECK(fabs((t->v[i] - t->v[i - 1]) - (t->v[1] - t->v[0])) < 1e-6 * hi);
	}
}

static void test_ticks(void)
{
	struct fl_svg_ticks t;
	fl_svg_ticks_linear(0, 10, FL_UNIT_COUNT, &t);
	CHECK_EQ_U64(t.n, 6);
	CHECK(t.v[0] == 0 && t.v[5] == 10);
	check_ticks(&t, 0, 10);
	/* bytes: steps in GiB, not in powers of ten of bytes */
	fl_svg_ticks_linear(0, 3.5 * 1073741824.0, FL_UNIT_BYTES, &t);
	check_ticks(&t, 0, 3.5 * 1073741824.0);
	CHECK(t.v[1] == 0.5 * 1073741824.0);
	/* just over 1 GiB: quarters of a GiB, not 0.2 GiB = 204.8 MiB */
	fl_svg_ticks_linear(0, 1.05 * 1073741824.0, FL_UNIT_BYTES, &t);
	check_ticks(&t, 0, 1.05 * 1073741824.0);
	CHECK(t.v[1] == 268435456.0);
	fl_svg_ticks_linear(0, 3000.0 * 1048576, FL_UNIT_BYTES, &t);
	CHECK(t.v[1] == 0.5 * 1073741824.0);
	fl_svg_ticks_linear(0, 0.37, FL_UNIT_SECONDS, &t);
	check_ticks(&t, 0, 0.37);
	CHECK(fabs(t.v[1] - 0.05) < 1e-12);
	fl_svg_ticks_linear(5, 5, FL_UNIT_COUNT, &t);
	CHECK_EQ_U64(t.n, 1);
	fl_svg_ticks_log(4096, 32.0 * 1073741824.0, FL_UNIT_BYTES, &t);
	CHECK(t.n >= 3 && t.n <= 8);
	for (size_t i = 0; i < t.n; i++) {
		double e = log2(t.v[i]);
		CHECK(e == floor(e) && t.v[i] >= 4096 && t.v[i] <= 32.0 * 1073741824.0);
	}
	fl_svg_ticks_log(1, 1e6, FL_UNIT_COUNT, &t);
	CHECK_EQ_U64(t.n, 7);
	CHECK(t.v[0] == 1 && fabs(t.v[6] - 1e6) < 1e-6);
}

/* First coordinate pair of the first <path class="series"> with stroke colour. */
static void path_points(const char *svg, size_t which, double *xs, double *ys, size_t *n)
{
	const char *p = svg;
	for (size_t i = 0; i <= which; i++)
		p = strstr(p, "class=\"series\"") + 1;
	p = strstr(p, " d=\"") + 4;
	*n = 0;
	while (*p && *p != '"' && *p != 'Z' && *n < 8) {
		if (*p == 'M' || *p == 'L')
			p++;
		xs[*n] = strtod(p, (char **)&p);
		ys[*n] = strtod(p, (char **)&p);
		(*n)++;
		while (*p == ' ')
			p++;
	}
}

static void test_line_chart(void)
{
	double x[] = { 0, 1, 2, 3 };
	double rss[] = { 0, 1048576, 2097152, 4194304 };
	double wss[] = { 0, NAN, 1048576, 1048576 };
	struct fl_svg_series s[] = { { "RSS <b>", rss, NULL, 0 }, { "WSS", wss, "#123456", 1 } };
	struct fl_svg_hline h[] = { { "TLB reach", 2097152, NULL } };
	struct fl_svg_chart c = { "mem", "memory & time", "time", "bytes", FL_UNIT_SECONDS,
				  FL_UNIT_BYTES, x, 4, s, 2, h, 1, FL_SCALE_AUTO };
	double xs[8], ys[8];
	size_t n;
	int rc;
	char *svg = render(line_fn, &c, &rc);

	CHECK(rc == 0);
	CHECK(strncmp(svg, "<svg ", 5) == 0);
	CHECK(strstr(svg, "viewBox=\"0 0 960 ") != NULL);
	CHECK(strstr(svg, "</svg>\n") != NULL);
	CHECK(strstr(svg, "<title>memory &amp; time</title>") != NULL);
	CHECK(strstr(svg, "RSS &lt;b&gt;") != NULL && strstr(svg, "RSS <b>") == NULL);
	CHECK_EQ_U64(count(svg, "class=\"series\""), 2);
	CHECK_EQ_U64(count(svg, "class=\"ref\""), 1);
	CHECK(strstr(svg, "TLB reach 2.00 MiB") != NULL);
	CHECK(strstr(svg, ">4.00 MiB<") != NULL); /* a y tick */
	CHECK(strstr(svg, ">1 s<") != NULL);   /* an x tick */
	path_points(svg, 0, xs, ys, &n);
	CHECK_EQ_U64(n, 4);
	CHECK(fabs(xs[0] - 84) < 0.01 && fabs(xs[3] - 940) < 0.01);
	/* linear: y of 2 MiB is halfway between 0 and 4 MiB */
	CHECK(fabs((ys[0] + ys[3]) / 2 - ys[2]) < 0.11);
	CHECK(ys[3] < ys[1] && ys[1] < ys[0]);
	/* the NaN breaks the WSS line: a second M, then an isolated point marker */
	CHECK(strstr(svg, "stroke-dasharray=\"6 4\" d=\"M84.0") != NULL);
	CHECK_EQ_U64(count(svg, "<circle class=\"point\""), 1);
	free(svg);

	/* RAM far above the data switches to a log axis: the line is drawn */
	h[0] = (struct fl_svg_hline){ "RAM", 24.0 * 1073741824.0, "#cc0000" };
	svg = render(line_fn, &c, &rc);
	CHECK(rc == 0 && strstr(svg, "RAM 24.0 GiB") != NULL);
	path_points(svg, 0, xs, ys, &n);
	/* log: 1->2 MiB and 2->4 MiB are the same height */
	CHECK(fabs((ys[1] - ys[2]) - (ys[2] - ys[3])) < 0.11);
	free(svg);

	/* a single tick: no path (it would be empty), a visible point per series */
	c.n = 1;
	c.nhlines = 0;
	svg = render(line_fn, &c, &rc);
	CHECK(rc == 0);
	CHECK_EQ_U64(count(svg, "<path class=\"series\""), 0);
	CHECK_EQ_U64(count(svg, "<circle class=\"series\""), 2);
	free(svg);

	c.n = 0;
	svg = render(line_fn, &c, &rc);
	CHECK(rc == -1 && strlen(svg) == 0);
	free(svg);
}

static void test_stacked(void)
{
	double x[] = { 0, 1 };
	double a[] = { 10, 20 }, b[] = { 30, NAN };
	struct fl_svg_series s[] = { { "zero", a, NULL, 0 }, { "file", b, NULL, 0 } };
	struct fl_svg_chart c = { "f", "faults", "time", "faults", FL_UNIT_SECONDS, FL_UNIT_COUNT,
				  x, 2, s, 2, NULL, 0, FL_SCALE_AUTO };
	double xs[8], ys[8];
	size_t n;
	int rc;
	char *svg = render(area_fn, &c, &rc);
	CHECK(rc == 0);
	CHECK_EQ_U64(count(svg, "class=\"series\""), 2);
	path_points(svg, 1, xs, ys, &n);
	/* second layer: top at 10+30 and 20+0, then back along the first layer */
	CHECK_EQ_U64(n, 4);
	path_points(svg, 0, xs + 4, ys + 4, &n);
	CHECK(fabs(ys[1] - ys[5]) < 0.01);  /* NaN adds nothing at x=1 */
	CHECK(fabs(ys[2] - ys[5]) < 0.01);  /* closes along layer 1 */
	CHECK(ys[0] < ys[4]);               /* 40 above 10 */
	free(svg);
}

static void test_heatmap(void)
{
	const char *rows[] = { "/lib/libc.so.6", "<script>alert(1)</script>&\"'" };
	double edges[] = { 0, 0.5, 1.0, 1.5 };
	double cells[] = { 0, 5, 10, NAN, 2.5, 0 };
	struct fl_svg_heatmap h = { "hm", "faults by region", rows, 2, edges, 3, cells,
				    FL_UNIT_SECONDS, FL_UNIT_COUNT, "time", "faults", "#0072b2" };
	int rc;
	char *svg = render(heat_fn, &h, &rc);
	CHECK(rc == 0);
	CHECK_EQ_U64(count(svg, "class=\"cell\""), 6);
	CHECK(strstr(svg, "<script>") == NULL);
	CHECK(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;") != NULL);
	CHECK(strstr(svg, "fill=\"#0072b2\"><title>/lib/libc.so.6, 1 s\xe2\x80\x93" "1.5 s: 10<") != NULL);
	CHECK(strstr(svg, "fill=\"#f6f6f6\"><title>/lib/libc.so.6, 0 s") != NULL);
	CHECK(strstr(svg, "fill=\"url(#hm-unk)\"") != NULL);
	CHECK(strstr(svg, ">10</text>") != NULL); /* legend max */
	free(svg);
	h.ncols = 0;
	svg = render(heat_fn, &h, &rc);
	CHECK(rc == -1);
	free(svg);
}

static void test_heatmap_long_label(void)
{
	const char *rows[] = { "/very/long/directory/name/that/goes/on/libsomething.so.1.2.3" };
	double edges[] = { 0, 1 };
	double cells[] = { 1 };
	struct fl_svg_heatmap h = { "h2", "t", rows, 1, edges, 1, cells, FL_UNIT_SECONDS,
				    FL_UNIT_PAGES, "time", "pages", "#009e73" };
	int rc;
	char *svg = render(heat_fn, &h, &rc);
	/* the tail survives, with an ellipsis; the full name is in the title */
	CHECK(strstr(svg, "</title>\xe2\x80\xa6") != NULL);
	CHECK(strstr(svg, "libsomething.so.1.2.3</text>") != NULL);
	CHECK(strstr(svg, "<title>/very/long/directory") != NULL);
	free(svg);
}

static void test_bars(void)
{
	const char *labels[] = { "main.c:12 big_alloc", "x & y" };
	double reserved[] = { 1048576, 4194304 }, touched[] = { 524288, 0 };
	struct fl_svg_series s[] = { { "reserved", reserved, NULL, 0 },
				     { "touched", touched, NULL, 0 } };
	struct fl_svg_bars b = { "oc", "overcommit", labels, 2, s, 2, FL_UNIT_BYTES, "bytes" };
	int rc;
	char *svg = render(bars_fn, &b, &rc);
	const char *p;
	double w[4];
	CHECK(rc == 0);
	CHECK_EQ_U64(count(svg, "class=\"bar\""), 4);
	p = svg;
	for (int i = 0; i < 4; i++) {
		p = strstr(p, "class=\"bar\"");
		p = strstr(p, "width=\"") + 7;
		w[i] = strtod(p, NULL);
	}
	CHECK(fabs(w[0] / w[1] - 2) < 0.01);   /* reserved 1 MiB vs touched 512 KiB */
	CHECK(fabs(w[2] / w[0] - 4) < 0.01);   /* 4 MiB vs 1 MiB */
	CHECK(w[3] <= 0.5);
	CHECK(strstr(svg, "x &amp; y") != NULL);
	CHECK(strstr(svg, ">512 KiB<") != NULL);
	free(svg);
}

int main(void)
{
	test_escape();
	test_format();
	test_ticks();
	test_line_chart();
	test_stacked();
	test_heatmap();
	test_heatmap_long_label();
	test_bars();
	return check_result();
}
