/*
 * p_rand_scan: touch PAGES pages of FILE in a fixed pseudo-random order, with
 * pread() of one page or through a read-only mapping, after dropping the
 * file from the page cache (fdatasync + POSIX_FADV_DONTNEED). The same
 * pages in the same order either way: what differs is what the kernel reads
 * around each miss.
 *
 *   p_rand_scan FILE pread|mmap PAGES
 *
 * Prints "truth pages=N sum=S elapsed_ns=T".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct stat st;
	unsigned long long state = 88172645463325252ULL, sum = 0;
	static unsigned char page[4096];
	if (argc != 4 || (strcmp(argv[2], "pread") && strcmp(argv[2], "mmap"))) {
		fprintf(stderr, "usage: p_rand_scan FILE pread|mmap PAGES\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY), use_mmap = !strcmp(argv[2], "mmap");
	long pages = atol(argv[3]);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 4096) {
		perror(argv[1]);
		return 1;
	}
	size_t npages = (size_t)st.st_size / 4096;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	unsigned char *map = NULL;
	if (use_mmap) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	long long t0 = now_ns();
	for (long i = 0; i < pages; i++) {
		state ^= state << 13, state ^= state >> 7, state ^= state << 17;
		size_t pg = (size_t)(state % npages);
		if (use_mmap) {
			sum += map[pg * 4096 + 7];
		} else if (pread(fd, page, 4096, (off_t)pg * 4096) == 4096) {
			sum += page[7];
		}
	}
	long long t1 = now_ns();
	printf("truth pages=%ld sum=%llu elapsed_ns=%lld\n", pages, sum, t1 - t0);
	return 0;
}
