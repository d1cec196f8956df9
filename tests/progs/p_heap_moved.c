/*
 * p_heap_moved: every heap function on blocks that the record keeps (run
 * with a small --sample, nearly every block is kept, hence moved: see
 * preload/record/record.h), checking what the program may rely on: the
 * alignment asked for, usable bytes at least those asked (a page's for
 * pvalloc), a calloc's zeroes, a realloc's contents, realloc(p, 0) freeing,
 * glibc's own reallocs (getline), a block handed to another thread, and a
 * free in an atexit handler. Exits 1 with a message on the first failure.
 * Prints {"calls":N,"moved":M,"leaked":[addresses of the blocks it never
 * frees]}: M of the N blocks checked had the moved block's header (glibc's
 * mapped-chunk bit with the non-main-arena bit, which glibc never sets
 * together).
 *
 * p_heap_moved fork: first a child inherits FORK_BLOCKS blocks and checks,
 * grows and frees each (a child the shim does not trace: record
 * --no-follow); the JSON then starts with "inherited_moved":K, how many of
 * them had the moved block's header.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEAKS 5
#define FORK_BLOCKS 64

static unsigned long calls, moved;
static void *at_exit_block;

static void fail(const char *what, size_t n)
{
	fprintf(stderr, "p_heap_moved: %s (%zu)\n", what, n);
	exit(1);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void check(const unsigned char *p, size_t n, unsigned seed, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			fail(what, i);
}

/* Whether p has the moved block's header (see the top). */
static int moved_header(const void *p)
{
	return (((const uint64_t *)p)[-1] & 6) == 6;
}

/* A block of n usable bytes at least, aligned to align: written whole. */
static void *usable_block(void *p, size_t n, size_t align, const char *what)
{
	size_t u;
	if (!p)
		fail(what, n);
	calls++;
	if ((uintptr_t)p % align)
		fail("misaligned", align);
	if (moved_header(p))
		moved++;
	u = malloc_usable_size(p);
	if (u < n)
		fail("usable size below the size asked", u);
	memset(p, 0xa5, u);
	return p;
}

static void *thread_alloc(void *arg)
{
	(void)arg;
	unsigned char *p = usable_block(malloc(3000), 3000, 16, "thread malloc");
	fill(p, 3000, 9);
	return p;
}

static void free_at_exit(void)
{
	check(at_exit_block, 5000, 11, "atexit block");
	free(at_exit_block);
}

/* Blocks made here, handed to a child that checks, grows and frees them;
 * the number with the moved header. */
static unsigned long fork_blocks(void)
{
	unsigned char *b[FORK_BLOCKS];
	unsigned long inherited_moved = 0;
	int status;
	pid_t child;
	for (unsigned i = 0; i < FORK_BLOCKS; i++) {
		size_t n = 24 + i * 61;
		b[i] = malloc(n);
		if (!b[i])
			fail("fork block", n);
		fill(b[i], n, i);
		if (moved_header(b[i]))
			inherited_moved++;
	}
	fflush(stdout);
	child = fork();
	if (child < 0)
		fail("fork", 0);
	if (child == 0) {
		for (unsigned i = 0; i < FORK_BLOCKS; i++) {
			size_t n = 24 + i * 61;
			unsigned char *q;
			check(b[i], n, i, "inherited block");
			q = realloc(b[i], n * 2 + 7);
			if (!q)
				fail("inherited realloc", n);
			check(q, n, i, "inherited block grown");
			free(q);
		}
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("the child's checks", (size_t)status);
	for (unsigned i = 0; i < FORK_BLOCKS; i++)
		free(b[i]);
	return inherited_moved;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {1, 24, 100, 1000, 4000, 70000, 300000};
	static const size_t aligns[] = {32, 64, 256, 4096, 8192};
	void *leaked[LEAKS];
	pthread_t th;
	void *from_thread;
	long inherited_moved = -1;

	if (argc > 1 && strcmp(argv[1], "fork") == 0)
		inherited_moved = (long)fork_blocks();

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p = usable_block(malloc(n), n, 16, "malloc"), *q;
		size_t grow = n * 3 + 5;
		free(p);
		p = calloc(1, n);
		calls++;
		for (size_t k = 0; k < n; k++)
			if (p[k])
				fail("calloc not zeroed", k);
		fill(p, n, (unsigned)i);
		q = realloc(p, grow); /* grows: the contents move along */
		calls++;
		if (!q)
			fail("realloc", grow);
		check(q, n, (unsigned)i, "realloc grew");
		fill(q, grow, (unsigned)i + 1);
		p = realloc(q, n / 2 + 1); /* shrinks */
		calls++;
		if (!p || malloc_usable_size(p) < n / 2 + 1)
			fail("realloc shrank", n);
		check(p, n / 2 + 1, (unsigned)i + 1, "realloc shrank");
		fill(p, n / 2 + 1, 3);
		q = reallocarray(p, 2, n + 8);
		calls++;
		check(q, n / 2 + 1, 3, "reallocarray");
		if (realloc(q, 0) != NULL) /* glibc: a free */
			fail("realloc to 0 returned a block", n);
		calls++;
		for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
			void *m;
			free(usable_block(memalign(aligns[a], n), n, aligns[a], "memalign"));
			free(usable_block(
			    aligned_alloc(aligns[a], (n + aligns[a] - 1) / aligns[a] * aligns[a]),
			    n, aligns[a], "aligned_alloc"));
			if (posix_memalign(&m, aligns[a], n) != 0)
				fail("posix_memalign", n);
			m = realloc(usable_block(m, n, aligns[a], "posix_memalign"), n + 100);
			calls++;
			free(usable_block(m, n + 100, 16, "realloc of an aligned block"));
		}
		free(usable_block(valloc(n), n, 4096, "valloc"));
		free(usable_block(pvalloc(n), (n + 4095) / 4096 * 4096, 4096, "pvalloc"));
	}

	/* glibc's getline grows the program's block with its own realloc */
	{
		static char text[20000];
		size_t cap = 16;
		char *line = malloc(cap);
		FILE *f;
		memset(text, 'x', sizeof(text) - 2);
		text[sizeof(text) - 2] = '\n';
		f = fmemopen(text, sizeof(text) - 1, "r");
		if (!f || getline(&line, &cap, f) != (ssize_t)sizeof(text) - 1 ||
		    cap < sizeof(text) - 1)
			fail("getline", cap);
		fclose(f);
		free(line);
		free(strdup(text));
	}

	if (pthread_create(&th, NULL, thread_alloc, NULL) || pthread_join(th, &from_thread))
		fail("thread", 0);
	check(from_thread, 3000, 9, "block from a thread");
	free(from_thread);

	for (int i = 0; i < LEAKS; i++) {
		leaked[i] = usable_block(malloc(1000 + (size_t)i), 1000, 16, "leaked malloc");
		fill(leaked[i], 1000, (unsigned)i);
	}
	at_exit_block = usable_block(malloc(5000), 5000, 16, "atexit malloc");
	fill(at_exit_block, 5000, 11);
	atexit(free_at_exit);

	if (inherited_moved >= 0)
		printf("{\"inherited_moved\":%ld,", inherited_moved);
	else
		printf("{");
	printf("\"calls\":%lu,\"moved\":%lu,\"leaked\":[", calls, moved);
	for (int i = 0; i < LEAKS; i++)
		printf("%s%lu", i ? "," : "", (unsigned long)(uintptr_t)leaked[i]);
	printf("]}\n");
	return 0;
}
