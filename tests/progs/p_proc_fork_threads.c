/* T threads (default 4) allocate and free without pause while the main
 * thread forks N children (default 20), one at a time; each child
 * allocates blocks large enough to be recorded with a stack, then exits
 * with status i % 3. A child that inherits a lock another thread held at
 * the fork (the unwinder's, the loader's) hangs in its first allocation. */
#include <alloca.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;
/* Keeps the compiler from eliding a malloc/free pair. */
static __thread char *volatile sink;

/* A block large enough to be recorded, from a stack at a new depth each
 * time: the shim's stack cache misses and every one is unwound. */
static __attribute__((noinline)) void alloc_at_depth(unsigned pad)
{
	volatile char *room = alloca(16 + pad);
	char *p = malloc(70000 + pad);
	room[0] = 1;
	p[0] = room[0];
	sink = p;
	free(sink);
}

static void *churn(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg;
	while (!stop) {
		char *p = malloc(16 + (size_t)(rand_r(&seed) % 2000));
		p[0] = 1;
		sink = p;
		free(sink);
		alloc_at_depth((unsigned)rand_r(&seed) % 4096);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 4;
	int n = argc > 2 ? atoi(argv[2]) : 20;
	pthread_t th[64];
	long sum = 0, expect = 0;

	if (nthreads > 64)
		nthreads = 64;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, churn, (void *)(size_t)(i + 1));
	for (int i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			for (int k = 0; k < 50; k++) {
				char *p = malloc(200000);
				memset(p, k, 4096);
				sink = p;
				free(sink);
			}
			_exit(i % 3);
		}
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		sum += WEXITSTATUS(st);
		expect += i % 3;
	}
	stop = 1;
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	printf("%d children, status sum %ld (expected %ld)\n", n, sum, expect);
	return sum == expect ? 0 : 1;
}
