/*
 * p_heap_sample [spin]: allocates and frees blocks of random sizes below
 * 64 KiB until 5 GiB were asked for, plus 100 blocks of 65536+777 bytes
 * (at or above FAULTLINE_LARGE's default). Prints the bytes asked for in
 * small blocks, the standard deviation of the shim's sampling estimate of
 * that total (Poisson sampling by bytes, mean interval T = 512 KiB: a block
 * of s bytes is sampled with p = 1 - exp(-s/T) and weighs s/p, so the
 * estimate's variance is the sum of s^2 (1-p)/p), and the large count.
 * With "spin": does the same forever (for the SIGKILL test).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T 524288.0
#define LARGE_SIZE (65536 + 777)
#define NLARGE 100

/* Keeps the compiler from pairing up and removing malloc and free. */
static void *volatile sink;

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	int spin = argc > 1 && !strcmp(argv[1], "spin");
	uint64_t s = 12345, total = 0;
	double var = 0;
	void *keep[16] = { 0 };

	do {
		for (int i = 0; i < NLARGE; i++) {
			sink = malloc(LARGE_SIZE);
			free(sink);
		}
		for (total = 0, var = 0; total < (5ull << 30);) {
			size_t size = 1 + (size_t)(rnd(&s) % 65535);
			double p = -expm1(-(double)size / T);
			unsigned k = (unsigned)(rnd(&s) % 16);
			free(keep[k]);
			keep[k] = malloc(size);
			if (!keep[k])
				abort();
			total += size;
			var += (double)size * (double)size * (1 - p) / p;
		}
	} while (spin);
	for (int k = 0; k < 16; k++)
		free(keep[k]);
	printf("{\"small_bytes\":%llu,\"sigma\":%.0f,\"large\":%d,\"large_size\":%d}\n",
	       (unsigned long long)total, sqrt(var), NLARGE, LARGE_SIZE);
	return 0;
}
