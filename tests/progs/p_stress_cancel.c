/*
 * Stress: threads cancelled while they allocate. Each round starts THREADS
 * threads that allocate and free in an endless loop with cancellation points
 * right after the allocator calls, lets them run, cancels them, joins them.
 * Then fresh threads and the main thread allocate again: a shim lock or
 * guard left behind by a cancelled thread would hang here.
 *   p_stress_cancel ROUNDS THREADS
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long allocs[64], frees[64], released;
/* Blocks escape here, so that the compiler cannot drop a malloc/free pair. */
void *volatile fl_sink;

static void release(void *arg)
{
	void **slot = arg;
	if (*slot)
		__atomic_add_fetch(&released, 1, __ATOMIC_RELAXED);
	free(*slot);
	*slot = NULL;
}

static void *spin(void *arg)
{
	long id = (long)arg;
	static __thread uint64_t s;
	static __thread void *block;
	s = (uint64_t)id * 2654435761u + 1;
	pthread_cleanup_push(release, &block);
	for (;;) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		block = malloc((size_t)(s >> 40) % ((s & 15) == 0 ? 200000 : 300) + 1);
		__atomic_add_fetch(&allocs[id], 1, __ATOMIC_RELAXED);
		pthread_testcancel();
		memset(block, 1, 1);
		free(block);
		__atomic_add_fetch(&frees[id], 1, __ATOMIC_RELAXED);
		block = NULL;
		if ((s >> 20) % 64 == 0)
			write(-1, "", 0); /* a cancellation point inside a syscall */
	}
	pthread_cleanup_pop(1);
	return NULL;
}

static void *settle(void *arg)
{
	long sum = 0;
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		char *p = malloc((size_t)i % 5000 + 1);
		fl_sink = p;
		p[0] = (char)i;
		sum += p[0];
		free(p);
	}
	return (void *)sum;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 20, n = argc > 2 ? atol(argv[2]) : 8;
	long cancelled = 0, total = 0, freed = 0;
	pthread_t t[64];
	struct timespec d = { 0, 3000000 };

	if (n < 1 || n > 64)
		return 2;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < n; i++)
			if (pthread_create(&t[i], NULL, spin, (void *)i))
				return 1;
		nanosleep(&d, NULL);
		for (long i = 0; i < n; i++)
			pthread_cancel(t[i]);
		for (long i = 0; i < n; i++) {
			void *ret;
			pthread_join(t[i], &ret);
			cancelled += ret == PTHREAD_CANCELED;
		}
	}
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, settle, NULL);
	for (long i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	settle(NULL);
	for (long i = 0; i < n; i++)
		total += allocs[i], freed += frees[i];
	printf("rounds %ld cancelled %ld\n", rounds, cancelled);
	printf("malloc %ld\nfree %ld\n", total + 5 * 10000, freed + released + 5 * 10000);
	return cancelled == rounds * n ? 0 : 1;
}
