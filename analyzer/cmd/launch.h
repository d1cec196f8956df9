/*
 * Running the traced program as one job with `faultline record`, the way a
 * shell's job control expects: the program stays in record's process group,
 * so the terminal's ^C, ^\ and ^Z reach it directly and are not sent again;
 * when it stops, record stops too, so the shell sees the job stop; and each
 * dies with the other.
 */
#ifndef FL_LAUNCH_H
#define FL_LAUNCH_H

#include <sys/resource.h>
#include <sys/types.h>

/*
 * Forks and execs ARGV (searched in PATH), and starts forwarding to it the
 * signals record gets that the program would not get by itself. Returns the
 * program's pid, or -1 with an fl_error() when it cannot fork. A program that
 * cannot be exec'd exits 127 (not found) or 126, as in a shell.
 */
pid_t fl_launch_start(char *const argv[]);

/*
 * Waits for PID (from fl_launch_start) to end, stopping record whenever the
 * program stops for job control and continuing it when record continues.
 * Returns its exit status as a shell reports it (128+N when signal N killed
 * it), or -1 with an fl_error(). Signal handling is back to what it was.
 * On success *wstatus is the wait status and *ru what wait4 said the
 * program used (with its reaped children's).
 */
int fl_launch_wait(pid_t pid, int *wstatus, struct rusage *ru);

#endif
