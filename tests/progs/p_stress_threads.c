/*
 * Stress: N threads allocate and free random sizes (malloc, calloc, realloc,
 * posix_memalign) while another thread forks and execs. Every block carries
 * a pattern that is checked before it is freed, so a shim that hands out or
 * corrupts memory is caught. The counts it prints are deterministic (seeded
 * per thread) and are what the program itself called.
 *   p_stress_threads THREADS ITERS FORKS     |  p_stress_threads child
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 64

struct counts {
	uint64_t malloc, calloc, realloc, memalign, free, bytes;
};

static struct counts total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static long iters, forks;
static const char *self;
static volatile int workers_done;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t pick_size(uint64_t *s)
{
	uint64_t r = next(s) % 1000;
	if (r < 900)
		return 1 + next(s) % 512;
	if (r < 990)
		return 512 + next(s) % (64 << 10);
	return (64 << 10) + next(s) % (1 << 20);
}

static void fill(unsigned char *p, size_t n, unsigned char tag)
{
	size_t step = n > 256 ? 97 : 1;
	for (size_t i = 0; i < n; i += step)
		p[i] = tag;
	p[n - 1] = tag;
}

static void check(const unsigned char *p, size_t n, unsigned char tag)
{
	size_t step = n > 256 ? 97 : 1;
	for (size_t i = 0; i < n; i += step)
		if (p[i] != tag) {
			fprintf(stderr, "p_stress_threads: block %p corrupted at %zu\n", (void *)p, i);
			abort();
		}
	if (p[n - 1] != tag)
		abort();
}

static void *worker(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);
	unsigned char *slot[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	struct counts c = { 0 };

	for (long i = 0; i < iters; i++) {
		unsigned k = next(&seed) % SLOTS;
		unsigned char tag = (unsigned char)(k + 1);
		size_t n = pick_size(&seed);
		if (slot[k] && next(&seed) % 4 == 0) {
			check(slot[k], len[k], tag);
			slot[k] = realloc(slot[k], n);
			c.realloc++;
			c.bytes += n;
		} else if (slot[k]) {
			check(slot[k], len[k], tag);
			free(slot[k]);
			c.free++;
			slot[k] = NULL;
			continue;
		} else {
			switch (next(&seed) % 3) {
			case 0:
				slot[k] = calloc(1, n);
				c.calloc++;
				if (slot[k] && slot[k][n - 1] != 0)
					abort();
				break;
			case 1: {
				void *p = NULL;
				if (posix_memalign(&p, 64, n) == 0 && ((uintptr_t)p & 63))
					abort();
				slot[k] = p;
				c.memalign++;
				break;
			}
			default:
				slot[k] = malloc(n);
				c.malloc++;
			}
			c.bytes += n;
		}
		if (!slot[k])
			abort();
		len[k] = n;
		fill(slot[k], n, tag);
	}
	for (unsigned k = 0; k < SLOTS; k++)
		if (slot[k]) {
			check(slot[k], len[k], (unsigned char)(k + 1));
			free(slot[k]);
			c.free++;
		}
	pthread_mutex_lock(&total_lock);
	total.malloc += c.malloc;
	total.calloc += c.calloc;
	total.realloc += c.realloc;
	total.memalign += c.memalign;
	total.free += c.free;
	total.bytes += c.bytes;
	pthread_mutex_unlock(&total_lock);
	return NULL;
}

/* fork+exec of /bin/true, of ourselves, and a fork that only allocates. */
static void *forker(void *arg)
{
	long ok = 0;
	(void)arg;
	for (long i = 0; i < forks; i++) {
		pid_t pid = fork();
		int st;
		if (pid < 0)
			abort();
		if (pid == 0) {
			if (i % 3 == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(126);
			} else if (i % 3 == 1) {
				execl(self, self, "child", (char *)NULL);
				_exit(126);
			}
			char *p = malloc(1000);
			memset(p, 1, 1000);
			free(p);
			_exit(9);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			abort();
		ok += WEXITSTATUS(st) == (i % 3 == 0 ? 0 : i % 3 == 1 ? 7 : 9);
		usleep(2000);
	}
	printf("forks %ld ok %ld\n", forks, ok);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64], f;
	long n;

	self = argv[0];
	if (argc == 2 && strcmp(argv[1], "child") == 0) {
		void *p[100];
		for (int i = 0; i < 100; i++)
			p[i] = malloc((size_t)i * 10 + 1);
		for (int i = 0; i < 100; i++)
			free(p[i]);
		return 7;
	}
	if (argc != 4)
		return 2;
	n = atol(argv[1]);
	iters = atol(argv[2]);
	forks = atol(argv[3]);
	if (n < 1 || n > 64)
		return 2;
	if (pthread_create(&f, NULL, forker, NULL))
		return 1;
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 1;
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_join(f, NULL);
	printf("malloc %llu\ncalloc %llu\nrealloc %llu\nposix_memalign %llu\nfree %llu\nbytes %llu\n",
	       (unsigned long long)total.malloc, (unsigned long long)total.calloc,
	       (unsigned long long)total.realloc, (unsigned long long)total.memalign,
	       (unsigned long long)total.free, (unsigned long long)total.bytes);
	return 0;
}
