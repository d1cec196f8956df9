/*
 * p_heap_in_place: what a program's heap looks like to itself when blocks
 * it gets are kept by the record (moved: preload/record/record.h). Asks
 * for ROUNDS blocks of 64-124 KiB (glibc's heap, below its 128 KiB mmap
 * threshold; the record keeps every block of 64 KiB or more), each written
 * through by read() from a file of zeroes (so the kernel takes the faults
 * on its fresh pages, in kernel mode, as a program reading files does),
 * then written again by the program, then freed; and, between them,
 * reallocs of a growing buffer. Natively the heap's top serves every block
 * at the same place: the pages are touched once. Prints
 * {"span":S,"brk_growth":B,"minflt":N,"checked":C}: the bytes from the
 * lowest block's start to the highest block's end (the heap the loop's
 * blocks took; a block moved to fresh memory while the old one was live
 * doubles it), how far the heap's break moved and the minor faults
 * (getrusage: the shim's own included) over the loop, and how many blocks'
 * contents were checked, and "big_on_heap": whether a block of 200,000
 * bytes asked for after the loop came from the heap (between the loop's
 * blocks and the break) rather than from a mapping of its own: glibc maps
 * it below its mmap threshold (128 KiB until the program frees a mapped
 * chunk). Exits 1 on a wrong content.
 *   p_heap_in_place ZEROES_FILE [ROUNDS]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* The lowest block start and highest block end seen (out of line: gcc
 * 12 took the address kept after a later free() for a use of it). */
static uintptr_t lo = UINTPTR_MAX, hi;
static __attribute__((noinline)) void note_block(const void *p, size_t n)
{
	uintptr_t at = (uintptr_t)p;
	lo = at < lo ? at : lo;
	hi = at + n > hi ? at + n : hi;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 200, fd;
	unsigned long checked = 0;
	char *grow = NULL;
	size_t grown = 0;
	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	/* A small block first, so that the heap exists before the count. */
	free(malloc(64));
	long f0 = minflt();
	char *b0 = sbrk(0);
	for (int i = 0; i < rounds; i++) {
		size_t n = 64 * 1024 + (size_t)(i * 7919 % 61) * 1024;
		unsigned char *p = malloc(n);
		if (!p || pread(fd, p, n, 0) != (ssize_t)n)
			return 2;
		note_block(p, n);
		for (size_t k = 0; k < n; k += 4096)
			if (p[k] != 0) {
				fprintf(stderr, "p_heap_in_place: block %d byte %zu\n", i, k);
				return 1;
			}
		memset(p, i & 0xff, n);
		free(p);
		/* A realloc every tenth round keeps its data, 4 KiB longer each. */
		if (i % 10 == 0) {
			char *g = realloc(grow, grown + 4096);
			if (!g)
				return 2;
			memset(g + grown, (int)(grown / 4096) & 0xff, 4096);
			grow = g;
			grown += 4096;
			for (size_t k = 0; k < grown; k += 4096)
				if ((unsigned char)grow[k] != ((k / 4096) & 0xff)) {
					fprintf(stderr, "p_heap_in_place: realloc byte %zu\n", k);
					return 1;
				}
			checked++;
		}
		checked++;
	}
	long f1 = minflt();
	char *b1 = sbrk(0);
	char *big = malloc(200000);
	int big_on_heap = big && (uintptr_t)big >= lo && big < (char *)sbrk(0);
	free(big);
	free(grow);
	close(fd);
	printf("{\"span\":%lu,\"brk_growth\":%ld,\"minflt\":%ld,\"checked\":%lu,"
	       "\"big_on_heap\":%d}\n",
	       (unsigned long)(hi - lo), (long)(b1 - b0), f1 - f0, checked, big_on_heap);
	return 0;
}
