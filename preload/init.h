/*
 * The shim's life: UNINIT → BOOT (resolving, opening the trace) → READY →
 * OFF (tracing disabled or finished: every hook passes straight through).
 */
#ifndef FL_INIT_H
#define FL_INIT_H

#include <stdint.h>

enum fl_state { FL_UNINIT, FL_BOOT, FL_READY, FL_OFF };

extern int fl_state;

/* Where the last fork happened in this process's trace (parent side). */
extern uint64_t fl_fork_t, fl_fork_seq;

/* Makes sure the real functions are known (hooks called before the
 * constructor, e.g. from the loader or another library's constructor). */
void fl_init_resolve(void);
/* Final tick and exit line (how: "exit", "signal", "exec"); then OFF unless
 * keep_on (exec that may fail). Idempotent per process. */
void fl_init_finish(const char *how, int status, int sig);
/* Starts the ticker thread (also in a fork child). */
void fl_init_start_ticker(void);

#endif
