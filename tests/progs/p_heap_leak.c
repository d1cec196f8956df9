/*
 * p_heap_leak: three allocation sites with known fates. leak_a() leaks 37
 * blocks of 1000+i bytes; churn_b() allocates and frees 5000 blocks of 100
 * bytes one at a time (its peak is one block); grow_c() grows one block
 * with realloc 10 times, then frees it. Prints each function's address and
 * the expected figures as JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;
static void *kept[37];

__attribute__((noinline)) static void *leak_a(size_t n)
{
	void *p = malloc(n);
	memset(p, 1, n);
	return p;
}

__attribute__((noinline)) static void churn_b(void)
{
	for (int i = 0; i < 5000; i++) {
		sink = malloc(100);
		free(sink);
	}
}

__attribute__((noinline)) static void grow_c(void)
{
	char *p = malloc(16);
	for (int i = 0; i < 10; i++) {
		p = realloc(p, (size_t)32 << i);
		p[0] = 1;
	}
	sink = p;
	free(p);
}

int main(void)
{
	uint64_t leaked = 0;
	for (int i = 0; i < 37; i++) {
		kept[i] = leak_a(1000 + (size_t)i);
		leaked += 1000 + (uint64_t)i;
	}
	churn_b();
	grow_c();
	printf("{\"leak_a\":%lu,\"churn_b\":%lu,\"grow_c\":%lu,\"leaked_bytes\":%lu,\"leaked_blocks\":37}\n",
	       (unsigned long)(uintptr_t)leak_a, (unsigned long)(uintptr_t)churn_b,
	       (unsigned long)(uintptr_t)grow_c, (unsigned long)leaked);
	return 0;
}
