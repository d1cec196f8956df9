/*
 * ROUNDS blocks of SIZE bytes, each malloc'd, written page by page and
 * freed at once, with glibc's mmap threshold fixed below SIZE: every block
 * is a mapping of its own, made and unmapped by glibc itself (not through
 * the program's mmap calls) well within one tick, so no maps snapshot ever
 * shows it. Prints "truth pages=N": the pages it wrote, each a first touch
 * of fresh memory.
 *
 *   p_short_blocks SIZE ROUNDS
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: p_short_blocks SIZE ROUNDS\n");
		return 2;
	}
	size_t size = strtoul(argv[1], NULL, 0);
	long rounds = atol(argv[2]), pages = 0;
	if (!mallopt(M_MMAP_THRESHOLD, 65536))
		return 1;
	for (long i = 0; i < rounds; i++) {
		volatile char *p = malloc(size);
		if (!p)
			return 1;
		for (size_t o = 0; o < size; o += 4096, pages++)
			p[o] = (char)i;
		free((char *)p);
	}
	printf("truth pages=%ld\n", pages);
	return 0;
}
