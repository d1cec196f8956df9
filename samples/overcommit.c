/*
 * overcommit: reserve a large block in one allocation and touch only a
 * fraction of it. The kernel hands out address space at malloc time and
 * memory only at first touch (demand paging), so the process's virtual size
 * grows by the whole reservation while its resident set grows by the touched
 * part alone.
 *
 *   overcommit [MIB [PERCENT]]     default 8192 MiB, 10 %
 *
 * Prints its truth: "truth reserved=BYTES touched_pages=N touched_bytes=B".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The allocating function the report must name (kept out of line). */
__attribute__((noinline)) static char *reserve_big(size_t bytes)
{
	char *p = malloc(bytes);
	if (!p) {
		perror("overcommit: malloc");
		exit(1);
	}
	return p;
}

__attribute__((noinline)) static size_t touch_fraction(char *p, size_t bytes, double frac)
{
	size_t pages = (size_t)((double)(bytes / 4096) * frac);
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = (char)i;
	return pages;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 8192;
	double pct = argc > 2 ? atof(argv[2]) : 10.0;
	size_t bytes = mib << 20;
	char *p = reserve_big(bytes);
	nap_ms(150);
	size_t touched = touch_fraction(p, bytes, pct / 100.0);
	nap_ms(350); /* stay alive a few sampler ticks with the pages resident */
	printf("truth reserved=%zu touched_pages=%zu touched_bytes=%zu\n", bytes, touched,
	       touched * 4096);
	free(p);
	return 0;
}
