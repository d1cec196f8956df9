/*
 * Backtraces: captured with libunwind, deduplicated in a lock-free table and
 * referred to by a small id. The writer emits each stack's "stack" line into
 * a trace before the first line that refers to it.
 */
#ifndef FL_STACKS_H
#define FL_STACKS_H

#include <stdint.h>

#include "out.h"

#define FL_STACK_MAX_FRAMES 64

/* Maps the table; records the shim's own text range so that its frames are
 * cut from every backtrace. 0 or -1. */
int fl_stacks_init(void);
/* Backtrace of the caller of the hooked function; 0 if unavailable. */
uint32_t fl_stacks_capture(void);
/* Writes the "stack" line for id unless this trace has it already. */
void fl_stacks_ensure(struct fl_out *o, uint32_t id, uint64_t t, uint64_t (*next_seq)(void));
/* A fork child writes a new trace: every stack must be written again. */
void fl_stacks_forget_emitted(void);
/* The shim's own text, [start, end). */
void fl_stacks_self_range(uintptr_t *start, uintptr_t *end);

#endif
