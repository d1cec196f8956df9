/* Forks N children (default 1000), each allocating a little and exiting
 * with status i % 7; the parent reaps them all and prints the sum of their
 * statuses, so that a run's output shows every child was waited for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	long sum = 0, expect = 0;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			char *p = malloc(100000);
			memset(p, i, 100000);
			_exit(p[5] == (char)i ? i % 7 : 99);
		}
		expect += i % 7;
	}
	for (int i = 0; i < n; i++) {
		int st;
		if (wait(&st) < 0) {
			perror("wait");
			return 1;
		}
		sum += WEXITSTATUS(st);
	}
	printf("%d children, status sum %ld (expected %ld)\n", n, sum, expect);
	return sum == expect ? 0 : 1;
}
