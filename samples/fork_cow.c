/*
 * fork_cow: copy-on-write after fork. The parent writes MIB of private
 * anonymous memory, forks, and then one side (the child or the parent) writes
 * a given fraction of those pages. Until a side writes a page, parent and
 * child share its frame read-only; the first write takes a minor fault in
 * which the kernel copies the page (COW). Both processes stay alive a few
 * sampler ticks so residency snapshots see the sharing decay.
 *
 *   fork_cow [MIB [PERCENT [child|parent|exec]]]   default 256 MiB, 25 %, child
 *
 * "exec" forks and has the child exec /bin/true at once: the fork's
 * page-table copy is wasted work, the case for posix_spawn or vfork.
 * Prints "truth pages=N writer=child|parent written_pages=M".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

__attribute__((noinline)) static void write_pages(char *p, size_t pages, int val)
{
	for (size_t i = 0; i < pages; i++)
		p[i * 4096] = (char)(val + i);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	double pct = argc > 2 ? atof(argv[2]) : 25.0;
	const char *who = argc > 3 ? argv[3] : "child";
	size_t pages = (mib << 20) / 4096;
	size_t nwrite = (size_t)((double)pages * pct / 100.0);
	int child_writes = !strcmp(who, "child");
	int fds[2];

	char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED) {
		perror("fork_cow: mmap");
		return 1;
	}
	/* no THP: one COW copy per 4 KiB page, as the truth below assumes */
	madvise(p, pages * 4096, MADV_NOHUGEPAGE);
	write_pages(p, pages, 1);
	nap_ms(150);
	if (pipe(fds) != 0) {
		perror("fork_cow: pipe");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork_cow: fork");
		return 1;
	}
	if (pid == 0 && !strcmp(who, "exec")) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid == 0) {
		char c;
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1) /* wait until the parent is ready */
			_exit(1);
		nap_ms(150);
		if (child_writes)
			write_pages(p, nwrite, 7);
		nap_ms(400);
		_exit(0);
	}
	close(fds[0]);
	if (write(fds[1], "g", 1) != 1)
		return 1;
	if (!strcmp(who, "exec")) {
		int st;
		waitpid(pid, &st, 0);
		nap_ms(250);
		printf("truth pages=%zu writer=exec written_pages=0\n", pages);
		return 0;
	}
	nap_ms(150);
	if (!child_writes)
		write_pages(p, nwrite, 9);
	nap_ms(400);
	int st;
	waitpid(pid, &st, 0);
	printf("truth pages=%zu writer=%s written_pages=%zu child_pid=%d\n", pages,
	       child_writes ? "child" : "parent", nwrite, (int)pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
