/*
 * p_heap_peak_threads B_KIB A_KIB BOTH_KIB: two threads take turns, then
 * allocate together, in blocks of 1 KiB (under FAULTLINE_LARGE, so most
 * calls take the shim's inline paths). First thread B holds B_KIB and frees
 * it all, then stays alive doing nothing (what it had live at its last peak
 * check is now stale); then thread A holds A_KIB and frees it; then both
 * hold BOTH_KIB at once, at a barrier, and free it. Prints the largest sum
 * of the usable sizes of its own blocks live at once, as "peak=N", the
 * oracle of the trace's peak live bytes.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK 1024

static pthread_barrier_t step;
static long kib[3];
static size_t held[2];

/* Allocates kib KiB in blocks, returns them (n blocks). */
static void **hold(long k, size_t *n, size_t *usable)
{
	void **v = malloc(sizeof(void *) * (size_t)k);
	*usable = malloc_usable_size(v);
	for (long i = 0; i < k; i++) {
		v[i] = malloc(BLOCK);
		*usable += malloc_usable_size(v[i]);
	}
	*n = (size_t)k;
	return v;
}

static void drop(void **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void *thread_b(void *arg)
{
	size_t n;
	void **v;
	(void)arg;
	v = hold(kib[0], &n, &held[1]);
	drop(v, n);
	pthread_barrier_wait(&step); /* B done */
	pthread_barrier_wait(&step); /* A done */
	v = hold(kib[2], &n, &held[1]);
	pthread_barrier_wait(&step); /* both hold */
	drop(v, n);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t b;
	size_t n, first, a_alone, both_a;
	void **v;
	if (argc != 4)
		return 2;
	for (int i = 0; i < 3; i++)
		kib[i] = atol(argv[i + 1]);
	pthread_barrier_init(&step, NULL, 2);
	pthread_create(&b, NULL, thread_b, NULL);
	pthread_barrier_wait(&step);
	first = held[1];
	v = hold(kib[1], &n, &a_alone);
	drop(v, n);
	pthread_barrier_wait(&step);
	v = hold(kib[2], &n, &both_a);
	pthread_barrier_wait(&step);
	drop(v, n);
	pthread_join(b, NULL);
	{
		size_t peak = first, both = both_a + held[1];
		if (a_alone > peak)
			peak = a_alone;
		if (both > peak)
			peak = both;
		printf("peak=%zu\n", peak);
	}
	return 0;
}
