/* clone() both ways, and threads that exit before the process:
 *   - 8 pthreads each allocate 10 blocks of 100 KiB and exit;
 *   - a raw clone(CLONE_VM|CLONE_THREAD|CLONE_SIGHAND|CLONE_SYSVSEM) thread
 *     on its own stack that touches shared memory and leaves by SYS_exit
 *     (no libc call in it: it has no TLS of its own);
 *   - clone(SIGCHLD) without CLONE_VM: a child process that allocates 10
 *     blocks and returns 7 from its function.
 * Prints what each part saw. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int raw_done;
/* Where each block goes before it is freed, so the compiler keeps it. */
static void *volatile sink;

static void *thread_main(void *arg)
{
	for (int i = 0; i < 10; i++) {
		char *p = malloc(100 * 1024);
		memset(p, (int)(long)arg, 100 * 1024);
		sink = p;
		free(sink);
	}
	return NULL;
}

static int raw_thread(void *arg)
{
	volatile int *flag = arg;
	*flag = 1;
	__atomic_store_n(&raw_done, 1, __ATOMIC_RELEASE);
	syscall(SYS_exit, 0);
	return 0;
}

static int child_process(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		char *p = malloc(100 * 1024);
		memset(p, i, 100 * 1024);
		sink = p;
		free(sink);
	}
	return 7;
}

int main(void)
{
	pthread_t th[8];
	static char stack1[256 * 1024] __attribute__((aligned(16)));
	static char stack2[256 * 1024] __attribute__((aligned(16)));
	int flag = 0, st;
	pid_t pid;

	for (long i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)i);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	printf("8 threads joined\n");

	if (clone(raw_thread, stack1 + sizeof(stack1),
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
		  &flag) < 0)
		return 1;
	while (!__atomic_load_n(&raw_done, __ATOMIC_ACQUIRE))
		usleep(1000);
	usleep(10000);
	printf("raw clone thread set flag=%d\n", flag);

	pid = clone(child_process, stack2 + sizeof(stack2), SIGCHLD, NULL);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	printf("clone child exited with %d\n", WEXITSTATUS(st));
	return 0;
}
