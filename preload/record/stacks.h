/*
 * Backtraces: captured with libunwind, deduplicated in a lock-free table and
 * referred to by a small id. The writer emits each stack's "stack" line into
 * a trace before the first line that refers to it.
 */
#ifndef FL_STACKS_H
#define FL_STACKS_H

#include <stdint.h>

#include "trace/out.h"

#define FL_STACK_MAX_FRAMES 64
#define FL_STACK_MAX_IDS (1u << 20)
#define FL_STACK_CACHE_ENTRIES 256

/*
 * A thread's cache of recent backtraces, keyed on the hooked function's
 * return address and the caller's stack pointer. An entry also keeps where
 * each frame's return address was found on the stack: a hit reuses the
 * stack id only if every one of those slots still holds the same address.
 * Given the caller's pc and sp, the position of each older frame's return
 * address follows from the frame above it, so equal slots mean the same
 * chain of calls (see stacks.c for the one case that breaks this).
 */
struct fl_stack_cache_entry {
	uintptr_t ra, sp;
	uint64_t gen;
	uint32_t id, n;
	uintptr_t slot[FL_STACK_MAX_FRAMES];
	uintptr_t ip[FL_STACK_MAX_FRAMES];
};

struct fl_stack_cache {
	uint64_t gen; /* bumped when the owning thread changes */
	uint64_t hits, misses;
	uint32_t mask; /* entries in use - 1 (0: the first use sets all) */
	/* While a hook records: a frame of the shim's, the hook's caller's
	 * frame or one below it, where the walk to the caller may start
	 * (NULL: from the capture's own frame). */
	uintptr_t *entry_fp;
	struct fl_stack_cache_entry e[FL_STACK_CACHE_ENTRIES];
};

/* Sets how many entries (a power of two, at most FL_STACK_CACHE_ENTRIES) a
 * cache uses: its pages are touched only as entries are. */
void fl_stacks_cache_size(struct fl_stack_cache *c, uint32_t entries);

/* Maps the table, sized to the shim's budget (base/sys.h); records the shim's own text range so
 * that its frames are cut from every backtrace. 0 or -1. */
int fl_stacks_init(void);
/* 1 while this thread is inside libunwind (for the pipe2 hook). */
int fl_stacks_in_libunwind(void);
/* Backtrace of the caller of the hooked function; 0 if unavailable. c may
 * be NULL (no cache). */
uint32_t fl_stacks_capture(struct fl_stack_cache *c);
/* Ids are below this (FL_STACK_MAX_IDS, or fewer under an address-space
 * limit); 0 before fl_stacks_init(). */
uint32_t fl_stacks_capacity(void);
/* One past the highest stack id handed out. */
uint32_t fl_stacks_max_id(void);
/* Writes the "stack" line for id unless this trace has it already. */
void fl_stacks_ensure(struct fl_out *o, uint32_t id, uint64_t t, uint64_t (*next_seq)(void));
/* A fork child writes a new trace: every stack must be written again. */
void fl_stacks_forget_emitted(void);
/* The shim's own text, [start, end). */
void fl_stacks_self_range(uintptr_t *start, uintptr_t *end);

/* fork prepare: counts the process's threads (the kernel's count: threads
 * that never made a traced call too); more than the caller and the shim's
 * own shim_threads, and the child's stacks are one frame deep. */
void fl_stacks_before_fork(unsigned shim_threads);
/* fork child: others_may_unwind when another thread could have held the
 * unwinder's or the loader's lock at the fork; then (or if the count in
 * prepare saw other threads) stacks are one frame deep until exec. */
void fl_stacks_after_fork_child(int others_may_unwind);

#endif
