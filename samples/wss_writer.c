/*
 * wss_writer: a working set known by construction. Every WINDOW_MS the
 * program writes exactly K distinct pages it has never written before, then
 * sleeps. Each burst is both K first touches (demand-zero faults) and K
 * pages written, so every working-set method should see K per window, and
 * the sum over all windows is exactly K * WINDOWS whatever the phase between
 * the program's windows and the sampler's ticks.
 *
 *   wss_writer [K [WINDOWS [WINDOW_MS]]]     default 1000 pages, 8, 100 ms
 *
 * Prints "truth k=K windows=W window_ms=MS written_pages=K*W".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t k = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	size_t windows = argc > 2 ? strtoul(argv[2], NULL, 0) : 8;
	long ms = argc > 3 ? strtol(argv[3], NULL, 0) : 100;
	size_t len = k * windows * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || k == 0) {
		perror("wss_writer: mmap");
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (size_t w = 0; w < windows; w++) {
		for (size_t i = 0; i < k; i++)
			p[(w * k + i) * 4096] = (char)w;
		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0)
			;
	}
	printf("truth k=%zu windows=%zu window_ms=%ld written_pages=%zu\n", k, windows, ms,
	       k * windows);
	return 0;
}
