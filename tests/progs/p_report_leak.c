/*
 * A known leak: leak_here() allocates LEAKS blocks of 48 bytes that are
 * never freed; keep_and_free() allocates and frees the same number.
 * The leaking call is on the line marked LEAK-LINE.
 */
#include <stdio.h>
#include <stdlib.h>

#define LEAKS 1000

static void *volatile sink;

__attribute__((noinline)) static void leak_here(int i)
{
	char *p = malloc(48); /* LEAK-LINE */
	if (!p)
		abort();
	p[0] = (char)i;
	sink = p;
}

__attribute__((noinline)) static void keep_and_free(void)
{
	void *v[LEAKS];
	for (int i = 0; i < LEAKS; i++)
		v[i] = malloc(64);
	for (int i = 0; i < LEAKS; i++)
		free(v[i]);
}

int main(void)
{
	for (int i = 0; i < LEAKS; i++)
		leak_here(i);
	keep_and_free();
	printf("leaked %d x 48\n", LEAKS);
	return 0;
}
