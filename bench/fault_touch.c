/*
 * fault_touch: maps MIB MiB of fresh anonymous memory and writes one byte
 * per 4 KiB page (every write is a demand-zero minor fault), then prints
 * the time the touching took (wall, and CPU time of the touching thread:
 * less disturbed by other load on the machine), and how long the thread
 * waited for a CPU meanwhile (run-queue time from /proc/thread-self/schedstat,
 * -1 where the kernel has no schedstat): wall minus CPU minus that wait is
 * time the thread was blocked. The page-fault benchmark's workload.
 *
 *   fault_touch [MIB]      default 2048
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

/* The thread's run-queue wait so far in ns (schedstat's second field), or -1. */
static long long run_wait_ns(void)
{
	long long cpu, wait = -1;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld %lld", &cpu, &wait) != 2)
		wait = -1;
	fclose(f);
	return wait;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 2048, len = mib << 20;
	struct timespec a, b, ca, cb;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("fault_touch: mmap");
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	long long wait0 = run_wait_ns();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
	long long wait1 = run_wait_ns();
	printf("pages=%zu touch_ns=%lld touch_cpu_ns=%lld touch_wait_ns=%lld\n", len / 4096,
	       (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec),
	       (long long)(cb.tv_sec - ca.tv_sec) * 1000000000LL + (cb.tv_nsec - ca.tv_nsec),
	       wait0 >= 0 && wait1 >= 0 ? wait1 - wait0 : -1);
	return 0;
}
