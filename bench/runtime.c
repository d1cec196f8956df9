/*
 * runtime OUT CMD [ARGS...]: runs CMD (stdin, stdout and stderr as given),
 * waits for it and writes "wall_ns cpu_ns status maxrss_kib" to the file
 * OUT: the wall time from just before the fork to the wait's return, the
 * user+system CPU time of CMD and every descendant it waited for (wait4's
 * rusage, which the kernel keeps in ns: the shell's `times` and time(1)
 * round to 10 ms, 5 % of a short benchmark run), and the largest peak
 * resident set among them. The benchmark scripts' timer.
 *
 * RUNTIME_HOLD_PERF=1: before the clock starts, opens a disabled per-task
 * software event on itself and holds it until the wait returns. The first
 * such event on a machine where none was open for a second waits for an
 * RCU grace period (perf switches its scheduler hooks on: doc/kernel.md
 * §1); held here, it is paid outside the timed run, so that the run shows
 * the tool's own cost without that one-time kernel wait.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t)
{
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A disabled page-fault counter on this process (close-on-exec), or -1. */
static int hold_perf(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status = 0;
	pid_t pid;
	FILE *out;
	const char *hold = getenv("RUNTIME_HOLD_PERF");
	if (argc < 3) {
		fprintf(stderr, "usage: runtime OUT CMD [ARGS...]\n");
		return 2;
	}
	if (hold && strcmp(hold, "1") == 0 && hold_perf() < 0)
		perror("runtime: perf_event_open (RUNTIME_HOLD_PERF)");
	unsetenv("RUNTIME_HOLD_PERF");
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		perror("runtime: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("runtime: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("runtime: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	out = fopen(argv[1], "w");
	if (!out) {
		perror("runtime: open");
		return 1;
	}
	fprintf(out, "%lld %lld %d %ld\n", ns(b) - ns(a),
		(long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		    (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL,
		status, ru.ru_maxrss);
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
