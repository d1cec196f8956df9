/*
 * proc_storm N MIB: a many-process workload for the analyzer benchmark
 * (bench/b_procs.sh). The parent writes MIB MiB of heap, then forks N
 * children one at a time; each child writes every 4th page of that memory
 * (copy-on-write faults on pages its parent faulted in), makes 2000 small
 * heap calls and exits, while the parent writes a stripe of its own pages
 * between forks. No file I/O beyond start-up: a trace of it costs the io
 * section only what the per-process work costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static void child(char *mem, size_t bytes)
{
	for (size_t o = 0; o < bytes; o += 4 * PAGE)
		mem[o] = 2;
	for (int k = 0; k < 2000; k++)
		free(malloc(100 + (size_t)k));
	_exit(0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 256) << 20;
	char *mem = malloc(bytes);
	if (!mem || n < 0) {
		fprintf(stderr, "usage: proc_storm [N [MIB]]\n");
		return 2;
	}
	memset(mem, 1, bytes);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			child(mem, bytes);
		for (size_t o = (size_t)i * PAGE; o < bytes; o += 64 * PAGE)
			mem[o] = 3;
		if (waitpid(pid, NULL, 0) != pid) {
			perror("waitpid");
			return 1;
		}
	}
	free(mem);
	return 0;
}
