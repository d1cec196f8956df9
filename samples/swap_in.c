/*
 * swap_in: anonymous pages pushed out to swap and faulted back in. After
 * MADV_PAGEOUT the kernel writes the pages to swap and leaves swap entries in
 * their page-table entries; the next access to each finds the entry and takes
 * a major fault that reads the page back (swap-in). Needs swap (the tests set
 * up zram); without it MADV_PAGEOUT leaves the pages resident and the sample
 * says so.
 *
 *   swap_in [MIB]          default 32 MiB
 *
 * Prints "truth pages=N swapped=S" (S counted from /proc/self/pagemap bit 62
 * before the re-touch).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static size_t count_swapped(const char *p, size_t pages)
{
	size_t n = 0;
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	for (size_t i = 0; i < pages; i++) {
		off_t off = (off_t)(((uintptr_t)p / 4096 + i) * 8);
		if (pread(fd, &ent, 8, off) == 8 && (ent >> 62 & 1))
			n++;
	}
	close(fd);
	return n;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 32;
	size_t pages = (mib << 20) / 4096;
	struct timespec ts = { 0, 150000000L };
	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED) {
		perror("swap_in: mmap");
		return 1;
	}
	madvise(p, pages * 4096, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = (char)(i | 1);
	if (madvise(p, pages * 4096, MADV_PAGEOUT) != 0)
		perror("swap_in: madvise(MADV_PAGEOUT)");
	size_t swapped = count_swapped(p, pages);
	nanosleep(&ts, NULL);
	unsigned long sum = 0;
	for (size_t i = 0; i < pages; i++)
		sum += (unsigned char)p[i * 4096];
	nanosleep(&ts, NULL);
	printf("truth pages=%zu swapped=%zu sum=%lu\n", pages, swapped, sum);
	return 0;
}
