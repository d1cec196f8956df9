/*
 * Forks; the child writes 300 of 4000 pages shared at fork and 50 new
 * ones, then reads its own /proc/self/smaps and prints its Private_Dirty
 * total ("truth private_dirty_kb=N"): what a program like redis reports as
 * its copy-on-write cost. The smaps text goes into a buffer touched before
 * the read, so reading it makes no new private page; the child then _exits.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
static char text[1 << 20];

static long private_dirty_kb(void)
{
	size_t n = 0;
	ssize_t r;
	long kb = 0;
	int fd = open("/proc/self/smaps", O_RDONLY);
	if (fd < 0)
		return -1;
	while (n < sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	text[n] = 0;
	for (char *p = text; (p = strstr(p, "\nPrivate_Dirty:")); p += 15)
		kb += atol(p + 15);
	return kb;
}

int main(void)
{
	char *old = malloc(4000 * PAGE), *fresh;
	pid_t pid;
	if (!old)
		return 1;
	memset(old, 1, 4000 * PAGE);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		char line[64];
		int len;
		memset(text, 0, sizeof(text));
		for (int i = 0; i < 300; i++)
			old[i * PAGE] = 2;
		if (!(fresh = malloc(50 * PAGE)))
			_exit(1);
		memset(fresh, 3, 50 * PAGE);
		usleep(250000); /* a few ticks of the shim's */
		len = snprintf(line, sizeof(line), "truth private_dirty_kb=%ld\n", private_dirty_kb());
		if (write(1, line, (size_t)len) != len)
			_exit(1);
		_exit(0);
	}
	return waitpid(pid, NULL, 0) == pid ? 0 : 1;
}
