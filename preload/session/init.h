/*
 * The shim's life (the state word, base/state.h) and the process-level
 * transitions: start, fork child, exec, the way out.
 */
#ifndef FL_INIT_H
#define FL_INIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/state.h"

/* Where the calling thread's last fork happened in this process's trace
 * (set by the prepare handler; the child's header links to it). */
extern __thread uint64_t fl_tls_fork_t, fl_tls_fork_seq;
/* Set by the prepare handler when it reserved the two above. */
extern __thread int fl_tls_fork_armed;

/* Makes sure the real functions are known (hooks called before the
 * constructor, e.g. from the loader or another library's constructor). */
void fl_init_resolve(void);
/* Final tick and exit line (how: "exit", "_exit", "exit_group", "signal");
 * then OFF. Idempotent per process. From a signal handler: in_signal = 1
 * (never blocks on a lock the interrupted code may hold). */
void fl_init_finish(const char *how, int status, int sig, int core, int in_signal);
/* Starts the tick timer (also in a fork child and after a failed exec). */
void fl_init_start_ticker(void);
/* Stops it and takes a pending tick signal (before an exec): 1 if it was
 * running, else 0. */
int fl_init_stop_ticker(void);
/* From a hook where the program waits (a sleep): ticks on this thread if
 * the interval has passed, with the program's signals held off; 1 if one
 * of them arrived meanwhile and its handler ran as they were let through
 * (the sleep is then interrupted, as natively). */
int fl_init_tick_if_due(void);
/* From the heap hooks' slow path, on a thread without a tick timer (it
 * could not be made, or the program took SIGURG): tries for the timer again
 * (with backoff) and ticks if the interval has passed, as a sleep does; on
 * a thread whose timer's signal found it inside the shim, ticks if due. */
void fl_init_tick_untimed(void);
/* When the next tick is due (CLOCK_MONOTONIC ns). */
uint64_t fl_init_next_tick_ns(void);
/* The signal the tick timers send (SIGURG: ignored by default). */
#define FL_TICK_SIGNAL 23
struct sigaction;
/* sigaction(FL_TICK_SIGNAL, act, old) for the program: a disposition of its
 * own stops the tick timers first; SIG_DFL keeps (or brings back) ours, and
 * old says what the program last set. */
int fl_init_tick_sigaction(const struct sigaction *act, struct sigaction *old);
/* Whether a FL_TICK_SIGNAL taken by a wait (its siginfo_t) came from this
 * thread's tick timer. */
int fl_init_is_tick(const void *siginfo);
/* Formats a FAULTLINE_PARENT value "<pid>:<kind>:<t>:<seq>" (cap >= 96). */
void fl_init_link(char *buf, const char *kind, uint64_t t, uint64_t seq);

/* fork family, around a real call that does not run the atfork handlers
 * (_Fork, clone without CLONE_VM): the same three steps. kind names the
 * child's link. */
void fl_init_fork_prepare(void);
void fl_init_fork_parent(void);
void fl_init_fork_child(const char *kind);

/* exec: flushes everything, writes the exec line (at t, seq), the final
 * figures and an exit line how=exec, and keeps the writer locked so that
 * nothing is written in between. exec_failed writes the second exec line
 * with errno, unlocks, and tracing goes on. */
void fl_init_exec_begin(const char *path, char *const *argv, uint64_t t, uint64_t seq);
void fl_init_exec_failed(const char *path, char *const *argv, int err);

#endif
