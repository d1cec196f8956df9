/*
 * Plain-text layout for the text reports: wrapping at a width, and fitting
 * code locations and paths into a table column. Why the fitting keeps the
 * end of a name: sites differ at the end (the function, the file:line), and
 * C++ names differ least in their template arguments.
 */
#include "util/text.h"

#include <stdarg.h>
#include <string.h>

void fl_text_wrap(FILE *f, const char *prefix, const char *indent, const char *text, int width)
{
	const char *p = text ? text : "";
	int first = 1;
	while (*p) {
		const char *lead = first ? prefix : indent;
		int room = width - (int)strlen(lead), n = 0, cut = -1;
		if (room < 20)
			room = 20;
		while (n < room && p[n]) {
			if (p[n] == ' ')
				cut = n;
			n++;
		}
		if (!p[n])
			cut = n;
		else if (cut <= 0)
			cut = n; /* one long word: break it */
		fprintf(f, "%s%.*s\n", lead, cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = 0;
	}
	if (first)
		fprintf(f, "%s\n", prefix);
}

/* Copies src to dst replacing what is inside each outermost open..close
 * pair by "..."; from keep_from on, src is copied as it is. */
static void collapse(char *dst, size_t len, const char *src, char open, char close,
		     const char *keep_from)
{
	size_t o = 0;
	int depth = 0;
	for (const char *p = src; *p && o + 5 < len; p++) {
		if (p >= keep_from) {
			snprintf(dst + o, len - o, "%s", p);
			return;
		}
		if (*p == open && depth++ == 0) {
			memcpy(dst + o, (char[]){open, '.', '.', '.'}, 4);
			o += 4;
		} else if (*p == close && depth > 0 && --depth == 0) {
			dst[o++] = close;
		} else if (depth == 0) {
			dst[o++] = *p;
		}
	}
	dst[o] = '\0';
}

/* Where the trailing " (file:line)" or " (object)" of a site's text
 * starts (at its space), or the end of s. */
static const char *location_of(const char *s)
{
	const char *loc = strrchr(s, '(');
	size_t n = strlen(s);
	if (!loc || loc == s || loc[-1] != ' ' || s[n - 1] != ')')
		return s + n;
	return loc - 1;
}

/* The last keep characters of s (length n), moved on to a "::" close by
 * so that a C++ name is cut between its parts. */
static const char *tail_of(const char *s, size_t n, size_t keep)
{
	const char *p = s + n - keep, *q = strstr(p, "::");
	if (q && q - p < 16 && q < location_of(p))
		return q;
	return p;
}

const char *fl_fit_site(char *buf, size_t len, const char *text, int width)
{
	char a[1024], b[1024];
	size_t n;
	snprintf(buf, len, "%s", text);
	if ((int)strlen(buf) <= width || width < 8)
		return buf;
	collapse(a, sizeof(a), text, '<', '>', location_of(text));
	collapse(b, sizeof(b), a, '(', ')', location_of(a));
	n = strlen(b);
	if ((int)strlen(a) <= width)
		snprintf(buf, len, "%s", a);
	else if ((int)n <= width)
		snprintf(buf, len, "%s", b);
	else
		snprintf(buf, len, "...%s", tail_of(b, n, (size_t)(width - 3)));
	return buf;
}

void fl_text_printf(FILE *f, const char *indent, const char *fmt, ...)
{
	char buf[2048];
	size_t n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	fl_text_wrap(f, "", indent, buf, 100);
}

const char *fl_fit_path(char *buf, size_t len, const char *path, int width)
{
	size_t n = strlen(path);
	if ((int)n <= width || width < 8)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "...%s", path + n - (size_t)(width - 3));
	return buf;
}
