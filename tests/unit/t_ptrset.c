/*
 * The ptrset against a plain model: inserts, removes, duplicates (a free
 * the shim missed), the lock-free "maybe" test and the filter in front
 * of it, node recycling across threads, and two threads hammering
 * neighbouring buckets.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "record/ptrset.h"

#define N 20000

static void test_model(void)
{
	static uintptr_t keys[N];
	struct fl_ptrset_cache c = {0};
	uint64_t size, old_size;
	uint32_t tag, old_tag;

	for (int i = 0; i < N; i++) {
		keys[i] = 0x100000 + (uintptr_t)i * 48;
		CHECK(fl_ptrset_insert(&c, keys[i], (uint64_t)i + 1, (uint32_t)i, &old_size,
				       &old_tag) == 0);
	}
	for (int i = 0; i < N; i++) {
		CHECK(fl_ptrset_maybe(keys[i]));
		CHECK(fl_ptrset_filter_maybe((void *)keys[i]));
	}
	/* a duplicate replaces and reports the old entry */
	CHECK(fl_ptrset_insert(&c, keys[7], 999, 77, &old_size, &old_tag) == 1);
	CHECK_EQ_U64(old_size, 8);
	CHECK_EQ_U64(old_tag, 7);
	for (int i = 0; i < N; i += 2) {
		CHECK(fl_ptrset_remove(&c, keys[i], &size, &tag) == 1);
		CHECK_EQ_U64(size, i == 7 ? 999 : (uint64_t)i + 1);
		CHECK(fl_ptrset_remove(&c, keys[i], &size, &tag) == 0);
	}
	for (int i = 1; i < N; i += 2) {
		CHECK(fl_ptrset_remove(&c, keys[i], &size, &tag) == 1);
		CHECK_EQ_U64(size, i == 7 ? 999 : (uint64_t)i + 1);
		CHECK_EQ_U64(tag, i == 7 ? 77 : (uint32_t)i);
	}
	/* empty again: every bucket word and page counter is 0 (the duplicate
	 * was counted once), so maybe() says no */
	for (int i = 0; i < N; i++) {
		CHECK(!fl_ptrset_maybe(keys[i]));
		CHECK(!fl_ptrset_filter_maybe((void *)keys[i]));
	}
	for (uint32_t i = 1; i < (1u << FL_PTRSET_FILTER_LOG2); i++) /* 0: pinned */
		CHECK_EQ_U64(fl_ptrset_filter_[i], 0);
	CHECK(fl_ptrset_remove(&c, 0x42, &size, &tag) == 0);
}

struct worker {
	int id;
	int errors;
};

/* Each thread owns its keys (as live heap blocks are owned), all threads
 * share buckets; a key inserted by one thread is removed by the other half
 * of the time (nodes travel between the threads' caches). */
static uintptr_t shared[2][4096];

static void *hammer(void *arg)
{
	struct worker *w = arg;
	struct fl_ptrset_cache c = {0};
	uint64_t size, os;
	uint32_t tag, ot;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 4096; i++) {
			uintptr_t k = 0x7f0000000000 + ((uintptr_t)i * 2 + (uintptr_t)w->id) * 16 +
				      ((uintptr_t)round << 20);
			shared[w->id][i] = k;
			if (fl_ptrset_insert(&c, k, (uint64_t)i, (uint32_t)w->id, &os, &ot) != 0)
				w->errors++;
		}
		for (int i = 0; i < 4096; i++) {
			if (fl_ptrset_remove(&c, shared[w->id][i], &size, &tag) != 1 ||
			    size != (uint64_t)i || tag != (uint32_t)w->id)
				w->errors++;
		}
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[2];
	struct worker w[2] = {{0, 0}, {1, 0}};
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, hammer, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ_U64(w[0].errors, 0);
	CHECK_EQ_U64(w[1].errors, 0);
}

static void test_node_recycling(void)
{
	/* One cache frees what another allocated: the freeing cache hands
	 * batches back, and inserting 50 million entries over time does not
	 * exhaust the 2^25-node arena. */
	struct fl_ptrset_cache a = {0}, b = {0};
	uint64_t size, os;
	uint32_t tag, ot;
	int bad = 0;
	for (long i = 0; i < 3000000; i++) {
		uintptr_t k = 0x200000 + (uintptr_t)(i % 50000) * 32;
		if (fl_ptrset_insert(&a, k, 1, 1, &os, &ot) != 0 ||
		    fl_ptrset_remove(&b, k, &size, &tag) != 1)
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(b.n < 2 * 64);
}

static void test_filter(void)
{
	uint64_t size, os;
	uint32_t tag, ot;
	struct fl_ptrset_cache c = {0};
	uintptr_t heap = 0x7f1234000000; /* 64 MiB aligned, like a thread heap */
	uintptr_t unit = (uintptr_t)1 << FL_PTRSET_FILTER_UNIT_LOG2;
	static int seen[1u << FL_PTRSET_FILTER_LOG2];

	/* Neighbouring units have neighbouring counters; the heaps of
	 * neighbouring threads (64 MiB apart, and 128 MiB) do not share
	 * slots, nor NULL's. */
	for (uintptr_t u = 0; u < 4096; u++)
		CHECK(seen[fl_ptrset_filter_slot(heap + u * unit)]++ == 0);
	CHECK(fl_ptrset_filter_slot(heap + unit) == fl_ptrset_filter_slot(heap) + 1);
	CHECK(fl_ptrset_filter_slot(heap) != fl_ptrset_filter_slot(heap + ((uintptr_t)1 << 26)));
	CHECK(fl_ptrset_filter_slot(heap) != fl_ptrset_filter_slot(heap + ((uintptr_t)1 << 27)));
	CHECK(fl_ptrset_filter_slot(heap) != fl_ptrset_filter_slot(0));

	/* A block's unit says maybe while it is in the set; its neighbours,
	 * on the same page, do not. */
	CHECK(fl_ptrset_insert(&c, heap + 5 * 4096 + 32, 100, 1, &os, &ot) == 0);
	CHECK(fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 + 96)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 + unit)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 - 16)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 + 4000)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 + 32 + ((uintptr_t)1 << 27))));
	CHECK(fl_ptrset_remove(&c, heap + 5 * 4096 + 32, &size, &tag) == 1);
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 5 * 4096 + 32)));

	/* Four blocks of 32 bytes in one unit: maybe until the last goes. */
	for (uintptr_t k = 0; k < 4; k++)
		CHECK(fl_ptrset_insert(&c, heap + 9 * unit + 32 * k, 24, 1, &os, &ot) == 0);
	for (uintptr_t k = 0; k < 4; k++) {
		CHECK(fl_ptrset_filter_maybe((void *)(heap + 9 * unit)));
		CHECK(fl_ptrset_remove(&c, heap + 9 * unit + 32 * k, &size, &tag) == 1);
	}
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 9 * unit)));

	/* A counter that reaches its ceiling stays maybe (blocks of units
	 * 256 MiB apart share it). */
	for (uintptr_t k = 0; k < 300; k++)
		CHECK(fl_ptrset_insert(&c, heap + 11 * unit + (k << 28), 24, 1, &os, &ot) == 0);
	for (uintptr_t k = 0; k < 300; k++)
		CHECK(fl_ptrset_remove(&c, heap + 11 * unit + (k << 28), &size, &tag) == 1);
	CHECK(fl_ptrset_filter_maybe((void *)(heap + 11 * unit)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 12 * unit)));

	/* Pinned units stay maybe: NULL (slot 0, pinned by the init: a
	 * thread's mask of 0 reads it), a range not aligned to a unit. */
	CHECK(fl_ptrset_filter_maybe(NULL));
	fl_ptrset_filter_pin(0, 1);
	CHECK(fl_ptrset_filter_maybe(NULL));
	for (uintptr_t a = heap; a < heap + 64 * unit; a += unit)
		CHECK(fl_ptrset_filter_maybe_in((void *)a, 0));
	fl_ptrset_filter_pin(heap + 100 * 4096 + 8, 2 * 4096);
	for (uintptr_t a = heap + 100 * 4096; a < heap + 102 * 4096 + 8; a += unit / 2)
		CHECK(fl_ptrset_filter_maybe((void *)a));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 100 * 4096 - 8)));
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 102 * 4096 + unit)));
	CHECK(fl_ptrset_insert(&c, heap + 100 * 4096 + 32, 24, 1, &os, &ot) == 0);
	CHECK(fl_ptrset_remove(&c, heap + 100 * 4096 + 32, &size, &tag) == 1);
	CHECK(fl_ptrset_filter_maybe((void *)(heap + 100 * 4096 + 32)));

	/* all: every address says maybe (the mask is 0), and inserts and
	 * removes no longer count. */
	CHECK(!fl_ptrset_filter_maybe((void *)(heap + 20 * unit)));
	fl_ptrset_filter_all();
	CHECK_EQ_U64(fl_ptrset_filter_mask_, 0);
	CHECK(fl_ptrset_insert(&c, heap + 20 * unit, 100, 1, &os, &ot) == 0);
	CHECK(fl_ptrset_remove(&c, heap + 20 * unit, &size, &tag) == 1);
	CHECK_EQ_U64(fl_ptrset_filter_[fl_ptrset_filter_slot(heap + 20 * unit)], 0);
	for (uintptr_t a = heap; a < heap + ((uintptr_t)1 << 29); a += 4093 * unit)
		CHECK(fl_ptrset_filter_maybe((void *)a));
}

int main(void)
{
	/* Before the table: a static pinned slot, read with a mask of 0. */
	CHECK_EQ_U64(fl_ptrset_filter_mask_, 0);
	CHECK(fl_ptrset_filter_maybe((void *)0x12345680));
	CHECK(fl_ptrset_init(12) == 0);
	test_model();
	test_threads();
	test_node_recycling();
	/* Slot 0 pinned before the table is seen, the rest empty. */
	CHECK_EQ_U64(fl_ptrset_filter_[0], FL_PTRSET_FILTER_STUCK);
	for (uint32_t i = 1; i < (1u << FL_PTRSET_FILTER_LOG2); i++)
		CHECK_EQ_U64(fl_ptrset_filter_[i], 0);
	CHECK_EQ_U64(fl_ptrset_filter_mask_, (1u << FL_PTRSET_FILTER_LOG2) - 1);
	test_filter();
	return check_result();
}
