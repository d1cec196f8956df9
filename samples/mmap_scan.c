/*
 * mmap_scan: scan a file through a shared read-only mapping. No copy and no
 * system call per block: the pages of the page cache are mapped into the
 * process, and the first access to each takes a page fault. On a warm cache
 * the fault is minor, and fault-around (or a large folio) maps several pages
 * per fault; on a cold cache the kernel reads the file (major faults, mostly
 * hidden by readahead). "random" sets MADV_RANDOM: no readahead and no
 * fault-around, so every page of a cold file is one major fault.
 *
 *   mmap_scan FILE [cold|warm [random]]
 *
 * Prints "truth bytes=B pages=N sum=S elapsed_ns=T".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Stay a sampler tick (100 ms) longer, so that residency sees the pages. */
static void keep_a_tick(void)
{
	struct timespec ts = { 0, 120000000L };
	nanosleep(&ts, NULL);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct stat st;
	if (argc < 2) {
		fprintf(stderr, "usage: mmap_scan FILE [cold|warm [random]]\n");
		return 2;
	}
	int cold = argc > 2 && !strcmp(argv[2], "cold");
	int rnd = argc > 3 && !strcmp(argv[3], "random");
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror("mmap_scan: open");
		return 1;
	}
	size_t len = (size_t)st.st_size;
	if (cold) {
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	long long t0 = now_ns();
	const unsigned char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap_scan: mmap");
		return 1;
	}
	if (rnd)
		madvise((void *)p, len, MADV_RANDOM);
	unsigned long long sum = 0;
	size_t pages = 0;
	for (size_t off = 0; off < len; off += 4096, pages++)
		sum += p[off];
	long long t1 = now_ns();
	printf("truth bytes=%zu pages=%zu sum=%llu elapsed_ns=%lld\n", len, pages, sum, t1 - t0);
	keep_a_tick();
	munmap((void *)p, len);
	close(fd);
	return 0;
}
