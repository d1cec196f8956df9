/*
 * Stress: allocation after main returns, from an atexit handler, an ELF
 * destructor and a thread-specific-data destructor; the ELF destructor also
 * leaks LEAK bytes on purpose. Each prints what it did with write(2).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEAK_BLOCKS 3
#define LEAK_SIZE 100000

static pthread_key_t key;
/* Blocks escape here, so that the compiler cannot drop a malloc/free pair. */
void *volatile fl_sink;

static void say(const char *what, long n)
{
	char buf[96];
	int len = snprintf(buf, sizeof(buf), "%s %ld\n", what, n);
	if (write(1, buf, (size_t)len) != len)
		_exit(3);
}

static long churn(int n)
{
	long sum = 0;
	for (int i = 0; i < n; i++) {
		char *p = malloc((size_t)(i % 7 == 0 ? 200000 : i % 1000 + 1));
		if (!p)
			abort();
		fl_sink = p;
		p[0] = (char)i;
		sum += p[0] != 0;
		free(p);
	}
	return n;
}

static void at_exit(void)
{
	say("atexit_malloc", churn(1000));
}

__attribute__((destructor)) static void dtor(void)
{
	say("destructor_malloc", churn(2000));
	for (int i = 0; i < LEAK_BLOCKS; i++)
		memset(malloc(LEAK_SIZE), 7, LEAK_SIZE);
	say("destructor_leaked", LEAK_BLOCKS * LEAK_SIZE);
}

static void tsd_free(void *p)
{
	free(p);
	fl_sink = malloc(123);
	free(fl_sink);
}

static void *thread(void *arg)
{
	(void)arg;
	pthread_setspecific(key, malloc(4096));
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_key_create(&key, tsd_free);
	pthread_create(&t, NULL, thread, NULL);
	pthread_join(t, NULL);
	atexit(at_exit);
	say("main_malloc", churn(500) + 2);
	return 0;
}
