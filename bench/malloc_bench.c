/*
 * malloc_bench THREADS PAIRS: PAIRS malloc/free pairs in total, split over
 * THREADS threads, each keeping 1000 live blocks of random sizes 16-512
 * bytes (a block is freed and replaced at a random slot). Prints the loop's
 * own wall time in ns; the bench script times the whole process.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LIVE 1000

static long pairs_per_thread;

static uint64_t next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void *work(void *arg)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull + (uint64_t)(uintptr_t)arg * 7919;
	char *slot[LIVE] = { 0 };
	unsigned long sum = 0;

	for (long i = 0; i < pairs_per_thread; i++) {
		uint64_t r = next(&rng);
		unsigned k = (unsigned)(r % LIVE);
		size_t size = 16 + (size_t)((r >> 32) % 497);
		free(slot[k]);
		slot[k] = malloc(size);
		if (!slot[k])
			abort();
		slot[k][0] = (char)i;
		sum += (unsigned char)slot[k][size - 1];
	}
	for (int k = 0; k < LIVE; k++)
		free(slot[k]);
	return (void *)(uintptr_t)(sum & 1);
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 1;
	long pairs = argc > 2 ? atol(argv[2]) : 10000000;
	pthread_t th[64];
	struct timespec a, b;

	if (nthreads < 1 || nthreads > 64 || pairs < 1) {
		fprintf(stderr, "usage: malloc_bench THREADS PAIRS\n");
		return 2;
	}
	pairs_per_thread = pairs / nthreads;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, work, (void *)(uintptr_t)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
