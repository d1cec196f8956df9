/* A program that is hard on the shim's file descriptor, one act per
 * argument, then allocates 40 blocks of 100 KiB (each large enough to be
 * recorded) and frees them:
 *   closeall  close every fd above 2, as daemons do
 *   dup2      dup2 its own file over every fd from 3 to the soft limit (at
 *             most 4096, where the shim's fds sit) but the last one, which
 *             the shim may then take
 *   exhaust   open files until EMFILE (closing any other fd, the shim's
 *             too), allocate, wait 350 ms, then close them again
 *   chdir     chdir("/")
 *   setsid    fork, setsid in the child (the child does the allocating)
 *   perfoff   prctl(PR_TASK_PERF_EVENTS_DISABLE)
 * Prints what it did, so the run's output can be compared with native. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void allocate(const char *tag)
{
	void *p[40];
	for (int i = 0; i < 40; i++) {
		p[i] = malloc(100 * 1024);
		memset(p[i], i, 100 * 1024);
	}
	for (int i = 0; i < 40; i++)
		free(p[i]);
	printf("%s: allocated 40 blocks\n", tag);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "closeall";
	long top = sysconf(_SC_OPEN_MAX);
	if (top < 0 || top > 65536)
		top = 65536;
	allocate("before");
	if (!strcmp(what, "closeall")) {
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	} else if (!strcmp(what, "dup2")) {
		int fd = open(argc > 2 ? argv[2] : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		for (int i = 3; i < (top < 4096 ? top : 4096) - 1; i++)
			if (i != fd)
				dup2(fd, i);
	} else if (!strcmp(what, "exhaust")) {
		struct rlimit rl = { 256, 256 };
		static char mine[65536];
		int fd;
		setrlimit(RLIMIT_NOFILE, &rl);
		while ((fd = open("/dev/null", O_RDONLY)) >= 0)
			mine[fd] = 1;
		printf("open failed with %s\n", errno == EMFILE ? "EMFILE" : "other");
		/* Any other fd above 2 (the shim's too, above the new limit) is the
		 * program's to close. */
		for (int i = 3; i < top; i++)
			if (!mine[i])
				close(i);
		while ((fd = open("/dev/null", O_RDONLY)) >= 0)
			mine[fd] = 1;
		allocate("exhausted");
		usleep(350000); /* a few of the shim's ticks find no fd */
		for (int i = 3; i < 1024; i++)
			if (mine[i])
				close(i);
	} else if (!strcmp(what, "chdir")) {
		if (chdir("/") != 0)
			return 1;
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	} else if (!strcmp(what, "setsid")) {
		pid_t pid = fork();
		if (pid == 0) {
			if (setsid() < 0)
				_exit(1);
			allocate("session leader");
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		printf("child status %d\n", WEXITSTATUS(st));
	} else if (!strcmp(what, "perfoff")) {
		printf("prctl %d\n", prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0));
	}
	allocate("after");
	return 0;
}
