/*
 * Allocations made inside libc for the program: fopen's FILE (allocated by a
 * function internal to libc, named only in libc's debug file) and the
 * buffer of its first read.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	char line[256];
	FILE *f = fopen(argc > 1 ? argv[1] : "/proc/self/status", "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f))
		;
	return fclose(f) != 0;
}
