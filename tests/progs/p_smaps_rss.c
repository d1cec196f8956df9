/*
 * Sums the Rss of its own mappings whose path holds one of the NAMEs, from
 * /proc/self/smaps just before it exits. Prints "truth rss=BYTES".
 *
 *   p_smaps_rss NAME...
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[4096];
	int match = 0;
	unsigned long long kb, lo, hi, sum = 0;
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			sum += match ? kb : 0;
			continue;
		}
		/* a mapping's first line: "start-end perms offset dev inode path" */
		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2) {
			char *path = strchr(line, '/');
			match = 0;
			for (int i = 1; path && i < argc; i++)
				match |= strstr(path, argv[i]) != NULL;
		}
	}
	fclose(f);
	printf("truth rss=%llu\n", sum * 1024);
	return 0;
}
