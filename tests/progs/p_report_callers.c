/*
 * One allocation site reached through two callers: make_node() allocates
 * 64-byte blocks, from_parser() calls it PARSER times and from_loader()
 * LOADER times, and every block leaks. The heap table must show two rows
 * for make_node, told apart by their caller.
 */
#include <stdio.h>
#include <stdlib.h>

#define PARSER 300
#define LOADER 100

static void *volatile sink;

__attribute__((noinline)) static void make_node(int i)
{
	char *p = malloc(64);
	if (!p)
		abort();
	p[0] = (char)i;
	sink = p;
}

__attribute__((noinline)) static void from_parser(void)
{
	for (int i = 0; i < PARSER; i++)
		make_node(i);
	__asm__ volatile("" ::: "memory"); /* keeps the call from being a tail call */
}

__attribute__((noinline)) static void from_loader(void)
{
	for (int i = 0; i < LOADER; i++)
		make_node(i);
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	from_parser();
	from_loader();
	printf("leaked %d + %d x 64\n", PARSER, LOADER);
	return 0;
}
