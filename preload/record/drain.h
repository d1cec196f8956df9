/*
 * Turns what the hooks recorded into trace lines. Every function here is
 * called with the writer lock held.
 */
#ifndef FL_DRAIN_H
#define FL_DRAIN_H

struct fl_thread;

/* Drains every thread's ring into the output, notes events a full ring
 * dropped, and recycles the state of threads that exited. */
void fl_drain_all(void);
/* Drains one thread's ring (its ring is full). */
void fl_drain_thread(struct fl_thread *t);
/* The "heap" line: exact call counts, bytes and live bytes of every
 * thread, with the peak of live bytes seen by this trace file. */
void fl_drain_heap_line(void);

#endif
