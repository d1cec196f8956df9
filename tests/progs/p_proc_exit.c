/* One way out per argument: return N, exit N, _exit N, _Exit N,
 * exit_group N (raw syscall), abort, segv, bus, fpe, ill, kill9, term,
 * or "handled" (SIGSEGV with the program's own handler, which exits 3).
 * "children" forks one child per way and reports how each ended. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_segv(int sig)
{
	(void)sig;
	_exit(3);
}

static int way_out(const char *how, int n)
{
	char *p = malloc(300000);
	memset(p, 2, 300000);
	if (!strcmp(how, "return"))
		return n;
	if (!strcmp(how, "exit"))
		exit(n);
	if (!strcmp(how, "_exit"))
		_exit(n);
	if (!strcmp(how, "_Exit"))
		_Exit(n);
	if (!strcmp(how, "exit_group"))
		syscall(SYS_exit_group, n);
	if (!strcmp(how, "abort"))
		abort();
	if (!strcmp(how, "segv"))
		*(volatile int *)16 = 1;
	if (!strcmp(how, "bus")) {
		FILE *f = tmpfile();
		char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fileno(f), 0);
		return m[4096];
	}
	if (!strcmp(how, "fpe")) {
		int a = 1, z = 0;
		__asm__ volatile("cltd; idivl %1" : "+a"(a) : "r"(z) : "edx");
		return a;
	}
	if (!strcmp(how, "ill"))
		__builtin_trap();
	if (!strcmp(how, "kill9"))
		kill(getpid(), SIGKILL);
	if (!strcmp(how, "term"))
		kill(getpid(), SIGTERM);
	if (!strcmp(how, "handled")) {
		signal(SIGSEGV, on_segv);
		*(volatile int *)16 = 1;
	}
	return 100;
}

int main(int argc, char **argv)
{
	static const char *ways[] = { "exit", "_exit", "exit_group", "abort", "segv", "kill9",
				      "term", "handled" };
	if (argc > 1 && strcmp(argv[1], "children") != 0)
		return way_out(argv[1], argc > 2 ? atoi(argv[2]) : 0);
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		int st;
		pid_t pid = fork();
		if (pid == 0)
			return way_out(ways[i], 5);
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st))
			printf("%s: signal %d\n", ways[i], WTERMSIG(st));
		else
			printf("%s: status %d\n", ways[i], WEXITSTATUS(st));
	}
	return 0;
}
