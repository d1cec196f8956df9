/*
 * The kernel probes: what the shim asks the kernel about the process's
 * pages (fault counts and samples, dTLB misses, residency, working set, I/O,
 * process figures). Each probe degrades on its own and says why in the
 * header. All output goes through the writer's fl_out, under its lock.
 */
#ifndef FL_PROBES_H
#define FL_PROBES_H

#include <stdint.h>

#include "probes/probe.h"
#include "trace/out.h"

/* Constructor, before the header: opens what can be opened. */
void fl_probes_init(void);
/* Adds the machine facts and the probe status keys to the header line. */
void fl_probes_header(struct fl_out *o);
/* Once per tick (and final at exit): faults, counters, residency, wss, io. */
/* Set while a tick runs in a sleep of the program's (hooks_sleep.c): its
 * residency scan is not held to the CPU budget of the scans. */
extern __thread int fl_probes_tick_idle;
void fl_probes_tick(struct fl_out *o, int final);
/* Writes out the fault samples the perf buffers hold (dropped past the size
 * cap), and nothing else; the writer lock is held. */
void fl_probes_drain_faults(struct fl_out *o);
/* fork: parent after the fork (snapshot for COW), child after its new
 * trace is open (drop inherited fds without touching the parent's ring
 * buffers, reopen, snapshot). */
/* fork's prepare handler: the page-frame snapshot both sides compare against. */
void fl_probes_fork_prepare(void);
void fl_probes_fork_parent(struct fl_out *o);
void fl_probes_fork_child(struct fl_out *o);
/* Before exec: final figures. */
void fl_probes_fini(void);

/* The ticker thread's tid, excluded from samples. */
extern int fl_probes_ticker_tid;

/* Writes "name":{"ok":..,"errno":..,"why":..} into the open probes object. */
void fl_probes_put(struct fl_out *o, const char *name, const struct fl_probe_st *p);

#endif
