/*
 * p_heap_threads: THREADS threads allocate at three sites with known fates,
 * all at once: churn_site() allocates and frees a 16-byte block CHURN times
 * per thread (the threads hammer one site together); hold_site() allocates
 * HOLD blocks of 32 bytes per thread, which are all live together at a
 * barrier before any is freed (so the site's peak is exactly THREADS * HOLD
 * * 32); leak_site() leaks LEAK blocks of 48 bytes per thread. Prints each
 * site function's address and the figures as JSON.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define CHURN 20000
#define HOLD 100
#define LEAK 3

static pthread_barrier_t held;
static volatile int nleak = LEAK; /* a loop the compiler keeps: one call site */
static void *leaked[THREADS][LEAK];

__attribute__((noinline)) static void *churn_site(void)
{
	return malloc(16);
}

__attribute__((noinline)) static void *hold_site(void)
{
	return malloc(32);
}

__attribute__((noinline)) static void *leak_site(void)
{
	return malloc(48);
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	void *hold[HOLD];
	for (int i = 0; i < CHURN; i++) {
		/* A thread's own pointer: through the shared sink, another
		 * thread's block could be freed twice. */
		void *volatile p = churn_site();
		free(p);
	}
	for (int i = 0; i < HOLD; i++)
		hold[i] = hold_site();
	pthread_barrier_wait(&held);
	for (int i = 0; i < HOLD; i++)
		free(hold[i]);
	for (int i = 0; i < nleak; i++)
		leaked[id][i] = leak_site();
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	pthread_barrier_init(&held, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	printf("{\"churn_site\":%lu,\"hold_site\":%lu,\"leak_site\":%lu,"
	       "\"threads\":%d,\"churn\":%d,\"hold\":%d,\"leak\":%d}\n",
	       (unsigned long)(uintptr_t)churn_site, (unsigned long)(uintptr_t)hold_site,
	       (unsigned long)(uintptr_t)leak_site, THREADS, CHURN, HOLD, LEAK);
	return 0;
}
