/*
 * The process's trace file: the sink every line goes through. All writing
 * happens under one lock (never taken on the hot path): by the ticker each
 * interval, by a thread whose ring is full, at fork, exec and exit. A fork
 * child gets a new file linked to the parent's. The writer writes bytes and
 * notes; what goes into the file is up to its producers (record, probes,
 * session), which format into fl_writer_out() with the lock held.
 */
#ifndef FL_WRITER_H
#define FL_WRITER_H

#include <stdint.h>
#include <sys/types.h>

#include "trace/out.h"

struct fl_trace {
	pid_t pid;
	int fd;
	uint64_t dev, ino; /* identity of our file, to notice fd theft */
	char path[4200];
	uint64_t written;   /* bytes written to the file */
	int stopped;	    /* the size cap was reached, or a write failed */
	int write_failed;   /* a write failed (disk full…): warned once */
	uint64_t peak_live; /* the heap line's peak live bytes, per file */
};

extern struct fl_trace fl_trace;

/* Creates this process's file in the trace directory (0600, O_EXCL,
 * O_NOFOLLOW, never overwriting) and restarts the clock; the caller writes
 * the header next. 0 or -1. */
int fl_writer_open(void);

/* Never blocks on its own thread: a signal handler that interrupted this
 * thread while it held the lock gets it "nested", its lines kept aside
 * until the interrupted holder unlocks (writes wait till then). A holder
 * that keeps the lock more than a few seconds has stalled: waiters stop
 * waiting, tracing goes off for the process (FL_OFF, pass-through), their
 * lines go nowhere, and the trace says so if the holder ever lets go. */
void fl_writer_lock(void);
/* Tries for up to ms milliseconds (signal handlers, where the lock may be
 * held by the interrupted code); 0 when taken, -1 at once if this thread
 * holds it already. */
int fl_writer_trylock(unsigned ms);
void fl_writer_unlock(void);
/* Whether this thread holds the lock (then a signal handler's line can
 * still be written, nested). */
int fl_writer_held_here(void);
/* With the lock held: the output buffer to format lines into. */
struct fl_out *fl_writer_out(void);
/* With the lock held: writes lines out if more than a threshold is pending
 * (force: all of them). */
void fl_writer_write(int force);

/* Lock held: a "note" line (what happened, why, a number). */
void fl_writer_note(const char *what, const char *why, uint64_t n);

/* fork child: drop the parent's file and buffers (without writing them).
 * Called with the lock held (taken in prepare). */
void fl_writer_after_fork_child(void);

#endif
