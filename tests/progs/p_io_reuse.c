/*
 * One fd number, two files: reads FILE_A to its end in 4 KiB reads, closes
 * it, opens FILE_B (the same number comes back) and reads it in 1 KiB
 * reads, then closes it too, all well within one sampler tick. Prints the
 * number and each file's own count of calls (the final 0-byte read
 * included) and bytes.
 *   p_io_reuse FILE_A FILE_B
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int drain(const char *path, size_t chunk, int *fd, long *calls, long *bytes)
{
	char buf[4096];
	ssize_t r;
	*fd = open(path, O_RDONLY);
	if (*fd < 0)
		return -1;
	*calls = *bytes = 0;
	do {
		r = read(*fd, buf, chunk);
		(*calls)++;
		if (r > 0)
			*bytes += r;
	} while (r > 0);
	return close(*fd);
}

int main(int argc, char **argv)
{
	int fa, fb;
	long ca, ba, cb, bb;
	if (argc != 3 || drain(argv[1], 4096, &fa, &ca, &ba) || drain(argv[2], 1024, &fb, &cb, &bb))
		return 2;
	printf("fd_a=%d calls_a=%ld bytes_a=%ld fd_b=%d calls_b=%ld bytes_b=%ld\n", fa, ca, ba, fb, cb,
	       bb);
	return fa == fb ? 0 : 3;
}
