/*
 * The table is open addressing over a hash of the frames. A slot is claimed
 * with a CAS on its hash, filled, then published by storing its id: readers
 * that find a claimed slot with their hash wait for the id. Memory is
 * reserved once (MAP_NORESERVE) and only touched as stacks arrive.
 */
#include "record/stacks.h"

#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "faultline/schema.h"
#include "base/sys.h"

/* Frames kept per id on average: the arena holds this many per slot. */
#define FRAMES_PER_ID 4
#define BYTES_PER_ID                                                                               \
	(sizeof(struct slot) + sizeof(uint32_t) + 1 + FRAMES_PER_ID * sizeof(uintptr_t))
/* The table's part of the shim's budget under a finite address-space limit
 * (base/sys.h): a sixteenth. At 1 GB, 2^16 ids; no limit, FL_STACK_MAX_IDS. */
#define BUDGET_DIVISOR 16
#define MIN_IDS (1u << 12)

struct slot {
	uint64_t hash; /* 0 = empty */
	uint32_t id;   /* 0 = claimed, not yet published */
	uint32_t nframes;
	uint64_t off; /* into the frame arena */
};

static uint32_t nslots; /* a power of two; ids are below it */
static uint64_t arena_frames;
static struct slot *slots;
static uint32_t *slot_of_id; /* id -> slot index */
static uint8_t *emitted;     /* id -> written into this process's trace */
static uintptr_t *arena;
static uint64_t arena_used;
static uint32_t next_id = 1;
static uintptr_t self_start, self_end;

extern const ElfW(Ehdr) __ehdr_start;

static void find_self_range(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	uintptr_t base = (uintptr_t)eh, lo = UINTPTR_MAX, hi = 0;
	/* __ehdr_start is at the lowest PT_LOAD; vaddrs are relative to it for a DSO
	 * linked at 0. */
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		if (ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
		if (ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (hi) {
		self_start = base + lo;
		self_end = base + hi;
	}
}

void fl_stacks_self_range(uintptr_t *start, uintptr_t *end)
{
	*start = self_start;
	*end = self_end;
}

int fl_stacks_init(void)
{
	size_t part = fl_sys_budget_part((size_t)FL_STACK_MAX_IDS * BYTES_PER_ID, BUDGET_DIVISOR);
	find_self_range();
	for (nslots = FL_STACK_MAX_IDS; nslots > MIN_IDS && (size_t)nslots * BYTES_PER_ID > part;)
		nslots /= 2;
	arena_frames = (uint64_t)nslots * FRAMES_PER_ID;
	slots = fl_sys_alloc_pages(nslots * sizeof(*slots));
	slot_of_id = fl_sys_alloc_pages(nslots * sizeof(*slot_of_id));
	emitted = fl_sys_alloc_pages(nslots);
	arena = fl_sys_alloc_pages(arena_frames * sizeof(*arena));
	if (!slots || !slot_of_id || !emitted || !arena) {
		slots = NULL;
		return -1;
	}
	return 0;
}

static uint64_t hash_frames(void *const *f, int n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)f[i];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h | 1;
}

static uint32_t intern(void *const *f, int n)
{
	uint64_t h = hash_frames(f, n);
	uint32_t mask = nslots - 1, i = (uint32_t)h & mask;

	for (uint32_t probes = 0; probes < nslots / 2; probes++, i = (i + 1) & mask) {
		struct slot *s = &slots[i];
		uint64_t cur = __atomic_load_n(&s->hash, __ATOMIC_ACQUIRE);
		if (cur == 0) {
			uint64_t expect = 0;
			if (!__atomic_compare_exchange_n(&s->hash, &expect, h, 0, __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE)) {
				cur = expect;
			} else {
				uint64_t off =
				    __atomic_fetch_add(&arena_used, (uint64_t)n, __ATOMIC_RELAXED);
				uint32_t id;
				if (off + (uint64_t)n > arena_frames)
					return 0; /* slot stays claimed-but-empty: never matches */
				memcpy(&arena[off], f, (size_t)n * sizeof(*f));
				s->off = off;
				s->nframes = (uint32_t)n;
				id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
				if (id >= nslots)
					return 0;
				slot_of_id[id] = i;
				__atomic_store_n(&s->id, id, __ATOMIC_RELEASE);
				return id;
			}
		}
		if (cur != h)
			continue;
		uint32_t id;
		int spins = 0;
		while ((id = __atomic_load_n(&s->id, __ATOMIC_ACQUIRE)) == 0)
			if (++spins > 1000000)
				return 0;
		if (s->nframes == (uint32_t)n &&
		    memcmp(&arena[s->off], f, (size_t)n * sizeof(*f)) == 0)
			return id;
	}
	return 0;
}

uint32_t fl_stacks_capacity(void)
{
	return nslots;
}

uint32_t fl_stacks_max_id(void)
{
	uint32_t n = __atomic_load_n(&next_id, __ATOMIC_RELAXED);
	return n < nslots ? n : nslots;
}

static int in_self(uintptr_t a)
{
	return a >= self_start && a < self_end;
}

/* The hooked function's return address into the program and the caller's
 * stack pointer at the call, from the shim's own frame-pointer chain (the
 * shim is built with -fno-omit-frame-pointer). Inline: every capture
 * starts here, and under --all every call captures. */
static inline __attribute__((always_inline)) int caller_frame(const struct fl_stack_cache *c,
							      uintptr_t *ra, uintptr_t *sp)
{
	uintptr_t *fp = __builtin_frame_address(0);
	/* Skips the frames between here and the hook's entry (an ancestor:
	 * above this frame on the stack). */
	if (c && c->entry_fp > fp && c->entry_fp < fp + 65536)
		fp = c->entry_fp;
	for (int i = 0; i < 8; i++) {
		uintptr_t *up;
		if (!in_self(fp[1])) {
			*ra = fp[1];
			*sp = (uintptr_t)(fp + 2);
			return 1;
		}
		up = (uintptr_t *)fp[0];
		if (up <= fp || up > fp + 65536 || ((uintptr_t)up & 7))
			return 0;
		fp = up;
	}
	return 0;
}

void fl_stacks_cache_size(struct fl_stack_cache *c, uint32_t entries)
{
	c->mask = entries - 1;
}

static struct fl_stack_cache_entry *entry_of(struct fl_stack_cache *c, uintptr_t ra, uintptr_t sp)
{
	uint64_t h = (ra ^ (sp * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
	uint32_t mask = c->mask ? c->mask : FL_STACK_CACHE_ENTRIES - 1;
	return &c->e[(h >> 40) & mask];
}

static int still_valid(const struct fl_stack_cache_entry *e)
{
	for (uint32_t k = 1; k < e->n; k++)
		if (*(const uintptr_t *)e->slot[k] != e->ip[k])
			return 0;
	return 1;
}

/*
 * The slow path: walk with libunwind, keeping each frame's stack pointer.
 * Frame k's return address was pushed just below frame k's stack pointer.
 * An entry is cached only if that holds for every frame (it does not
 * across a signal frame). NEEDSWORK: a frame whose CFA is computed from a
 * frame pointer after a variable-size alloca could move its return address
 * while keeping pc and sp; a stale copy left at the old position could then
 * validate a wrong chain.
 */
/* Set while this thread is in libunwind: the pipe its first unwind opens is
 * the shim's (hooks_pipe.c). */
static __thread int in_libunwind;

int fl_stacks_in_libunwind(void)
{
	return in_libunwind;
}

static uint32_t unwind(struct fl_stack_cache_entry *e, uint64_t gen, uintptr_t ra0, uintptr_t sp0)
{
	unw_context_t uc;
	unw_cursor_t cur;
	uintptr_t ip[FL_STACK_MAX_FRAMES], sp[FL_STACK_MAX_FRAMES];
	uint32_t n = 0, id;
	int cacheable = e != NULL, steps = 0;

	in_libunwind = 1;
	if (unw_getcontext(&uc) != 0 || unw_init_local(&cur, &uc) != 0) {
		in_libunwind = 0;
		return 0;
	}
	do {
		unw_word_t rip, rsp;
		if (unw_get_reg(&cur, UNW_REG_IP, &rip) != 0 ||
		    unw_get_reg(&cur, UNW_REG_SP, &rsp) != 0)
			break;
		if (n == 0 && in_self(rip))
			continue;
		if (unw_is_signal_frame(&cur) > 0)
			cacheable = 0;
		ip[n] = rip;
		sp[n] = rsp;
		n++;
	} while (n < FL_STACK_MAX_FRAMES && ++steps < 256 && unw_step(&cur) > 0);
	in_libunwind = 0;
	if (n == 0)
		return 0;
	id = intern((void *const *)ip, (int)n);
	if (!cacheable || !id || ip[0] != ra0 || sp[0] != sp0)
		return id;
	e->id = 0;
	for (uint32_t k = 0; k < n; k++) {
		if (*(const uintptr_t *)(sp[k] - 8) != ip[k])
			return id;
		e->slot[k] = sp[k] - 8;
		e->ip[k] = ip[k];
	}
	e->ra = ra0;
	e->sp = sp0;
	e->n = n;
	e->id = id;
	e->gen = gen;
	return id;
}

/* In a fork child of a process where another thread could hold libunwind's
 * or the loader's lock (dl_iterate_phdr) at the fork, those locks stay held
 * forever: libunwind would hang in the first backtrace. Until exec (a new
 * image starts afresh), stacks are the caller's frame only. */
static int no_unwind;
/* The kernel's count at the last fork's prepare said other program threads
 * were there: a thread that never made a traced call is in no registry of
 * ours, yet it may sit in dl_iterate_phdr (t8209, "quiet"). */
static int others_at_fork;

/* The process's threads (field 20 of /proc/self/stat, after the command
 * name in parentheses, which may hold spaces), or -1 if unknown. */
static long threads_now(void)
{
	char buf[1024];
	const char *p;
	long n = 0;
	if (fl_sys_read_file("/proc/self/stat", buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	/* ") S ppid ..." : the state is field 3, num_threads field 20 */
	for (int field = 2; field < 20; p++) {
		if (!*p)
			return -1;
		if (*p == ' ')
			field++;
	}
	while (*p >= '0' && *p <= '9')
		n = n * 10 + (*p++ - '0');
	return n > 0 ? n : -1;
}

void fl_stacks_before_fork(unsigned shim_threads)
{
	long n = threads_now();
	others_at_fork = n < 0 || n > 1 + (long)shim_threads;
}

void fl_stacks_after_fork_child(int others_may_unwind)
{
	if (others_may_unwind || others_at_fork)
		no_unwind = 1;
	others_at_fork = 0;
}

/* A backtrace the cache did not have (e: the entry to fill, or NULL). Out
 * of line: the walk's frame (five saved registers, the cancel state) is
 * not paid by the hits, which are nearly every call under --all. */
static __attribute__((noinline)) uint32_t
capture_slow(struct fl_stack_cache *c, struct fl_stack_cache_entry *e, uintptr_t ra, uintptr_t sp)
{
	uint32_t id;
	int cancel_state;

	if (no_unwind) {
		void *frame[1];
		if (!caller_frame(c, &ra, &sp))
			return 0;
		frame[0] = (void *)ra;
		return intern(frame, 1);
	}
	/* libunwind checks addresses with write() to a pipe, a cancellation
	 * point: a thread cancelled there would die inside malloc with the block
	 * counted but never handed to the program. Defer the cancel to the
	 * program's own next cancellation point, where it would have acted. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	id = unwind(e, c ? c->gen : 0, e ? ra : 0, e ? sp : 0);
	pthread_setcancelstate(cancel_state, &cancel_state);
	return id;
}

uint32_t fl_stacks_capture(struct fl_stack_cache *c)
{
	uintptr_t ra = 0, sp = 0;
	struct fl_stack_cache_entry *e = NULL;

	if (!slots)
		return 0;
	if (c && !no_unwind && caller_frame(c, &ra, &sp)) {
		e = entry_of(c, ra, sp);
		if (e->gen == c->gen && e->ra == ra && e->sp == sp && e->id && still_valid(e)) {
			c->hits++;
			return e->id;
		}
		c->misses++;
	}
	return capture_slow(c, e, ra, sp);
}

void fl_stacks_ensure(struct fl_out *o, uint32_t id, uint64_t t, uint64_t (*next_seq)(void))
{
	const struct slot *s;
	if (id == 0 || id >= nslots || emitted[id])
		return;
	s = &slots[slot_of_id[id]];
	fl_out_begin(o, FL_EV_STACK, t, next_seq());
	fl_out_u64(o, FL_K_ID, id);
	fl_out_key(o, FL_K_FRAMES);
	fl_out_arr_open(o);
	for (uint32_t i = 0; i < s->nframes; i++)
		fl_out_v_hex(o, (uint64_t)arena[s->off + i]);
	fl_out_arr_close(o);
	if (fl_out_end(o) == 0)
		emitted[id] = 1;
}

void fl_stacks_forget_emitted(void)
{
	uint32_t n = __atomic_load_n(&next_id, __ATOMIC_RELAXED);
	if (emitted && n)
		memset(emitted, 0, n < nslots ? n : nslots);
}
