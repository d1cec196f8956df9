/*
 * Major faults by construction.
 *   p_probe_major file PATH   drop PATH from the page cache (fdatasync +
 *                             POSIX_FADV_DONTNEED), map it MADV_RANDOM and
 *                             read one byte per page
 *   p_probe_major swap MIB [MS]  write MIB of anonymous pages, MADV_PAGEOUT
 *                             them, wait MS, read them back (needs swap)
 * Prints the mapping, pages, and (swap) how many pagemap says were swapped.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
	for (size_t i = 0; fd >= 0 && i < pages; i++)
		if (pread(fd, &ent, 8, (off_t)(((uintptr_t)p / 4096 + i) * 8)) == 8 && (ent >> 62 & 1))
			n++;
	if (fd >= 0)
		close(fd);
	return n;
}

int main(int argc, char **argv)
{
	volatile unsigned long sum = 0;
	size_t pages;
	char *p;
	if (argc != 3 && argc != 4)
		return 2;
	if (!strcmp(argv[1], "file")) {
		struct stat st;
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0 || fstat(fd, &st) != 0)
			return 1;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		pages = (size_t)st.st_size / 4096;
		p = mmap(NULL, pages * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return 1;
		madvise(p, pages * 4096, MADV_RANDOM);
		for (size_t i = 0; i < pages; i++)
			sum += (unsigned char)p[i * 4096];
		printf("buf=%p end=%p pages=%zu\n", (void *)p, (void *)(p + pages * 4096), pages);
		return 0;
	}
	pages = (strtoul(argv[2], NULL, 0) << 20) / 4096;
	p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, pages * 4096, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = (char)(i | 1);
	if (madvise(p, pages * 4096, MADV_PAGEOUT) != 0)
		perror("madvise");
	size_t swapped = count_swapped(p, pages);
	if (argc == 4) {
		long ms = strtol(argv[3], NULL, 0);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	for (size_t i = 0; i < pages; i++)
		sum += (unsigned char)p[i * 4096];
	printf("buf=%p end=%p pages=%zu swapped=%zu\n", (void *)p, (void *)(p + pages * 4096), pages,
	       swapped);
	return 0;
}
