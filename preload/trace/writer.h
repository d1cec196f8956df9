/*
 * The process's trace: the file, the sequence numbers and the flush. All
 * writing happens under one lock (never taken on the hot path): by the
 * ticker each interval, by a thread whose ring is full, at fork, exec and
 * exit. A fork child gets a new file linked to the parent's.
 */
#ifndef FL_WRITER_H
#define FL_WRITER_H

#include <stdint.h>
#include <sys/types.h>

#include "trace/out.h"

struct fl_trace {
	pid_t pid;
	uint64_t start_mono; /* CLOCK_MONOTONIC ns at trace start */
	uint64_t start_real;
	uint64_t seq; /* atomic */
	int fd;
	uint64_t dev, ino; /* identity of our file, to notice fd theft */
	char path[4200];
	uint64_t written; /* bytes written to the file */
	int stopped;	  /* the size cap was reached, or a write failed */
	int write_failed; /* a write failed (disk full…): warned once */
	uint64_t peak_live;
};

extern struct fl_trace fl_trace;

/* Nanoseconds since this process's trace start. */
uint64_t fl_now(void);
uint64_t fl_seq_next(void);

/* Creates this process's file in the trace directory (0600, O_EXCL,
 * O_NOFOLLOW, never overwriting) and writes the header. parent_kind is
 * "none", "fork", "exec", ... 0 or -1. */
int fl_writer_open(const char *parent_kind);

void fl_writer_lock(void);
/* Tries for up to ms milliseconds (signal handlers, where the lock may be
 * held by the interrupted code); 0 when taken. */
int fl_writer_trylock(unsigned ms);
void fl_writer_unlock(void);
/* With the lock held: the output buffer to format lines into. */
struct fl_out *fl_writer_out(void);
/* With the lock held: writes lines out if more than a threshold is pending
 * (force: all of them). */
void fl_writer_write(int force);

/* With the lock held: drains every thread's ring into the output. */
void fl_writer_drain_all(void);
struct fl_thread;
/* With the lock held: drains one thread's ring (its ring is full). */
void fl_writer_drain_thread(struct fl_thread *t);
/* One tick: drain, heap totals, probes; final also writes the exit line
 * (how = "exit", "signal", "exec", ...). Takes the lock. */
void fl_writer_tick(int final);
/* The same with the lock held. */
void fl_writer_tick_locked(int final);
/* Writes the "exit" line (lock held); core: the signal dumps core. */
void fl_writer_exit_line(const char *how, int status, int sig, int core);
/* Lock held: a "note" line (what happened, why, a number). */
void fl_writer_note(const char *what, const char *why, uint64_t n);
/* Lock held: the "fork" line at the time and seq reserved before the
 * child was made (the child's header links to them). */
void fl_writer_fork_line(int64_t child, const char *kind, uint64_t t, uint64_t seq);
/* Lock held: an "exec" line (result 0 before the call, -1 after a failure). */
void fl_writer_exec_line(const char *path, char *const *argv, int result, int err, uint64_t t,
			 uint64_t seq);
/* Lock held: a "wait" line, a child reaped with its wait status. */
void fl_writer_wait_line(int64_t child, int status);

/* fork child: drop the parent's file and buffers (without writing them),
 * open a new file. Called with the lock held (taken in prepare). */
void fl_writer_after_fork_child(void);

#endif
