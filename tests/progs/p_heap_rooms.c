/*
 * p_heap_rooms: THREADS threads allocate at one site, all at once, in
 * phases with known figures: each holds WARM blocks of 64 bytes together
 * (a barrier), frees them (ROUNDS times), churns KEEP blocks of random sizes 16-512 bytes
 * CHURN times (far below the first peak, so that --all's per-thread
 * headroom serves the calls), frees them, then holds TOP blocks of 96
 * bytes together (a new peak, above the first, reached while the threads
 * allocate at once), frees them and leaks LEAK blocks of 40 bytes. The
 * site's peak is exactly THREADS * TOP * 96. Prints the site function's
 * address and the figures as JSON (bytes: every size asked for).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define WARM 2000
#define ROUNDS 6 /* of WARM: each barrier hands the site from thread to thread */
#define KEEP 100
#define CHURN 50000
#define TOP 2000
#define LEAK 5

static pthread_barrier_t step;
static uint64_t total_bytes;
static volatile int nleak = LEAK;
static void *leaked[THREADS][LEAK];

__attribute__((noinline)) static void *site_alloc(size_t size)
{
	void *p = malloc(size);
	if (!p)
		abort();
	return p;
}

static void free_all(void **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

/* One call of site_alloc() in one loop: every block has the same stack,
 * one site. */
static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg, phase = 0, round = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1), bytes = 0;
	static __thread void *v[TOP > WARM ? TOP : WARM];
	size_t size;
	long i = 0;
	int slot;

	for (;;) {
		if (phase == 0) { /* WARM blocks held together */
			if (i == WARM) {
				pthread_barrier_wait(&step);
				free_all(v, WARM);
				pthread_barrier_wait(&step);
				phase = ++round < ROUNDS ? 0 : 1, i = 0;
				continue;
			}
			slot = (int)i, size = 64;
		} else if (phase == 1) { /* KEEP blocks, replaced CHURN times */
			if (i == KEEP + CHURN) {
				free_all(v, KEEP);
				pthread_barrier_wait(&step);
				phase = 2, i = 0;
				continue;
			}
			slot = (int)(i % KEEP), size = 16;
			if (i >= KEEP) {
				rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
				size = 16 + (size_t)((rng >> 32) % 497);
				free(v[slot]);
			}
		} else if (phase == 2) { /* the new peak */
			if (i == TOP) {
				pthread_barrier_wait(&step);
				free_all(v, TOP);
				phase = 3, i = 0;
				continue;
			}
			slot = (int)i, size = 96;
		} else { /* the leaks */
			if (i == nleak)
				break;
			slot = (int)i, size = 40;
		}
		v[slot] = site_alloc(size);
		bytes += size;
		i++;
	}
	for (int k = 0; k < LEAK; k++)
		leaked[id][k] = v[k];
	__atomic_fetch_add(&total_bytes, bytes, __ATOMIC_RELAXED);
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	pthread_barrier_init(&step, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	printf(
	    "{\"site_alloc\":%lu,\"threads\":%d,\"warm\":%d,\"rounds\":%d,\"keep\":%d,\"churn\":%d,"
	    "\"top\":%d,\"leak\":%d,\"bytes\":%llu}\n",
	    (unsigned long)(uintptr_t)site_alloc, THREADS, WARM, ROUNDS, KEEP, CHURN, TOP, LEAK,
	    (unsigned long long)total_bytes);
	return 0;
}
