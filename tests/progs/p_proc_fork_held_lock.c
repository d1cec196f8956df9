/* A fork while another thread sits inside a lock the unwinder needs, every
 * time, not by chance: the child's first backtrace would wait for a holder
 * that does not exist in the child.
 *
 *   p_proc_fork_held_lock loader [quiet]
 *	a thread is inside dl_iterate_phdr (in its callback: the loader's
 *	lock is held) when main forks. With "quiet" that thread made no
 *	traced call (no allocation) before.
 *   p_proc_fork_held_lock alone
 *	no other thread: the child's stacks may be walked in full.
 *   p_proc_fork_held_lock unwinder
 *	as above, and a second thread is inside libunwind (its global cache
 *	lock, taken with all signals blocked, is held while libunwind waits
 *	in dl_iterate_phdr for the first thread) when main forks.
 *
 * The child allocates blocks large enough to be recorded with a stack, and
 * small ones (--all records those too), then exits 0. The parent gives it
 * WAIT_SECONDS: a child still alive then is killed and reported as hung,
 * and the program exits 1. The holders are let go only after that. */
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SECONDS 5
#define HOLD_SECONDS 30 /* a holder lets go by itself after this: never forever */

static int in_callback, release, unwinder_go;
static pid_t unwinder_tid;
static char *volatile sink;

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* Holds the loader's lock until released (or HOLD_SECONDS). */
static int hold(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info;
	(void)size;
	(void)arg;
	__atomic_store_n(&in_callback, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < HOLD_SECONDS * 100 && !__atomic_load_n(&release, __ATOMIC_ACQUIRE); i++)
		pause_ms(10);
	return 1;
}

static void *loader_holder(void *arg)
{
	if (!arg) { /* not quiet: a traced call first */
		sink = malloc(100);
		free(sink);
	}
	dl_iterate_phdr(hold, NULL);
	return NULL;
}

/* Called once, from a stack no backtrace has seen: libunwind's cache misses
 * and it looks the caller up with dl_iterate_phdr, under its cache lock. */
static __attribute__((noinline)) void allocate_from_new_stack(void)
{
	sink = malloc(1 << 20);
	free(sink);
}

static void *unwinder(void *arg)
{
	(void)arg;
	__atomic_store_n(&unwinder_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	for (int i = 0; i < HOLD_SECONDS * 100 && !__atomic_load_n(&unwinder_go, __ATOMIC_ACQUIRE);
	     i++)
		pause_ms(10);
	allocate_from_new_stack();
	return NULL;
}

/* Whether thread tid sleeps in a futex wait (the syscall number first in
 * /proc/self/task/TID/syscall, 202 on x86-64). With raw syscalls and no
 * allocation: while the locks are held, anything in main that the shim
 * would unwind would wait for them too. */
static int in_futex_wait(pid_t tid)
{
	char path[64], buf[8] = "";
	long fd;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	fd = syscall(SYS_open, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (syscall(SYS_read, fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	syscall(SYS_close, fd);
	return strncmp(buf, "202 ", 4) == 0;
}

static int wait_until(int (*ready)(void), const char *what)
{
	for (int i = 0; i < WAIT_SECONDS * 100; i++) {
		if (ready())
			return 0;
		pause_ms(10);
	}
	fprintf(stderr, "p_proc_fork_held_lock: %s never happened\n", what);
	return -1;
}

static int holder_in_callback(void)
{
	return __atomic_load_n(&in_callback, __ATOMIC_ACQUIRE);
}

static int unwinder_waits(void)
{
	pid_t tid = __atomic_load_n(&unwinder_tid, __ATOMIC_ACQUIRE);
	/* twice, 20 ms apart: a passing futex call is not a wait */
	if (!tid || !in_futex_wait(tid))
		return 0;
	pause_ms(20);
	return in_futex_wait(tid);
}

static void child(void)
{
	for (int k = 0; k < 20; k++) {
		char *p = malloc(200000);
		memset(p, k, 4096);
		sink = p;
		free(sink);
		sink = malloc(32);
		free(sink);
	}
	/* Busy for three ticks of CPU time, then asleep for one: the shim
	 * ticks on this thread, and a tick that walked the loaded objects
	 * would wait for the loader's lock forever too. */
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		sink = malloc(64);
		free(sink);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 300000000L);
	pause_ms(150);
	_exit(0);
}

/* The child's status: 0 if it exited 0 within WAIT_SECONDS. */
static int reap(pid_t pid)
{
	int st;
	for (int i = 0; i < WAIT_SECONDS * 100; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
		pause_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "loader";
	int quiet = argc > 2 && strcmp(argv[2], "quiet") == 0;
	pthread_t holder, unw;
	struct timespec t0, t1;
	int with_unwinder = strcmp(mode, "unwinder") == 0, r;
	int alone = strcmp(mode, "alone") == 0;
	pid_t pid;

	/* Both threads exist before any lock is held: creating one maps
	 * its stack, which the shim records with a backtrace. */
	if (with_unwinder)
		pthread_create(&unw, NULL, unwinder, NULL);
	if (!alone)
		pthread_create(&holder, NULL, loader_holder, quiet ? (void *)1 : NULL);
	if (!alone && wait_until(holder_in_callback, "the loader's lock held") != 0)
		return 2;
	if (with_unwinder) {
		__atomic_store_n(&unwinder_go, 1, __ATOMIC_RELEASE);
		if (wait_until(unwinder_waits, "the unwinder waiting for the loader") != 0)
			return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0)
		child();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = reap(pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The parent's own wait: natively the child's ~0.5 s. A tick that
	 * waited for the loader's lock here slept until the holder gave up
	 * (HOLD_SECONDS). */
	if (r == 0 && t1.tv_sec - t0.tv_sec > WAIT_SECONDS)
		r = -3;
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	if (!alone)
		pthread_join(holder, NULL);
	if (with_unwinder)
		pthread_join(unw, NULL);
	/* stdio only now: its buffer is an allocation */
	printf(r == 0	 ? "child exited 0\n"
	       : r == -2 ? "child hung\n"
	       : r == -3 ? "parent stalled\n"
			 : "child failed\n");
	return r == 0 ? 0 : 1;
}
