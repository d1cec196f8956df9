/*
 * The trace's clock and sequence numbers: every line carries the time since
 * this process's trace started and a sequence number that orders lines from
 * different threads. Producers (record, probes, session) stamp their lines
 * with these; the clock restarts with every trace file (a fork child's).
 */
#ifndef FL_CLOCK_H
#define FL_CLOCK_H

#include <stdint.h>

struct fl_clock {
	uint64_t start_mono; /* CLOCK_MONOTONIC ns at trace start */
	uint64_t start_real; /* CLOCK_REALTIME ns at trace start */
	/* The next sequence number; atomic. Every event of every thread
	 * takes one: in a line of its own, away from the start times that
	 * every fl_now() reads. */
	uint64_t seq __attribute__((aligned(64)));
};

extern struct fl_clock fl_clock;

/* Nanoseconds since this process's trace start. */
uint64_t fl_now(void);
/* A new sequence number (lock-free, any thread). */
uint64_t fl_seq_next(void);
/* A new trace file: time 0 is now, and the first sequence number is 1. */
void fl_clock_start(void);

#endif
