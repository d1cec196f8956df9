/*
 * The colouring stream (see color.h). It works line by line on the text the
 * renderers produce, so the colours follow the renderers' own markers.
 */
#include "cmd/color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

#define BOLD "\033[1m"
#define RED "\033[1;31m"
#define RESET "\033[m"
#define WARN_MARK "  ! "

const char *const fl_color_choices[] = {"auto", "never", "always", NULL};

int fl_color_wanted(enum fl_color_when when, int fd)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	if (when != FL_COLOR_AUTO)
		return when == FL_COLOR_ALWAYS;
	if (no_color && no_color[0])
		return 0;
	return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

struct colorizer {
	FILE *out;
	char *line;
	size_t len, cap;
	int in_warning; /* the wrapped continuation lines of a warning are red too */
};

static int is_heading(const char *s, size_t n)
{
	return n >= 6 && !strncmp(s, "== ", 3) && !strncmp(s + n - 3, " ==", 3);
}

static void emit_line(struct colorizer *c)
{
	const char *s = c->line;
	size_t n = c->len;
	if (is_heading(s, n)) {
		c->in_warning = 0;
		fprintf(c->out, BOLD "%.*s" RESET "\n", (int)n, s);
		return;
	}
	if (n >= 4 && !strncmp(s, WARN_MARK, 4))
		c->in_warning = 1;
	else if (n < 4 || strncmp(s, "    ", 4) || !strncmp(s, "      why: ", 11))
		c->in_warning = 0;
	if (c->in_warning && n)
		fprintf(c->out, RED "%.*s" RESET "\n", (int)n, s);
	else
		fprintf(c->out, "%.*s\n", (int)n, s);
}

static ssize_t colorizer_write(void *cookie, const char *buf, size_t size)
{
	struct colorizer *c = cookie;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\n') {
			emit_line(c);
			c->len = 0;
			continue;
		}
		if (c->len == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 256;
			c->line = fl_xrealloc(c->line, c->cap);
		}
		c->line[c->len++] = buf[i];
	}
	return ferror(c->out) ? -1 : (ssize_t)size;
}

static int colorizer_close(void *cookie)
{
	struct colorizer *c = cookie;
	int rc = 0;
	if (c->len)
		fprintf(c->out, "%.*s", (int)c->len, c->line);
	if (fflush(c->out) != 0 || ferror(c->out))
		rc = -1;
	free(c->line);
	free(c);
	return rc;
}

FILE *fl_color_open(FILE *out)
{
	cookie_io_functions_t io = {NULL, colorizer_write, NULL, colorizer_close};
	struct colorizer *c = fl_xcalloc(1, sizeof(*c));
	FILE *f;
	c->out = out;
	f = fopencookie(c, "w", io);
	if (!f)
		free(c);
	return f;
}

int fl_color_close(FILE *f)
{
	return fclose(f) == 0 ? 0 : -1;
}
