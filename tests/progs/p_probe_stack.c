/*
 * Grows the main stack by about MIB MiB (touching each page on the way
 * down), then prints the [stack] VMA size it reads from /proc/self/maps
 * and waits so the sampler sees it.
 *
 *   p_probe_stack MIB WAIT_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long stack_size(void)
{
	char line[512];
	unsigned long a, b, size = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
			size = b - a;
	if (f)
		fclose(f);
	return size;
}

static int grow(size_t bytes)
{
	volatile char frame[64 * 1024];
	frame[0] = 1;
	for (size_t i = 0; i < sizeof(frame); i += 4096)
		frame[i] = 1;
	if (bytes > sizeof(frame))
		return grow(bytes - sizeof(frame)) + frame[0];
	return frame[0];
}

int main(int argc, char **argv)
{
	size_t mib;
	long ms;
	unsigned long before;
	struct timespec ts;
	if (argc != 3)
		return 2;
	mib = strtoul(argv[1], NULL, 0);
	ms = strtol(argv[2], NULL, 0);
	before = stack_size();
	grow(mib << 20);
	printf("before=%lu after=%lu\n", before, stack_size());
	fflush(stdout);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	return 0;
}
