/*
 * Writes PAGES pages of a guarded anonymous buffer, forks; the child waits,
 * writes the first quarter of the pages (a copy-on-write each), waits and
 * exits. Prints the buffer, the child's pid and its own count of pages the
 * child wrote.
 *
 *   p_probe_fork PAGES WAIT_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	size_t pages;
	long wait_ms;
	char *buf;
	pid_t pid;
	int st;
	if (argc != 3)
		return 2;
	pages = strtoul(argv[1], NULL, 0);
	wait_ms = strtol(argv[2], NULL, 0);
	buf = mmap(NULL, (pages + 2) * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	buf += 4096;
	mprotect(buf, pages * 4096, PROT_READ | PROT_WRITE);
	madvise(buf, pages * 4096, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		buf[i * 4096] = 1;
	printf("buf=%p end=%p pages=%zu quarter=%zu\n", (void *)buf, (void *)(buf + pages * 4096),
	       pages, pages / 4);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		sleep_ms(wait_ms);
		for (size_t i = 0; i < pages / 4; i++)
			buf[i * 4096] = 2;
		sleep_ms(wait_ms);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child=%d\n", (int)pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
