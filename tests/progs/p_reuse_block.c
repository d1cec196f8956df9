/*
 * One block of SIZE bytes allocated, written and freed ROUNDS times: glibc
 * hands back the same memory each round, so only the first round's pages
 * take faults. WRITE is "all" (every byte of each block) or "first" (its
 * first byte only).
 *
 *   p_reuse_block SIZE ROUNDS all|first
 *
 * Prints "truth reserved=BYTES written=BYTES": the bytes it asked for over
 * all rounds and the bytes it wrote (the program's own count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: p_reuse_block SIZE ROUNDS all|first\n");
		return 2;
	}
	size_t size = strtoul(argv[1], NULL, 0);
	long rounds = atol(argv[2]);
	int all = strcmp(argv[3], "all") == 0;
	unsigned long long reserved = 0, written = 0;
	unsigned sum = 0;
	for (long i = 0; i < rounds; i++) {
		volatile char *p = malloc(size);
		if (!p)
			return 1;
		if (all)
			memset((char *)p, (int)i, size);
		else
			p[0] = (char)i;
		sum += (unsigned char)p[0];
		reserved += size;
		written += all ? size : 1;
		free((char *)p);
	}
	printf("truth reserved=%llu written=%llu\n", reserved, written);
	return (int)(sum & 0); /* the reads above stay */
	return 0;
}
