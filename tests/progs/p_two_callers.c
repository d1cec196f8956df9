/*
 * One allocating function reached from two callers: big_block() mallocs
 * 100 KiB (a large block), called N times from from_reader() and N times
 * from from_writer(); the blocks are held to the end. Two stacks through
 * one code location, which a report must tell apart.
 *
 *   p_two_callers N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (100 << 10)

__attribute__((noinline)) static char *big_block(void)
{
	char *p = malloc(BLOCK);
	if (p)
		p[0] = 1;
	return p;
}

__attribute__((noinline)) static char *from_reader(void)
{
	char *p = big_block();
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return p;
}

__attribute__((noinline)) static char *from_writer(void)
{
	char *p = big_block();
	if (p)
		memset(p, 2, BLOCK);
	return p;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20;
	char **keep = calloc((size_t)n * 2, sizeof(*keep));
	if (!keep)
		return 1;
	for (int i = 0; i < n; i++) {
		keep[2 * i] = from_reader();
		keep[2 * i + 1] = from_writer();
		if (!keep[2 * i] || !keep[2 * i + 1])
			return 1;
	}
	printf("blocks %d\n", 2 * n);
	for (int i = 0; i < 2 * n; i++)
		free(keep[i]);
	free(keep);
	return 0;
}
