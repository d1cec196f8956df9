/*
 * Allocations that fail: malloc(SIZE_MAX), a malloc, calloc, realloc and
 * posix_memalign of 2^46 bytes (64 TiB: more than RAM and swap, refused
 * in every overcommit mode), then one malloc of BYTES that succeeds.
 * Prints how many calls failed and the bytes of those that did not.
 *
 *   p_heap_failed BYTES
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	/* volatile: the compiler would refuse a constant this large */
	volatile size_t max = SIZE_MAX, huge = (size_t)1 << 46;
	size_t ok = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	void *p, *r, *q = malloc(16);
	int failed = 0;
	failed += (p = malloc(max)) == NULL;
	free(p);
	failed += (p = malloc(huge)) == NULL;
	free(p);
	failed += (p = calloc(huge, 1)) == NULL;
	free(p);
	if ((r = realloc(q, huge)) == NULL)
		failed++;
	else
		q = r;
	failed += posix_memalign(&p, 64, huge) != 0;
	free(q);
	p = malloc(ok);
	if (!p)
		return 1;
	((volatile char *)p)[ok - 1] = 1;
	printf("failed=%d ok_bytes=%zu\n", failed, ok + 16);
	free(p);
	return 0;
}
