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
	int p2c[2], c2p[2], st;
	char c;

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
	if (pipe(p2c) != 0 || pipe(c2p) != 0) {
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
		/* The writer writes, then tells the other side; both stay alive a few
		 * ticks after that, so every write copies and residency sees it. */
		if (read(p2c[0], &c, 1) != 1)
			_exit(1);
		if (child_writes) {
			write_pages(p, nwrite, 7);
			if (write(c2p[1], "d", 1) != 1)
				_exit(1);
		} else if (read(p2c[0], &c, 1) != 1) {
			_exit(1);
		}
		nap_ms(300);
		_exit(0);
	}
	if (!strcmp(who, "exec")) {
		waitpid(pid, &st, 0);
		nap_ms(250);
		printf("truth pages=%zu writer=exec written_pages=0 child_pid=%d\n", pages, (int)pid);
		return 0;
	}
	nap_ms(150); /* the fork snapshots are taken in both */
	if (write(p2c[1], "g", 1) != 1)
		return 1;
	if (!child_writes) {
		write_pages(p, nwrite, 9);
		if (write(p2c[1], "d", 1) != 1)
			return 1;
	} else if (read(c2p[0], &c, 1) != 1) {
		return 1;
	}
	nap_ms(300);
	waitpid(pid, &st, 0);
	printf("truth pages=%zu writer=%s written_pages=%zu child_pid=%d\n", pages,
	       child_writes ? "child" : "parent", nwrite, (int)pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
