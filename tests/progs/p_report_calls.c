/*
 * Makes a known number of malloc/calloc/realloc/free calls with known sizes
 * from N threads, and prints its own count as JSON. Run it with ITERS = 0 to
 * get the start-up noise (libc, stdio, pthread) that the difference removes.
 *   p_report_calls THREADS ITERS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long iters;

struct count {
	unsigned long malloc_n, calloc_n, realloc_n, free_n;
	unsigned long malloc_b, calloc_b, realloc_b;
};

static void *work(void *arg)
{
	struct count *c = arg;
	for (long i = 0; i < iters; i++) {
		size_t a = 16 + (size_t)(i % 97) * 8, n = 1 + (size_t)(i % 5), m = 24;
		char *p = malloc(a), *q = calloc(n, m), *r;
		c->malloc_n++;
		c->malloc_b += a;
		c->calloc_n++;
		c->calloc_b += n * m;
		if (!p || !q)
			abort();
		p[0] = 1;
		r = realloc(p, a * 2);
		c->realloc_n++;
		c->realloc_b += a * 2;
		if (!r)
			abort();
		free(r);
		free(q);
		c->free_n += 2;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nt = argc > 1 ? atoi(argv[1]) : 1;
	struct count total, c[64];
	pthread_t th[64];
	iters = argc > 2 ? atol(argv[2]) : 1000;
	if (nt < 1 || nt > 64)
		return 2;
	memset(c, 0, sizeof(c));
	memset(&total, 0, sizeof(total));
	for (int i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, work, &c[i]) != 0)
			return 1;
	for (int i = 0; i < nt; i++) {
		pthread_join(th[i], NULL);
		total.malloc_n += c[i].malloc_n;
		total.calloc_n += c[i].calloc_n;
		total.realloc_n += c[i].realloc_n;
		total.free_n += c[i].free_n;
		total.malloc_b += c[i].malloc_b;
		total.calloc_b += c[i].calloc_b;
		total.realloc_b += c[i].realloc_b;
	}
	printf("{\"malloc\":%lu,\"calloc\":%lu,\"realloc\":%lu,\"free\":%lu,"
	       "\"malloc_bytes\":%lu,\"calloc_bytes\":%lu,\"realloc_bytes\":%lu}\n",
	       total.malloc_n, total.calloc_n, total.realloc_n, total.free_n, total.malloc_b,
	       total.calloc_b, total.realloc_b);
	return 0;
}
