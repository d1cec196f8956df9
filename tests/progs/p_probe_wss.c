/*
 * Writes the same K distinct pages of a guarded buffer in each of W bursts,
 * one burst in the middle of every other tick interval, so that each burst
 * falls inside one sampler window. Prints the buffer and K, W.
 *
 *   p_probe_wss K W INTERVAL_MS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	size_t k, w;
	long iv;
	char *buf;
	if (argc != 4)
		return 2;
	k = strtoul(argv[1], NULL, 0);
	w = strtoul(argv[2], NULL, 0);
	iv = strtol(argv[3], NULL, 0);
	buf = mmap(NULL, (2 * k + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	buf += 4096;
	mprotect(buf, 2 * k * 4096, PROT_READ | PROT_WRITE);
	madvise(buf, 2 * k * 4096, MADV_NOHUGEPAGE);
	printf("buf=%p end=%p k=%zu w=%zu\n", (void *)buf, (void *)(buf + 2 * k * 4096), k, w);
	fflush(stdout);
	sleep_ms(iv * 5 / 2);
	for (size_t r = 0; r < w; r++) {
		/* every other page: K distinct pages, never adjacent */
		for (size_t i = 0; i < k; i++)
			buf[2 * i * 4096] = (char)r;
		sleep_ms(iv * 2);
	}
	return 0;
}
