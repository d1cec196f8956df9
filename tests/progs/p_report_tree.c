/*
 * A known process tree: three children made by fork. One exits 7, one execs
 * /bin/true, one kills itself with SIGKILL after the shim's first tick.
 * Prints {"exit7": PID, "exec": PID, "killed": PID} when all are reaped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	pid_t a, b, c;
	fflush(stdout);
	a = fork();
	if (a == 0)
		exit(7);
	b = fork();
	if (b == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	c = fork();
	if (c == 0) {
		struct timespec ts = { 0, 350 * 1000 * 1000 };
		void *keep = malloc(1 << 20);
		nanosleep(&ts, NULL);
		if (keep)
			kill(getpid(), SIGKILL);
		_exit(1);
	}
	while (wait(NULL) > 0)
		;
	printf("{\"exit7\":%d,\"exec\":%d,\"killed\":%d}\n", (int)a, (int)b, (int)c);
	return 0;
}
