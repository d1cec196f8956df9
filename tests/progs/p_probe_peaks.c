/*
 * A short program with one peak: mallocs MIB MiB in blocks of BLOCK_KIB
 * KiB, touches every page, frees it all and exits (tens of milliseconds),
 * then prints its own truth: the live bytes it held at once (usable sizes)
 * and the kernel's high-water marks VmHWM and VmPeak, read last.
 *
 *   p_probe_peaks MIB BLOCK_KIB
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long status_kb(const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atoll(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	size_t block = (argc > 2 ? strtoul(argv[2], NULL, 0) : 1024) << 10;
	size_t n = (mib << 20) / block, live = 0;
	char **blocks = calloc(n, sizeof(*blocks));
	if (!blocks)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (!(blocks[i] = malloc(block)))
			return 1;
		memset(blocks[i], 1, block);
		live += malloc_usable_size(blocks[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	printf("live=%zu hwm=%lld vmpeak=%lld\n", live, status_kb("VmHWM") * 1024,
	       status_kb("VmPeak") * 1024);
	return 0;
}
