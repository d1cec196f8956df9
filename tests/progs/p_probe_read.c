/*
 * Reads PATH with each member of the read family and prints how many calls
 * of each it made and the bytes they returned, so the io lines can be
 * checked against it.
 *
 *   p_probe_read PATH WAIT_MS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char a[4096], b[4096];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	long calls = 0, bytes = 0, r;
	struct timespec ts;
	int fd;
	if (argc != 3 || (fd = open(argv[1], O_RDONLY)) < 0)
		return 2;
	while ((r = read(fd, a, sizeof(a))) > 0)
		calls++, bytes += r;
	calls++; /* the read that returned 0 */
	r = pread(fd, a, sizeof(a), 0);
	calls++, bytes += r;
	r = readv(fd, iov, 2); /* at EOF: 0 */
	calls++, bytes += r;
	r = preadv(fd, iov, 2, 0);
	calls++, bytes += r;
	r = preadv2(fd, iov, 2, 4096, 0);
	calls++, bytes += r;
	printf("fd=%d calls=%ld bytes=%ld\n", fd, calls, bytes);
	fflush(stdout);
	ts.tv_sec = 0;
	ts.tv_nsec = strtol(argv[2], NULL, 0) * 1000000L;
	nanosleep(&ts, NULL);
	return 0;
}
