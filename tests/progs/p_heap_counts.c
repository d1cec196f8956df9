/*
 * p_heap_counts THREADS ITERS: every heap function called a known number of
 * times with known sizes, by THREADS threads (1: the main thread alone),
 * between marker mmaps. The window is bracketed by sleeps so that the
 * shim's ticks write "heap" totals just before and just after it:
 *   marker 1, sleep, marker 2, [work], marker 3, sleep, marker 4
 * A marker is an mmap of (1000 + n) pages. Prints the program's own counts
 * as JSON: {"calls":{fn:N},"bytes":{fn:N},"live":usable bytes left live}.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { MALLOC, CALLOC, REALLOC, REALLOCARRAY, POSIX_MEMALIGN, ALIGNED_ALLOC, MEMALIGN, VALLOC,
       PVALLOC, FREE, NFN };
static const char *names[NFN] = { "malloc", "calloc", "realloc", "reallocarray",
				  "posix_memalign", "aligned_alloc", "memalign", "valloc",
				  "pvalloc", "free" };
#define SLOTS 64

struct worker {
	pthread_t th;
	unsigned idx;
	long iters;
	unsigned long calls[NFN], bytes[NFN], live;
	void *slot[SLOTS];
};

static pthread_barrier_t start, done, leave;
static int nthreads;

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void marker(int n)
{
	size_t len = (size_t)(1000 + n) * 4096;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	munmap(p, len);
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static size_t pick_size(uint64_t *s)
{
	uint64_t r = rnd(s);
	if (r % 50 == 0)
		return 65536 + (size_t)(r >> 40) % 200000; /* large: always recorded */
	return 1 + (size_t)(r >> 40) % 4000;
}

static void one_op(struct worker *w, uint64_t *s)
{
	uint64_t r = rnd(s);
	unsigned k = (unsigned)(r % SLOTS), fn = (unsigned)((r >> 8) % NFN);
	size_t size = pick_size(s), align = (size_t)16 << ((r >> 20) % 8);
	void *p = NULL;

	if (fn == FREE || (fn != REALLOC && fn != REALLOCARRAY)) {
		free(w->slot[k]); /* may be free(NULL): a call all the same */
		w->calls[FREE]++;
		w->slot[k] = NULL;
		if (fn == FREE)
			return;
	}
	switch (fn) {
	case MALLOC: p = malloc(size); break;
	case CALLOC: p = calloc(size % 7 + 1, size); size *= size % 7 + 1; break;
	case REALLOC: p = realloc(w->slot[k], size); break;
	case REALLOCARRAY: p = reallocarray(w->slot[k], 3, size); size *= 3; break;
	case POSIX_MEMALIGN:
		if (posix_memalign(&p, align, size) != 0)
			p = NULL;
		break;
	case ALIGNED_ALLOC: size = (size + align - 1) / align * align; p = aligned_alloc(align, size); break;
	case MEMALIGN: p = memalign(align, size); break;
	case VALLOC: p = valloc(size); break;
	case PVALLOC: p = pvalloc(size); break;
	}
	if (!p)
		abort();
	w->calls[fn]++;
	w->bytes[fn] += size;
	w->slot[k] = p;
	memset(p, 0x5a, size < 64 ? size : 64);
}

static void work(struct worker *w)
{
	uint64_t s = 0x9e3779b97f4a7c15ull * (w->idx + 1);
	for (long i = 0; i < w->iters; i++)
		one_op(w, &s);
	for (int k = 0; k < SLOTS; k++)
		if (w->slot[k])
			w->live += malloc_usable_size(w->slot[k]);
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start);
	work(w);
	pthread_barrier_wait(&done);
	pthread_barrier_wait(&leave);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct worker ws[64];
	long iters;
	unsigned long calls[NFN] = { 0 }, bytes[NFN] = { 0 }, live = 0;

	nthreads = argc > 1 ? atoi(argv[1]) : 1;
	iters = argc > 2 ? atol(argv[2]) : 10000;
	if (nthreads < 1 || nthreads > 64)
		return 2;
	for (int i = 0; i < nthreads; i++) {
		ws[i].idx = (unsigned)i;
		ws[i].iters = iters;
	}
	if (nthreads > 1) {
		pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
		pthread_barrier_init(&done, NULL, (unsigned)nthreads + 1);
		pthread_barrier_init(&leave, NULL, (unsigned)nthreads + 1);
		for (int i = 0; i < nthreads; i++)
			pthread_create(&ws[i].th, NULL, thread_main, &ws[i]);
	}
	marker(1);
	pause_ms(300);
	marker(2);
	if (nthreads > 1) {
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
	} else {
		work(&ws[0]);
	}
	marker(3);
	pause_ms(300);
	marker(4);
	if (nthreads > 1) {
		pthread_barrier_wait(&leave);
		for (int i = 0; i < nthreads; i++)
			pthread_join(ws[i].th, NULL);
	}
	for (int i = 0; i < nthreads; i++) {
		for (int f = 0; f < NFN; f++) {
			calls[f] += ws[i].calls[f];
			bytes[f] += ws[i].bytes[f];
		}
		live += ws[i].live;
		for (int k = 0; k < SLOTS; k++)
			free(ws[i].slot[k]);
	}
	printf("{\"calls\":{");
	for (int f = 0; f < NFN; f++)
		printf("%s\"%s\":%lu", f ? "," : "", names[f], calls[f]);
	printf("},\"bytes\":{");
	for (int f = 0; f < FREE; f++)
		printf("%s\"%s\":%lu", f ? "," : "", names[f], bytes[f]);
	printf("},\"live\":%lu}\n", live);
	return 0;
}
