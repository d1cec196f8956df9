/* Children that share the parent's memory until they exec: vfork+exec,
 * vfork+_exit, posix_spawn, posix_spawnp, system() and popen(); plus a
 * failed exec after which the program goes on. Each child prints a line. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void reap(pid_t pid, const char *what)
{
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: child failed\n", what);
		exit(1);
	}
}

int main(void)
{
	char *echo_vfork[] = { "echo", "vfork+exec", NULL };
	char *echo_spawn[] = { "echo", "posix_spawn", NULL };
	char *echo_spawnp[] = { "echo", "posix_spawnp", NULL };
	char *clean[] = { "A=1", NULL };
	char buf[64];
	volatile int shared = 0;
	pid_t pid;
	FILE *f;

	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execve("/bin/echo", echo_vfork, clean);
		_exit(127);
	}
	reap(pid, "vfork+exec");
	pid = vfork();
	if (pid == 0) {
		shared = 42; /* the parent sees this: same memory */
		_exit(0);
	}
	reap(pid, "vfork+_exit");
	printf("vfork child wrote %d\n", shared);
	fflush(stdout);
	if (posix_spawn(&pid, "/bin/echo", NULL, NULL, echo_spawn, clean) != 0)
		return 1;
	reap(pid, "posix_spawn");
	if (posix_spawnp(&pid, "echo", NULL, NULL, echo_spawnp, environ) != 0)
		return 1;
	reap(pid, "posix_spawnp");
	if (system("echo system") != 0)
		return 1;
	f = popen("echo popen", "r");
	if (!f || !fgets(buf, sizeof(buf), f) || pclose(f) != 0)
		return 1;
	printf("read from popen: %s", buf);
	if (execl("/nonexistent/program", "x", (char *)NULL) == 0 || errno != ENOENT)
		return 1;
	printf("exec failed with ENOENT, going on\n");
	return 0;
}
