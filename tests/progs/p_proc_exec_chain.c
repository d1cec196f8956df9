/* An exec chain N deep: each image execs itself with N-1 and a clean
 * environment (no LD_PRELOAD, no FAULTLINE_*), through a different exec
 * variant each time. The last prints the depth it saw in its environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	char num[16], *args[3], *env[] = { "CHAIN=clean", "PATH=/usr/bin:/bin", NULL };
	char *p = malloc(200000);
	memset(p, 1, 200000);
	if (n <= 0) {
		const char *c = getenv("CHAIN");
		printf("end of chain, CHAIN=%s\n", c ? c : "(unset)");
		return 0;
	}
	snprintf(num, sizeof(num), "%d", n - 1);
	args[0] = argv[0];
	args[1] = num;
	args[2] = NULL;
	switch (n % 3) {
	case 0:
		execve("/proc/self/exe", args, env);
		break;
	case 1:
		execle("/proc/self/exe", argv[0], num, (char *)NULL, env);
		break;
	default:
		execvpe("/proc/self/exe", args, env);
		break;
	}
	perror("exec");
	return 1;
}
