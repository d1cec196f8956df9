/* Writes a steady stream of trace lines: every 10 ms for S seconds (default
 * 6), 100 blocks large enough to be recorded are allocated and freed. Prints
 * the number of blocks, so a run's output shows it ran to the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *volatile sink;

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 6;
	long blocks = 0;
	const struct timespec pause = {0, 10 * 1000000};
	for (int tick = 0; tick < seconds * 100; tick++) {
		for (int k = 0; k < 100; k++) {
			sink = malloc(70000 + (size_t)k);
			sink[0] = 1;
			free(sink);
			blocks++;
		}
		nanosleep(&pause, NULL);
	}
	printf("blocks %ld\n", blocks);
	return 0;
}
