/*
 * Stress: signal handlers that allocate. A worker thread maps, touches and
 * unmaps memory in a loop (hooked calls the shim records) and allocates with
 * the signal blocked; the main thread queues SIGNALS real-time signals at it
 * and the handler mallocs, callocs, reallocs and frees. Queued signals are
 * never merged, so the counts it prints are exact and deterministic.
 *   p_stress_signals SIGNALS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, handler_allocs, stop;
static long loop_allocs;

static void handler(int sig)
{
	char *p = malloc(64 + (size_t)handled % 4000);
	char *q = calloc(3, 100);
	(void)sig;
	if (!p || !q)
		abort();
	memset(p, 0x5a, 64);
	p = realloc(p, 8192);
	if (!p || p[63] != 0x5a || q[299] != 0)
		abort();
	free(p);
	free(q);
	handler_allocs += 3;
	handled++;
}

static void *victim(void *arg)
{
	sigset_t set;
	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	while (!stop) {
		char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			abort();
		m[0] = 1;
		m[65535] = 1;
		madvise(m, 65536, MADV_DONTNEED);
		munmap(m, 65536);
		/* malloc is not async-signal-safe: keep the handler out of it. */
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		free(malloc(100));
		loop_allocs++;
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	pthread_t t;
	long n = argc > 1 ? atol(argv[1]) : 2000;
	union sigval v = { 0 };
	struct timespec pause = { 0, 20000 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL) != 0 || pthread_create(&t, NULL, victim, NULL) != 0)
		return 1;
	for (long i = 0; i < n; i++) {
		while (pthread_sigqueue(t, SIGRTMIN, v) != 0)
			nanosleep(&pause, NULL);
		if (i % 16 == 0)
			nanosleep(&pause, NULL);
	}
	for (int w = 0; w < 10000 && handled < n; w++)
		nanosleep(&pause, NULL);
	stop = 1;
	pthread_join(t, NULL);
	printf("signals %ld handled %ld handler_allocs %ld\n", n, (long)handled, (long)handler_allocs);
	fprintf(stderr, "loop_allocs %ld\n", loop_allocs);
	return handled == n ? 0 : 1;
}
