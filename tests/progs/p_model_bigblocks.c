/*
 * Mallocs CHUNKS blocks of CHUNK_MIB MiB each, touches PERMILLE / 1000 of
 * every block's pages (spread over the block), pauses PAUSE_MS after each
 * block (so that ticks fall while the blocks' VMAs grow), holds them all for
 * HOLD_MS so that the sampler sees them, and prints its own truth: each block's
 * address, and RssAnon from /proc/self/status while they are all live.
 *
 *   p_model_bigblocks CHUNKS CHUNK_MIB PERMILLE PAUSE_MS HOLD_MS
 *
 * glibc serves such blocks with one mmap each; adjacent mmaps merge into
 * one VMA, which is what the address-space timeline has to follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long rss_anon_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr,
			"usage: p_model_bigblocks CHUNKS CHUNK_MIB PERMILLE PAUSE_MS HOLD_MS\n");
		return 2;
	}
	size_t chunks = strtoul(argv[1], NULL, 0), size = strtoull(argv[2], NULL, 0) << 20;
	size_t permille = strtoul(argv[3], NULL, 0), pages = size / 4096;
	long pause = strtol(argv[4], NULL, 0), hold = strtol(argv[5], NULL, 0);
	struct timespec gap = {pause / 1000, (pause % 1000) * 1000000L};
	size_t touch = pages * permille / 1000, stride = touch ? pages / touch : 1;
	char **blocks = calloc(chunks, sizeof(*blocks));
	for (size_t i = 0; i < chunks; i++) {
		blocks[i] = malloc(size);
		if (!blocks[i]) {
			fprintf(stderr, "malloc %zu failed\n", size);
			return 1;
		}
		for (size_t k = 0; k < touch; k++)
			blocks[i][k * stride * 4096] = 1;
		printf("block %p %zu\n", (void *)blocks[i], size);
		nanosleep(&gap, NULL);
	}
	struct timespec ts = {hold / 1000, (hold % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	printf("rss_anon_kb %ld\n", rss_anon_kb());
	fflush(stdout);
	nanosleep(&ts, NULL);
	for (size_t i = 0; i < chunks; i++)
		free(blocks[i]);
	free(blocks);
	return 0;
}
