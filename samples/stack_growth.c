/*
 * stack_growth: the main thread's stack VMA grows on demand. A fault just
 * below the lowest page of [stack] makes the kernel extend the VMA downward
 * (up to RLIMIT_STACK, keeping a guard gap from the mapping below) and map a
 * fresh zeroed page: a stack-growth fault. The VMA never shrinks back.
 *
 *   stack_growth [KIB]     default 4096 KiB
 *
 * Touches KIB below its current stack pointer one page at a time, top down,
 * as deep recursion would. Prints "truth grown_pages=N stack_kb_before=A
 * stack_kb_after=B".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long stack_kb(void)
{
	char line[512];
	long kb = -1;
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			kb = (long)((b - a) / 1024);
	}
	fclose(f);
	return kb;
}

__attribute__((noinline)) static void grow(size_t bytes)
{
	volatile char *area = __builtin_alloca(bytes);
	for (size_t off = bytes; off >= 4096; off -= 4096)
		area[off - 4096] = 1; /* top down: each page just below the last */
}

int main(int argc, char **argv)
{
	size_t kib = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	long before = stack_kb();
	struct timespec ts = { 0, 150000000L };
	nanosleep(&ts, NULL);
	grow(kib * 1024);
	nanosleep(&ts, NULL);
	long after = stack_kb();
	printf("truth grown_pages=%ld stack_kb_before=%ld stack_kb_after=%ld\n",
	       (after - before) / 4, before, after);
	return 0;
}
