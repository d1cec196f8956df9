/*
 * read_scan: scan a file with read() into a user buffer. Every byte is copied
 * from the page cache to the buffer (copy_to_user), one system call per
 * buffer: with a small buffer the calls dominate, with a large one the copy
 * does. A cold scan first drops the file's pages from the page cache
 * (fsync + posix_fadvise DONTNEED), so the kernel must read it from disk.
 *
 *   read_scan FILE [BUF_KIB [cold|warm]]      default 128 KiB, warm
 *
 * Prints "truth bytes=B calls=N sum=S elapsed_ns=T".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (argc < 2) {
		fprintf(stderr, "usage: read_scan FILE [BUF_KIB [cold|warm]]\n");
		return 2;
	}
	size_t bufsz = (argc > 2 ? strtoul(argv[2], NULL, 0) : 128) * 1024;
	int cold = argc > 3 && !strcmp(argv[3], "cold");
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || bufsz == 0) {
		perror("read_scan: open");
		return 1;
	}
	if (cold) {
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	unsigned char *buf = malloc(bufsz);
	if (!buf)
		return 1;
	unsigned long long sum = 0, bytes = 0, calls = 0;
	long long t0 = now_ns();
	for (;;) {
		ssize_t n = read(fd, buf, bufsz);
		calls++;
		if (n < 0) {
			perror("read_scan: read");
			return 1;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i += 4096)
			sum += buf[i];
		bytes += (unsigned long long)n;
	}
	long long t1 = now_ns();
	printf("truth bytes=%llu calls=%llu sum=%llu elapsed_ns=%lld\n", bytes, calls, sum,
	       t1 - t0);
	keep_a_tick();
	free(buf);
	close(fd);
	return 0;
}
