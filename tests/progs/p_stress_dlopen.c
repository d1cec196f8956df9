/*
 * Stress: dlopen/dlclose of a library that allocates in its constructor, in
 * its functions and in its destructor, ROUNDS times, from two threads.
 *   p_stress_dlopen LIBRARY ROUNDS
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const char *lib;
static long rounds;

static void *loop(void *arg)
{
	long sum = 0;
	(void)arg;
	for (long r = 0; r < rounds; r++) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		long (*work)(long);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			exit(1);
		}
		work = (long (*)(long))dlsym(h, "lib_work");
		if (!work)
			exit(1);
		sum += work(r);
		if (dlclose(h) != 0)
			exit(1);
	}
	return (void *)sum;
}

int main(int argc, char **argv)
{
	pthread_t t;
	void *a, *b;
	if (argc != 3)
		return 2;
	lib = argv[1];
	rounds = atol(argv[2]);
	pthread_create(&t, NULL, loop, NULL);
	a = loop(NULL);
	pthread_join(t, &b);
	printf("rounds %ld sum %ld %ld\n", rounds, (long)a, (long)b);
	return 0;
}
