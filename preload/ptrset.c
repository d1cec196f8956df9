#include "ptrset.h"

#include "sys.h"

#define EMPTY 0
#define TOMB 1

struct entry {
	uintptr_t key;     /* EMPTY, TOMB or a pointer (never 0 or 1) */
	uint64_t size;
	uint32_t stack;
	uint32_t pad_;
};

static struct entry *table;
static uint64_t mask;
static uint64_t count;

int fl_ptrset_init(unsigned log2_slots)
{
	uint64_t n = (uint64_t)1 << log2_slots;
	table = fl_sys_alloc_pages(n * sizeof(*table));
	if (!table)
		return -1;
	mask = n - 1;
	return 0;
}

static uint64_t slot_of(uintptr_t p)
{
	uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;
	return (h >> 20) & mask;
}

int fl_ptrset_insert(uintptr_t p, uint64_t size, uint32_t stack)
{
	if (!table || __atomic_load_n(&count, __ATOMIC_RELAXED) > mask - mask / 4)
		return -1;
	for (uint64_t i = slot_of(p), n = 0; n <= mask; n++, i = (i + 1) & mask) {
		uintptr_t cur = __atomic_load_n(&table[i].key, __ATOMIC_ACQUIRE);
		while (cur == EMPTY || cur == TOMB) {
			/* Claim with a reserved marker so that a concurrent remove of
			 * p cannot miss it: size and stack are written before the key. */
			if (__atomic_compare_exchange_n(&table[i].key, &cur, (uintptr_t)TOMB + 1 + 0, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				table[i].size = size;
				table[i].stack = stack;
				__atomic_store_n(&table[i].key, p, __ATOMIC_RELEASE);
				__atomic_fetch_add(&count, 1, __ATOMIC_RELAXED);
				return 0;
			}
		}
	}
	return -1;
}

int fl_ptrset_remove(uintptr_t p, uint64_t *size, uint32_t *stack)
{
	if (!table)
		return 0;
	for (uint64_t i = slot_of(p), n = 0; n <= mask; n++, i = (i + 1) & mask) {
		uintptr_t cur = __atomic_load_n(&table[i].key, __ATOMIC_ACQUIRE);
		if (cur == EMPTY)
			return 0;
		if (cur != p)
			continue;
		*size = table[i].size;
		*stack = table[i].stack;
		if (__atomic_compare_exchange_n(&table[i].key, &cur, (uintptr_t)TOMB, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_fetch_sub(&count, 1, __ATOMIC_RELAXED);
			return 1;
		}
		return 0;
	}
	return 0;
}

uint64_t fl_ptrset_count(void)
{
	return __atomic_load_n(&count, __ATOMIC_RELAXED);
}
