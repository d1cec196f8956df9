#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

unsigned long fl_error_count;

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "faultline: %s", prefix);
	vfprintf(stderr, fmt, ap);
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

int fl_error_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	fl_error_count++;
	fflush(stdout);
	fprintf(stderr, "faultline: %s:%ld: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void fl_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}
