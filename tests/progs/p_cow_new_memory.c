/*
 * A forked child that touches new memory as well as copying old: the
 * parent mallocs and writes OLD pages, writes a scratch mapping of NEW
 * pages and unmaps it, forks; the child mallocs NEW pages (a fresh mapping,
 * mapped after the fork: the kernel places it where the scratch was, so
 * the parent's old samples lie on its pages), writes each of them,
 * then writes every fourth page of the old buffer (a copy-on-write each),
 * waits and exits. Prints both buffers, the child's pid and how many old
 * pages the child wrote.
 *
 *   p_cow_new_memory OLD_PAGES NEW_PAGES WAIT_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	size_t old_pages, new_pages, copied = 0;
	long wait_ms;
	char *old, *fresh, *scratch;
	pid_t pid;
	int st;
	if (argc != 4)
		return 2;
	old_pages = strtoul(argv[1], NULL, 0);
	new_pages = strtoul(argv[2], NULL, 0);
	wait_ms = strtol(argv[3], NULL, 0);
	old = malloc(old_pages * PAGE);
	if (!old)
		return 1;
	for (size_t i = 0; i < old_pages; i++)
		old[i * PAGE] = 1;
	/* twice what malloc will ask for: its mapping fits in the hole with room to spare */
	scratch = mmap(NULL, (2 * new_pages + 64) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < 2 * new_pages + 64; i++)
		scratch[i * PAGE] = 1;
	munmap(scratch, (2 * new_pages + 64) * PAGE);
	printf("scratch=%p ", (void *)scratch);
	printf("old=%p old_end=%p old_pages=%zu\n", (void *)old, (void *)(old + old_pages * PAGE),
	       old_pages);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		sleep_ms(wait_ms);
		fresh = malloc(new_pages * PAGE);
		if (!fresh)
			_exit(1);
		for (size_t i = 0; i < new_pages; i++)
			fresh[i * PAGE] = 2;
		for (size_t i = 0; i < old_pages; i += 4, copied++)
			old[i * PAGE] = 2;
		printf("new=%p new_end=%p new_pages=%zu copied=%zu\n", (void *)fresh,
		       (void *)(fresh + new_pages * PAGE), new_pages, copied);
		fflush(stdout);
		sleep_ms(wait_ms);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child=%d\n", (int)pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
