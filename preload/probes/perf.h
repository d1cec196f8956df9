/*
 * perf_event_open for the probes: software page-fault counters (minor,
 * major, all; user mode, every thread), dTLB miss counters, and page-fault
 * samples (address, IP, thread, time; minor and major told apart by the
 * event id) written into one ring buffer per CPU and drained by the ticker.
 *
 * Coverage of threads: per-CPU events with inherit + inherit_thread follow
 * every thread the opener creates later, but neither a forked child (which
 * opens its own) nor threads that existed before the open: those get their
 * own per-tid events, redirected (PERF_EVENT_IOC_SET_OUTPUT) into the same
 * per-CPU buffers.
 *
 * fork: the child must not touch the parent's ring mappings (they are not
 * copied: touching one is SIGSEGV). fl_perf_forget() drops every fd and
 * pointer without touching the buffers; the child then opens anew.
 */
#ifndef FL_PERF_H
#define FL_PERF_H

#include <stdint.h>

#include "probes/probe.h"

enum { FL_PERF_MIN, FL_PERF_MAJ, FL_PERF_NCOUNT };

extern struct fl_probe_st fl_perf_count_st, fl_perf_sample_st, fl_perf_dtlb_st;

/* Opens the counters (and, with period > 0, the samplers). */
void fl_perf_open(uint64_t period);
/* Sums of the counters since the open; -1 when off. */
void fl_perf_count_read(int64_t v[FL_PERF_NCOUNT]);
/* dTLB read and write misses; -1 when off (then the header says why). */
void fl_perf_dtlb_read(int64_t v[2]);

struct fl_fault_sample {
	uint64_t addr, ip, time_ns; /* time: CLOCK_MONOTONIC */
	uint32_t tid;
	int major;
};
/* Drains every ring; calls fn for each sample; returns the count of
 * samples the kernel reported lost since the last drain. */
uint64_t fl_perf_drain(void (*fn)(void *arg, const struct fl_fault_sample *s), void *arg);

/* 1 when a sample buffer holds its mark's worth of samples not yet drained
 * (a quarter of the largest buffer, half of a smaller one), else 0. Reads
 * the buffers' header pages: no system call. */
int fl_perf_due(void);

/* fork child: forget the parent's events without touching their buffers. */
void fl_perf_forget(void);
/* Closes everything (exec, exit). */
void fl_perf_close(void);

#endif
