/*
 * p_heap_thread_exit WAVES THREADS PAIRS: WAVES waves of THREADS short-lived
 * threads, each making PAIRS malloc/free pairs of sizes 16-264 and leaving
 * KEEP blocks to the main thread, which frees them after the next wave has
 * run (frees of blocks whose thread is gone); every other thread but the
 * last wave's is detached, so that glibc frees its stack and TLS at once.
 * The last wave is joined whole, and main waits until it is the process's
 * only thread: a detached thread's own exit frees (its tcache) could still
 * run while the process ends, after one counter's last reading and before
 * another's. Under a 1 ms tick the shim's readers
 * of each thread's counters race with the threads' exits. Prints the
 * calls it made as JSON.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define KEEP 8
#define MAXT 64

static long pairs;
static void *kept[2][MAXT][KEEP];
static pthread_barrier_t done;

/* The process's threads (the Threads line of /proc/self/status). */
static int threads_now(void)
{
	char line[256];
	int n = 1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

struct job {
	int slot, detached;
	void **keep;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (long i = 0; i < pairs; i++) {
		void *volatile p = malloc(16 + (size_t)(i % 32) * 8);
		free(p);
	}
	for (int k = 0; k < KEEP; k++)
		j->keep[k] = malloc(100 + (size_t)k);
	if (j->detached)
		pthread_barrier_wait(&done);
	return NULL;
}

int main(int argc, char **argv)
{
	int waves = argc > 1 ? atoi(argv[1]) : 40, threads = argc > 2 ? atoi(argv[2]) : 8;
	struct job jobs[MAXT];
	pthread_t tid[MAXT];
	long mallocs = 0, frees = 0;
	pairs = argc > 3 ? atol(argv[3]) : 2000;
	if (threads > MAXT)
		threads = MAXT;
	for (int w = 0; w < waves; w++) {
		int cur = w & 1, ndetached = 0, last = w == waves - 1;
		for (int t = 0; t < threads; t++)
			ndetached += (t & 1) && !last;
		pthread_barrier_init(&done, NULL, (unsigned)ndetached + 1);
		for (int t = 0; t < threads; t++) {
			jobs[t] = (struct job){t, (t & 1) && !last, kept[cur][t]};
			if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0)
				return 1;
			if (jobs[t].detached)
				pthread_detach(tid[t]);
		}
		/* The last wave's blocks, freed while this one runs. */
		for (int t = 0; w && t < threads; t++)
			for (int k = 0; k < KEEP; k++, frees++)
				free(kept[!cur][t][k]);
		for (int t = 0; t < threads; t++)
			if (!jobs[t].detached)
				pthread_join(tid[t], NULL);
		pthread_barrier_wait(&done);
		pthread_barrier_destroy(&done);
		mallocs += (long)threads * (pairs + KEEP);
		frees += (long)threads * pairs;
	}
	for (int t = 0; waves && t < threads; t++)
		for (int k = 0; k < KEEP; k++, frees++)
			free(kept[(waves - 1) & 1][t][k]);
	while (threads_now() > 1)
		sched_yield();
	printf("{\"mallocs\": %ld, \"frees\": %ld}\n", mallocs, frees);
	return 0;
}
