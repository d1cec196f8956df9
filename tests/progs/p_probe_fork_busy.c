/*
 * A parent thread writes a 64 MiB buffer over and over while the main
 * thread forks, and stops before the child exits: every fault it takes is a
 * copy (the buffer was touched before, so no write before the fork faults),
 * those between the fork and the parent's first snapshot included. The
 * thread counts its own minor faults (RUSAGE_THREAD) and prints
 * "truth copied_by_parent=N".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define NPAGES 16384

static volatile char *buf;
static volatile int stop;
static long faults;

static long thread_minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

static void *writer(void *arg)
{
	long before = thread_minflt();
	(void)arg;
	for (unsigned i = 0; !stop; i = (i + 1) % NPAGES)
		buf[(size_t)i * PAGE]++;
	faults = thread_minflt() - before;
	return NULL;
}

int main(void)
{
	pthread_t t;
	pid_t pid;
	int go[2];
	char c = 0;
	if (pipe(go) || !(buf = malloc((size_t)NPAGES * PAGE)))
		return 1;
	memset((void *)buf, 1, (size_t)NPAGES * PAGE);
	if (pthread_create(&t, NULL, writer, NULL))
		return 1;
	usleep(20000);
	pid = fork();
	if (pid == 0)
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	if (pid < 0)
		return 1;
	usleep(30000);
	stop = 1;
	pthread_join(t, NULL);
	/* The child lives on for a few ticks: the kernel moves pages while
	 * both map them (compaction), and only a tick while they are still
	 * shared tells such a move from a copy (doc/report-json.md). */
	usleep(300000);
	if (write(go[1], &c, 1) != 1 || waitpid(pid, NULL, 0) != pid)
		return 1;
	printf("truth copied_by_parent=%ld\n", faults);
	return 0;
}
