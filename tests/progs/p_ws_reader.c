/*
 * Reads (never writes) K distinct pages of an anonymous buffer in each of W
 * windows of MS milliseconds: a working set that only reads. Pages written
 * per window must be 0 for it; pages read can only be seen through the
 * accessed bit.
 *
 *   p_ws_reader K W MS
 *
 * Prints "truth k=K windows=W buf=ADDR end=ADDR" and the sum of the bytes
 * read (so that the reads cannot be optimised away).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t k, w, len;
	long ms;
	volatile const char *p;
	unsigned sum = 0;
	struct timespec next;
	if (argc != 4)
		return 2;
	k = strtoul(argv[1], NULL, 0);
	w = strtoul(argv[2], NULL, 0);
	ms = strtol(argv[3], NULL, 0);
	len = k * w * 4096;
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || !k)
		return 1;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	printf("truth k=%zu windows=%zu buf=%p end=%p\n", k, w, (void *)p, (void *)(p + len));
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (size_t r = 0; r < w; r++) {
		for (size_t i = 0; i < k; i++)
			sum += (unsigned char)p[(r * k + i) * 4096];
		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0)
			;
	}
	printf("sum %u\n", sum);
	return 0;
}
