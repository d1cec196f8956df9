/*
 * Mallocs PAGES pages (a block glibc maps for itself), writes each and
 * forks. The child writes the first quarter; the parent then writes the
 * second half, still shared (the child waits), lets the child exit, frees
 * the block (glibc's own munmap, inside free(), which no munmap hook sees)
 * or shrinks it to 16 pages (glibc's own mremap, inside realloc()), and
 * exits. Prints the block and the pages each side copied.
 *
 *   p_cow_freed PAGES [free|shrink]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t pages;
	char *buf, c = 0;
	int go[2], done[2], st;
	pid_t pid;
	if (argc < 2 || argc > 3 || pipe(go) || pipe(done))
		return 2;
	pages = strtoul(argv[1], NULL, 0);
	buf = malloc(pages * 4096);
	if (!buf)
		return 1;
	for (size_t i = 0; i < pages; i++)
		buf[i * 4096] = 1;
	printf("truth buf=%p pages=%zu child_copied=%zu parent_copied=%zu\n", (void *)buf, pages,
	       pages / 4, pages - pages / 2);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (size_t i = 0; i < pages / 4; i++)
			buf[i * 4096] = 2;
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(done[0], &c, 1) != 1)
		return 1;
	for (size_t i = pages / 2; i < pages; i++)
		buf[i * 4096] = 3;
	if (write(go[1], &c, 1) != 1)
		return 1;
	waitpid(pid, &st, 0);
	if (argc == 3 && !strcmp(argv[2], "shrink")) {
		char *small = realloc(buf, 16 * 4096);
		if (!small)
			return 1;
		buf = small;
	}
	free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
