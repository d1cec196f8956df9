/* A thread stalls while the shim holds the trace writer's lock on its
 * behalf, in a signal handler of the program's: the exec hook writes the
 * exec line (argv included) under the lock, and argv[1] lies in a page the
 * program made unreadable. The shim's read of it faults; the program's
 * SIGSEGV handler (a lazy-mapping handler, as a GC or a snapshot loader
 * has) takes STALL_MS to make the page readable, then returns. Meanwhile a
 * worker allocates without pause, reaps a child (the shim's wait hook takes
 * the writer's lock) and prints what it computed.
 *
 * Natively the kernel refuses the unreadable argv (EFAULT) and the handler
 * never runs: the output is the same either way. The exec is of a path
 * that does not exist: the program goes on. If the handler ran and the
 * worker had not finished by the end of the stall (STALL_MS, far more than
 * its calls take), it was held up: the program says so and exits 1. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STALL_MS 2000
#define CALLS 400000

static char *page;
static long page_size;
static int go, worker_done, stall_seen, worker_waited;
static char *volatile sink;

static void lazy_map(int sig, siginfo_t *si, void *uc)
{
	struct timespec ts = {STALL_MS / 1000, (STALL_MS % 1000) * 1000000L};
	(void)uc;
	if ((char *)si->si_addr < page || (char *)si->si_addr >= page + page_size) {
		signal(sig, SIG_DFL); /* a real fault: die of it */
		return;
	}
	nanosleep(&ts, NULL);
	/* The worker had all that time: was it held up by the shim? */
	stall_seen = 1;
	worker_waited = !__atomic_load_n(&worker_done, __ATOMIC_ACQUIRE);
	mprotect(page, (size_t)page_size, PROT_READ | PROT_WRITE);
}

static void *worker(void *arg)
{
	const struct timespec settle = {0, 100 * 1000000L};
	unsigned long sum = 0;
	pid_t child;
	(void)arg;
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	/* main is in its exec by now (traced: stalled in the handler) */
	nanosleep(&settle, NULL);
	child = fork();
	if (child == 0)
		_exit(0);
	for (unsigned i = 0; i < CALLS; i++) {
		char *p = malloc(16 + i % 512);
		p[0] = (char)i;
		sum += (unsigned char)p[0];
		sink = p;
		free(sink);
	}
	/* The wait hook writes its line under the writer's lock: this
	 * thread needs the lock, whatever the shim records per call. */
	if (child > 0)
		waitpid(child, NULL, 0);
	__atomic_store_n(&worker_done, 1, __ATOMIC_RELEASE);
	return (void *)sum;
}

int main(void)
{
	struct sigaction sa;
	pthread_t th;
	void *sum;
	char *argv[3];
	int r;

	page_size = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (page == MAP_FAILED)
		return 2;
	strcpy(page, "lazily-mapped-argument");
	mprotect(page, (size_t)page_size, PROT_NONE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = lazy_map;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);

	pthread_create(&th, NULL, worker, NULL);
	argv[0] = "/nonexistent/faultline-test";
	argv[1] = page;
	argv[2] = NULL;
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	r = execv(argv[0], argv);
	pthread_join(th, &sum);
	printf("exec returned %d; worker: %d calls, sum %lu\n", r, CALLS, (unsigned long)sum);
	if (stall_seen && worker_waited) {
		fprintf(stderr, "p_proc_writer_stall: the worker waited for the stalled thread\n");
		return 1;
	}
	return 0;
}
