/*
 * Progress on stderr for long analyses: nothing during the first second,
 * nothing when stderr is not a terminal, then one line redrawn in place at
 * most ten times a second and erased when the work is done.
 *
 *	struct fl_progress p;
 *	fl_progress_init(&p, "reading trace", total_bytes);
 *	while (...) fl_progress_update(&p, done_bytes);
 *	fl_progress_done(&p);
 */
#ifndef FL_PROGRESS_H
#define FL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct fl_progress {
	const char *what;
	uint64_t total; /* bytes of work; 0 = unknown (shows bytes done only) */
	uint64_t done;
	FILE *out; /* NULL: disabled */
	double start, last;
	double (*now)(void); /* seconds, monotonic; replaceable for tests */
	int shown;
};

/* Enabled when stderr is a terminal, unless FAULTLINE_PROGRESS=0; =1 forces it. */
void fl_progress_init(struct fl_progress *p, const char *what, uint64_t total);
/* The same, writing to out (NULL disables) with the given clock (NULL: the
 * monotonic clock). */
void fl_progress_init_to(struct fl_progress *p, const char *what, uint64_t total, FILE *out,
			 double (*now)(void));
void fl_progress_update(struct fl_progress *p, uint64_t done);
/* Erases the line if one was drawn. */
void fl_progress_done(struct fl_progress *p);

#endif
