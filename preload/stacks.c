/*
 * The table is open addressing over a hash of the frames. A slot is claimed
 * with a CAS on its hash, filled, then published by storing its id: readers
 * that find a claimed slot with their hash wait for the id. Memory is
 * reserved once (MAP_NORESERVE) and only touched as stacks arrive.
 */
#include "stacks.h"

#include <elf.h>
#include <link.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "faultline/schema.h"
#include "sys.h"

#define SLOTS (1u << 20)
#define ARENA_FRAMES (4u << 20)

struct slot {
	uint64_t hash;     /* 0 = empty */
	uint32_t id;       /* 0 = claimed, not yet published */
	uint32_t nframes;
	uint64_t off;      /* into the frame arena */
};

static struct slot *slots;
static uint32_t *slot_of_id;     /* id -> slot index */
static uint8_t *emitted;         /* id -> written into this process's trace */
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
	find_self_range();
	slots = fl_sys_alloc_pages(SLOTS * sizeof(*slots));
	slot_of_id = fl_sys_alloc_pages(SLOTS * sizeof(*slot_of_id));
	emitted = fl_sys_alloc_pages(SLOTS);
	arena = fl_sys_alloc_pages(ARENA_FRAMES * sizeof(*arena));
	return slots && slot_of_id && emitted && arena ? 0 : -1;
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
	uint32_t i = (uint32_t)h & (SLOTS - 1);

	for (uint32_t probes = 0; probes < SLOTS / 2; probes++, i = (i + 1) & (SLOTS - 1)) {
		struct slot *s = &slots[i];
		uint64_t cur = __atomic_load_n(&s->hash, __ATOMIC_ACQUIRE);
		if (cur == 0) {
			uint64_t expect = 0;
			if (!__atomic_compare_exchange_n(&s->hash, &expect, h, 0, __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE)) {
				cur = expect;
			} else {
				uint64_t off = __atomic_fetch_add(&arena_used, (uint64_t)n, __ATOMIC_RELAXED);
				uint32_t id;
				if (off + (uint64_t)n > ARENA_FRAMES)
					return 0; /* slot stays claimed-but-empty: never matches */
				memcpy(&arena[off], f, (size_t)n * sizeof(*f));
				s->off = off;
				s->nframes = (uint32_t)n;
				id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
				if (id >= SLOTS)
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

uint32_t fl_stacks_capture(void)
{
	void *raw[FL_STACK_MAX_FRAMES + 8];
	int n, first = 0;

	if (!slots)
		return 0;
	n = unw_backtrace(raw, (int)(sizeof(raw) / sizeof(raw[0])));
	while (first < n && (uintptr_t)raw[first] >= self_start && (uintptr_t)raw[first] < self_end)
		first++;
	if (first >= n)
		return 0;
	if (n - first > FL_STACK_MAX_FRAMES)
		n = first + FL_STACK_MAX_FRAMES;
	return intern(raw + first, n - first);
}

void fl_stacks_ensure(struct fl_out *o, uint32_t id, uint64_t t, uint64_t (*next_seq)(void))
{
	const struct slot *s;
	if (id == 0 || id >= SLOTS || emitted[id])
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
		memset(emitted, 0, n < SLOTS ? n : SLOTS);
}
