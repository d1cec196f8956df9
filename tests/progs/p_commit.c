/*
 * Reservations and failed allocations, for the overcommit report's tests.
 * Prints "truth k=v ..." with what the program itself saw.
 *
 *   p_commit toolarge HUGE OK   malloc(HUGE) (expected to fail), two mallocs
 *                               of OK that succeed (one page of each
 *                               touched), malloc(SIZE_MAX), an overflowing
 *                               calloc
 *   p_commit reserve N SIZE     N private writable anonymous mmaps of SIZE,
 *                               counting the refused ones, then unmaps all
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int toolarge(size_t huge, size_t ok)
{
	volatile size_t max = SIZE_MAX, half = SIZE_MAX / 2 + 1;
	char *a, *b;
	void *p;
	int err;
	errno = 0;
	p = malloc(huge);
	err = errno;
	if (p)
		return printf("truth huge_ok=1\n"), 3;
	a = malloc(ok);
	b = malloc(ok);
	if (!a || !b)
		return 1;
	a[0] = b[0] = 1;
	if (malloc(max) || calloc(half, 4))
		return 1;
	printf("truth failed_size=%zu failed_errno=%d ok_size=%zu\n", huge, err, ok);
	free(a);
	free(b);
	return 0;
}

static int reserve(int n, size_t size)
{
	void **v = calloc((size_t)n, sizeof(*v));
	int refused = 0, other = 0;
	if (!v)
		return 1;
	for (int i = 0; i < n; i++) {
		v[i] = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (v[i] == MAP_FAILED) {
			refused += errno == ENOMEM;
			other += errno != ENOMEM;
		}
	}
	for (int i = 0; i < n; i++)
		if (v[i] != MAP_FAILED)
			munmap(v[i], size);
	printf("truth refused=%d other_errors=%d\n", refused, other);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "toolarge"))
		return toolarge(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "reserve"))
		return reserve(atoi(argv[2]), strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: p_commit toolarge HUGE OK | reserve N SIZE\n");
	return 2;
}
