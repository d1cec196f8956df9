/*
 * tlb_cycle: a working set larger than the TLB's reach. The program writes
 * one byte in every 4 KiB page of MIB, over and over, for SECONDS. Each page
 * needs its own TLB entry; once the pages outnumber the entries (an AMD EPYC
 * L2 dTLB holds 2048 4 KiB entries: 8 MiB of reach) almost every access
 * misses the TLB and walks the page tables. With 2 MiB huge pages the same
 * memory needs 512 times fewer entries.
 *
 *   tlb_cycle [MIB [MS]]     default 64 MiB for 600 ms
 *
 * Prints "truth ws_pages=N rounds=R".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	long long ms = argc > 2 ? strtoll(argv[2], NULL, 0) : 600;
	size_t pages = (mib << 20) / 4096;
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED || pages == 0) {
		perror("tlb_cycle: mmap");
		return 1;
	}
	madvise(p, pages * 4096, MADV_NOHUGEPAGE);
	long long end = now_ns() + ms * 1000000LL;
	size_t rounds = 0;
	/* a stride of 17 pages (coprime with the count) defeats the prefetcher */
	while (now_ns() < end) {
		for (size_t i = 0, j = 0; i < pages; i++, j = (j + 17) % pages)
			p[j * 4096 + (rounds & 63)] += 1;
		rounds++;
	}
	printf("truth ws_pages=%zu rounds=%zu\n", pages, rounds);
	return 0;
}
