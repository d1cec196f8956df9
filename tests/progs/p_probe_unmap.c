/*
 * Maps, touches and unmaps between two ticks: an anonymous buffer of N
 * pages written whole, then unmapped whole; a file of N pages mapped and
 * read one byte a page, then unmapped; an anonymous buffer of 3N pages
 * written whole, then only its middle third unmapped, in that order (the
 * buffers may reuse one address). Prints the page count.
 *
 *   p_probe_unmap PAGES FILE
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static char *map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 1, len);
	return p;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[1], NULL, 10) : 0, len = n * PAGE;
	char page[PAGE], *anon, *file, *mid;
	volatile unsigned long sum = 0;
	int fd;
	if (!n) {
		fprintf(stderr, "usage: p_probe_unmap PAGES FILE\n");
		return 2;
	}
	anon = map_anon(len);
	munmap(anon, len);

	memset(page, 2, sizeof(page));
	fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (size_t i = 0; fd >= 0 && i < n; i++)
		if (write(fd, page, PAGE) != PAGE)
			return 1;
	file = fd >= 0 ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (file == MAP_FAILED) {
		perror(argv[2]);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		sum += file[i * PAGE];
	munmap(file, len);
	close(fd);

	mid = map_anon(3 * len);
	munmap(mid + len, len);
	printf("pages=%zu\n", n);
	return sum == 0;
}
