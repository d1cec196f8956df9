/*
 * p_heap_signal SECONDS: a SIGALRM storm (every 50 us) whose handler
 * allocates and frees, while the main thread allocates, frees and maps in
 * a loop. Natively safe: the main loop's sizes always hit glibc's per-thread
 * cache (no arena lock) and the handler uses another size class, so any
 * hang or crash is the shim's. Between marker mmaps of 1001 and 1002 pages;
 * prints {"calls":{"malloc":N,"free":N},"handler":N} (main's and the
 * handler's calls together).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t handled;
static volatile sig_atomic_t stop;

static void marker(int n)
{
	size_t len = (size_t)(1000 + n) * 4096;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	munmap(p, len);
}

static void on_alarm(int sig)
{
	char *p = malloc(600);
	(void)sig;
	if (!p)
		abort();
	p[0] = 1;
	free(p);
	handled++;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct sigaction sa;
	struct itimerval it = { { 0, 50 }, { 0, 50 } }, off = { { 0, 0 }, { 0, 0 } };
	struct timespec a, b;
	unsigned long mallocs = 0, frees = 0, handler_calls;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	marker(1);
	pause_ms(150);
	marker(2);
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 1000; i++) {
			char *p = malloc(40);
			p[0] = (char)i;
			free(p);
			mallocs++;
			frees++;
		}
		{
			void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			munmap(m, 4096);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < secs);
	setitimer(ITIMER_REAL, &off, NULL);
	handler_calls = (unsigned long)handled;
	marker(3);
	pause_ms(150);
	marker(4);
	printf("{\"calls\":{\"malloc\":%lu,\"free\":%lu},\"handler\":%lu}\n", mallocs + handler_calls,
	       frees + handler_calls, handler_calls);
	return 0;
}
