/*
 * Two allocation sites in one function, one frame: make_pair() allocates
 * a 64-byte key and a 128-byte value, PAIRS times, and every block leaks.
 * The two sites share the caller's frame and stack pointer: the report
 * must keep their lines apart in the default mode too, where the stacks
 * of sampled blocks come through the shim's stack cache. Both functions
 * keep frame pointers, so that the cache's walk along them is taken.
 */
#include <stdio.h>
#include <stdlib.h>

#define PAIRS 200

static void *volatile sink;

__attribute__((noinline, optimize("no-omit-frame-pointer"))) static void make_pair(int i)
{
	char *key = malloc(64);
	char *value = malloc(128);
	if (!key || !value)
		abort();
	key[0] = value[0] = (char)i;
	sink = key;
	sink = value;
}

__attribute__((optimize("no-omit-frame-pointer"))) int main(void)
{
	for (int i = 0; i < PAIRS; i++)
		make_pair(i);
	printf("leaked %d x (64 + 128)\n", PAIRS);
	return 0;
}
