/*
 * Maps FILE (read-only, shared, from offset 0), never touches it, waits
 * MS milliseconds (the shim's ticks read the maps meanwhile), then reads
 * its own /proc/self/pagemap for the mapping's first page and prints
 *   truth present=0|1
 * Natively nothing brought the page into this process's page tables.
 *
 *   p_mmap_untouched FILE MS
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	struct timespec ts;
	uint64_t e = 0;
	long ms;
	int fd, pm;
	char *p;
	if (argc != 3) {
		fprintf(stderr, "usage: p_mmap_untouched FILE MS\n");
		return 2;
	}
	ms = atol(argv[2]);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0)
		return 1;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0 || pread(pm, &e, sizeof(e), (off_t)((uintptr_t)p / 4096 * 8)) != sizeof(e))
		return 1;
	printf("truth present=%d\n", (int)(e >> 63));
	return 0;
}
