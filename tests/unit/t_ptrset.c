/*
 * The ptrset against a plain model: inserts, removes, duplicates (a free
 * the shim missed), the lock-free "maybe" test, node recycling across
 * threads, and two threads hammering
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
	for (int i = 0; i < N; i++)
		CHECK(fl_ptrset_maybe(keys[i]));
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
	/* empty again: every bucket word is 0, so maybe() says no */
	for (int i = 0; i < N; i++)
		CHECK(!fl_ptrset_maybe(keys[i]));
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
	for (long i = 0; i < 1500000; i++) {
		/* k + 16 shares k's bucket: k is in the slot, k + 16 on a node */
		uintptr_t k = 0x200000 + (uintptr_t)(i % 50000) * 32;
		if (fl_ptrset_insert(&a, k, 1, 1, &os, &ot) != 0 ||
		    fl_ptrset_insert(&a, k + 16, 2, 2, &os, &ot) != 0 ||
		    fl_ptrset_remove(&b, k + 16, &size, &tag) != 1 || size != 2 ||
		    fl_ptrset_remove(&b, k, &size, &tag) != 1 || size != 1)
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(b.n < 2 * 64);
}

/* Blocks of one bucket (a bucket per 32 bytes of address): the first in
 * the bucket's slot, the others on nodes; each found wherever it is, the
 * slot reused while nodes remain, a duplicate found on a node. */
static void test_slot_and_chain(void)
{
	struct fl_ptrset_cache c = {0};
	const uintptr_t a = 0x300000, b = a + 16, d = a + 8;
	uint64_t size, os;
	uint32_t tag, ot;
	CHECK(fl_ptrset_insert(&c, a, 10, 1, &os, &ot) == 0); /* the slot */
	CHECK(fl_ptrset_insert(&c, b, 20, 2, &os, &ot) == 0); /* a node */
	CHECK(fl_ptrset_insert(&c, d, 30, 3, &os, &ot) == 0); /* another */
	CHECK(fl_ptrset_remove(&c, a, &size, &tag) == 1 && size == 10 && tag == 1);
	CHECK(fl_ptrset_maybe(a)); /* the nodes keep the bucket */
	/* b is on a node while the slot is empty: replaced there, not added */
	CHECK(fl_ptrset_insert(&c, b, 21, 4, &os, &ot) == 1 && os == 20 && ot == 2);
	CHECK(fl_ptrset_insert(&c, a, 11, 5, &os, &ot) == 0); /* the slot again */
	CHECK(fl_ptrset_remove(&c, b, &size, &tag) == 1 && size == 21 && tag == 4);
	CHECK(fl_ptrset_remove(&c, b, &size, &tag) == 0);
	CHECK(fl_ptrset_remove(&c, d, &size, &tag) == 1 && size == 30 && tag == 3);
	CHECK(fl_ptrset_maybe(a));
	CHECK(fl_ptrset_remove(&c, a, &size, &tag) == 1 && size == 11 && tag == 5);
	CHECK(!fl_ptrset_maybe(a) && !fl_ptrset_maybe(b));
}

int main(void)
{
	/* Before the table: nothing may be there. */
	CHECK(!fl_ptrset_maybe(0x12345680));
	CHECK(fl_ptrset_init(12) == 0);
	test_model();
	test_slot_and_chain();
	test_threads();
	test_node_recycling();
	return check_result();
}
