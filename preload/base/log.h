/*
 * The shim's warnings. The program's stderr is the program's: a warning
 * goes into the trace as a note line ("what":"warning", "why": the message,
 * "n": the errno), written with the next lines (fl_log_take), and record
 * shows it from there. Only when no trace can exist at all (FAULTLINE_OUT
 * unset: the library was preloaded by hand) is it printed on stderr:
 * "faultline[1234]: warning: <what>: <errno name>". At most once per
 * message; silent with FAULTLINE_QUIET=1.
 */
#ifndef FL_LOG_H
#define FL_LOG_H

/* what: a string literal (kept by address). */
void fl_log_warn(const char *what, int err);

/* The next warning not yet written to the trace: 1 and *what, *err, or 0.
 * For the writer, under its lock. */
int fl_log_take(const char **what, int *err);

#endif
