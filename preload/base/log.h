/*
 * Diagnostics on stderr: "faultline[1234]: warning: <what>: <errno name>",
 * at most once per message, without stdio. Silent with FAULTLINE_QUIET=1.
 */
#ifndef FL_LOG_H
#define FL_LOG_H

void fl_log_warn(const char *what, int err);

#endif
