/*
 * Messages in git's style: "faultline: <what went wrong>", with a location
 * "faultline: FILE:LINE: <what>" for bad input. Modules report with
 * fl_error*() and return -1; only main.c and cmd_*.c call fl_die().
 */
#ifndef FL_DIAG_H
#define FL_DIAG_H

#include "faultline/compiler.h"

FL_NORETURN void fl_die(const char *fmt, ...) FL_PRINTF(1, 2);
FL_NORETURN void fl_usage(const char *fmt, ...) FL_PRINTF(1, 2); /* exit 2 */
int fl_error(const char *fmt, ...) FL_PRINTF(1, 2);		 /* returns -1 */
int fl_error_at(const char *file, long line, const char *fmt, ...) FL_PRINTF(3, 4);
void fl_warn(const char *fmt, ...) FL_PRINTF(1, 2);
/* "faultline: warning: FILE:LINE: <what>": input that is read as far as it
 * goes without being wrong (not counted in fl_error_count). */
void fl_warn_at(const char *file, long line, const char *fmt, ...) FL_PRINTF(3, 4);
/* Count of fl_error/fl_error_at calls so far (for exit codes). */
extern unsigned long fl_error_count;

#endif
