/*
 * Reads (never writes) K distinct pages in each of W windows of MS
 * milliseconds: a working set that only reads. Pages written per window must
 * be 0 for it; pages read can only be seen through the accessed bit.
 *
 * The pages are a memfd's, mapped private and read-only, not anonymous
 * memory: a read of never-written anonymous memory maps the kernel's shared
 * zero page, which smaps never counts as Referenced, so even a machine whose
 * accessed bit works would see no reads there. Windows alternate between two
 * sets of K pages: windows 0 and 1 fault their pages in (the kernel makes a
 * new entry young), later windows re-read mapped pages, which only the
 * hardware's accessed bit can show.
 *
 *   p_ws_reader K W MS
 *
 * Prints "truth k=K windows=W buf=ADDR end=ADDR" and the sum of the bytes
 * read (so that the reads cannot be optimised away).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t k, w, len;
	long ms;
	int fd;
	volatile const char *p;
	unsigned sum = 0;
	struct timespec next;
	if (argc != 4)
		return 2;
	k = strtoul(argv[1], NULL, 0);
	w = strtoul(argv[2], NULL, 0);
	ms = strtol(argv[3], NULL, 0);
	len = 2 * k * 4096;
	fd = memfd_create("p_ws_reader", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)len) != 0)
		return 1;
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED || !k)
		return 1;
	printf("truth k=%zu windows=%zu buf=%p end=%p\n", k, w, (void *)p, (void *)(p + len));
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (size_t r = 0; r < w; r++) {
		for (size_t i = 0; i < k; i++)
			sum += (unsigned char)p[((r % 2) * k + i) * 4096];
		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0)
			;
	}
	printf("sum %u\n", sum);
	return 0;
}
