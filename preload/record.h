/*
 * What the hooks call after the real function returned: exact counting,
 * the sampling decision, the backtrace and the push into this thread's
 * ring. Kept out of the hooks so each hook stays a few lines.
 */
#ifndef FL_RECORD_H
#define FL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "evbuf.h"
#include "thread.h"

void fl_record_alloc(enum fl_call c, void *p, size_t size);
/* Before the real free: counts, and records if the block was recorded. */
void fl_record_free(void *p);
/* Realloc: old_usable measured before the real call (0 if p was NULL). */
void fl_record_realloc(enum fl_call c, void *old, size_t old_usable, void *p, size_t size);
/* A call made while the thread is inside a hook (fl_tls_guard == 1), that
 * is from a signal handler that interrupted the hook: counted with its bytes
 * and live delta, never recorded (the ring and the pointer set may be in the
 * middle of an update). No-op for the shim's own threads and calls. */
void fl_record_nested(enum fl_call c, uint64_t bytes, int64_t live_delta);
/* Any other event (mmap family, fork, exec): counts call c, fills tid, t,
 * seq and stack (if want_stack) and pushes. */
void fl_record_event(enum fl_call c, struct fl_event *ev, const void *str, int want_stack);
/* Pushes into the calling thread's ring, flushing it if full. */
void fl_record_push(struct fl_thread *t, struct fl_event *ev, const void *str);

#endif
