/*
 * A counter of heap calls preloaded in front of the shim (LD_PRELOAD=
 * front_counter.so:libfaultline.so): its malloc and free count every call
 * the program makes, from the first, and pass it on with dlsym(RTLD_NEXT);
 * at exit it writes "malloc N bytes N free N" to COUNTER_DIR/PID.count.
 * The oracle of the heap's exact call counts (t1026,
 * tests/real/heap-calls-counter.sh).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static unsigned long long nmalloc, bytes, nfree;
static void *(*next_malloc)(size_t);
static void (*next_free)(void *);
void *malloc(size_t size)
{
	if (!next_malloc)
		next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	__atomic_fetch_add(&nmalloc, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bytes, size, __ATOMIC_RELAXED);
	return next_malloc(size);
}
void free(void *p)
{
	if (!next_free)
		next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	__atomic_fetch_add(&nfree, 1, __ATOMIC_RELAXED);
	next_free(p);
}
__attribute__((destructor(101))) static void report(void)
{
	char b[160], path[64];
	int fd, n;
	snprintf(path, sizeof(path), "%s/%d.count", getenv("COUNTER_DIR"), getpid());
	n = snprintf(b, sizeof(b), "malloc %llu bytes %llu free %llu\n", nmalloc, bytes, nfree);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, b, (size_t)n) < 0)
		n = 0;
	close(fd);
}
