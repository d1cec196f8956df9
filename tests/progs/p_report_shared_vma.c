/*
 * Three allocation sites whose blocks share one VMA: each of
 * site_touches, site_idle_a and site_idle_b mallocs BLOCKS blocks of 96 KiB
 * (at or above faultline's "large" size, below glibc's mmap threshold, so
 * they are carved out of the one [heap] VMA, interleaved). Only
 * site_touches writes its blocks, every page; the blocks are held for
 * HOLD_MS so that residency ticks see them.
 *
 *   p_report_shared_vma BLOCKS HOLD_MS
 *
 * Prints "pages_per_site N": the pages of one site's blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK (96 << 10)

__attribute__((noinline)) static char *site_touches(void)
{
	char *p = malloc(BLOCK);
	if (p)
		memset(p, 1, BLOCK);
	return p;
}

__attribute__((noinline)) static char *site_idle_a(void)
{
	return malloc(BLOCK);
}

__attribute__((noinline)) static char *site_idle_b(void)
{
	return malloc(BLOCK);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: p_report_shared_vma BLOCKS HOLD_MS\n");
		return 2;
	}
	int blocks = atoi(argv[1]);
	long hold = atol(argv[2]);
	char **keep = calloc((size_t)blocks * 3, sizeof(*keep));
	if (!keep)
		return 1;
	for (int i = 0; i < blocks; i++) {
		keep[3 * i] = site_idle_a();
		keep[3 * i + 1] = site_touches();
		keep[3 * i + 2] = site_idle_b();
		if (!keep[3 * i] || !keep[3 * i + 1] || !keep[3 * i + 2])
			return 1;
	}
	struct timespec ts = {hold / 1000, (hold % 1000) * 1000000};
	nanosleep(&ts, NULL);
	printf("pages_per_site %d\n", blocks * (BLOCK / 4096));
	for (int i = 0; i < 3 * blocks; i++)
		free(keep[i]);
	free(keep);
	return 0;
}
