#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

unsigned long fl_error_count;

/* The message, its names (paths, events from a trace) unable to drive the terminal. */
static void vsay(const char *fmt, va_list ap)
{
	char *msg;
	int n = vasprintf(&msg, fmt, ap);
	if (n < 0) {
		fputs("(out of memory)", stderr);
		return;
	}
	fl_text_write_safe(stderr, msg, (size_t)n, 0);
	free(msg);
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "faultline: %s", prefix);
	vsay(fmt, ap);
	fputc('\n', stderr);
}

void fl_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(1);
}

void fl_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(2);
}

int fl_error(const char *fmt, ...)
{
	va_list ap;
	fl_error_count++;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

/* "faultline: [PREFIX]FILE:LINE: <what>" */
static void vreport_at(const char *prefix, const char *file, long line, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "faultline: %s", prefix);
	fl_text_write_safe(stderr, file, strlen(file), 0);
	fprintf(stderr, ":%ld: ", line);
	vsay(fmt, ap);
	fputc('\n', stderr);
}

int fl_error_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	fl_error_count++;
	va_start(ap, fmt);
	vreport_at("", file, line, fmt, ap);
	va_end(ap);
	return -1;
}

void fl_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void fl_warn_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport_at("warning: ", file, line, fmt, ap);
	va_end(ap);
}
