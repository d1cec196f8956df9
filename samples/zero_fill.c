/*
 * zero_fill: demand paging of fresh anonymous memory. mmap() only creates a
 * VMA; the first access to each page takes a minor fault in which the kernel
 * allocates a zeroed frame and maps it (demand-zero first touch).
 *
 *   zero_fill [MIB]        default 64 MiB
 *
 * Prints "truth pages=N".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	size_t pages = (mib << 20) / 4096;
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED) {
		perror("zero_fill: mmap");
		return 1;
	}
	madvise(p, pages * 4096, MADV_NOHUGEPAGE); /* one fault per 4 KiB page */
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = 1;
	struct timespec ts = { 0, 250000000L };
	nanosleep(&ts, NULL);
	printf("truth pages=%zu\n", pages);
	return 0;
}
