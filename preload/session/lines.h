/*
 * The fork, exec, wait and exit lines. Call with the writer lock held.
 */
#ifndef FL_LINES_H
#define FL_LINES_H

#include <stdint.h>

/* The "exit" line (how = "exit", "_exit", "exit_group", "signal",
 * "exec"); core: the signal dumps core. Writes everything out. */
void fl_lines_exit(const char *how, int status, int sig, int core);
/* The "fork" line at the time and seq reserved before the child was made
 * (the child's header links to them). */
void fl_lines_fork(int64_t child, const char *kind, uint64_t t, uint64_t seq);
/* An "exec" line (result 0 before the call, -1 after a failure). */
void fl_lines_exec(const char *path, char *const *argv, int result, int err, uint64_t t,
		   uint64_t seq);
struct rusage;
/* A "wait" line: a child reaped, with its wait status and, when the call
 * gave it, the rusage wait4 returned (the child's and its reaped
 * children's). */
void fl_lines_wait(int64_t child, int status, const struct rusage *ru);

#endif
