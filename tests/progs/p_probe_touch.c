/*
 * Touches N fresh pages of one mmap'd buffer from T threads (each its own
 * slice), between two quiet periods, and prints its own truth: the buffer,
 * the CLOCK_MONOTONIC times around the touching and getrusage's minor
 * fault delta over it.
 *
 *   p_probe_touch PAGES THREADS QUIET_MS
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static char *buf;
static size_t pages, threads;
static pthread_barrier_t go;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *worker(void *arg)
{
	size_t id = (size_t)(uintptr_t)arg, per = pages / threads;
	pthread_barrier_wait(&go);
	for (size_t i = id * per; i < (id + 1) * per; i++)
		buf[i * 4096] = 1;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	pthread_t tid[64];
	struct rusage a, b;
	uint64_t t0, t1;
	long quiet;
	if (argc != 4)
		return 2;
	pages = strtoul(argv[1], NULL, 0);
	threads = strtoul(argv[2], NULL, 0);
	quiet = strtol(argv[3], NULL, 0);
	if (threads < 1 || threads > 64 || pages % threads)
		return 2;
	/* Guard pages keep the buffer its own VMA. */
	buf = mmap(NULL, (pages + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	buf += 4096;
	mprotect(buf, pages * 4096, PROT_READ | PROT_WRITE);
	madvise(buf, pages * 4096, MADV_NOHUGEPAGE);
	pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
	for (size_t i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(uintptr_t)i);
	sleep_ms(quiet);
	getrusage(RUSAGE_SELF, &a);
	t0 = now_ns();
	pthread_barrier_wait(&go);
	for (size_t i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &b);
	printf("buf=%p len=%zu t0=%llu t1=%llu ru_minflt=%ld\n", (void *)buf, pages * 4096,
	       (unsigned long long)t0, (unsigned long long)t1, b.ru_minflt - a.ru_minflt);
	fflush(stdout);
	sleep_ms(quiet);
	return 0;
}
