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

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || s[0] > 0xf4)
		return 0;
	*cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return len;
}

void fl_text_write_safe(FILE *f, const char *s, size_t n, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, plain = 0;
	while (i < n) {
		unsigned cp = p[i];
		size_t len = 1;
		int bad;
		if (p[i] < 0x80)
			bad = (p[i] < 0x20 && p[i] != '\t' && !(p[i] == '\n' && keep_newlines)) ||
			      p[i] == 0x7f;
		else
			bad = !(len = utf8_len(p + i, n - i, &cp)) || cp <= 0x9f;
		if (!bad) {
			i += len;
			continue;
		}
		fwrite(p + plain, 1, i - plain, f);
		if (len && cp >= 0x80)
			fprintf(f, "\\u%04x", cp);
		else
			fprintf(f, "\\x%02x", p[i]);
		i += len ? len : 1;
		plain = i;
	}
	fwrite(p + plain, 1, n - plain, f);
}
