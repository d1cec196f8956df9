/*
 * Reads FILE whole with read() into a buffer it just malloc'd and never
 * touched: the kernel's copy_to_user takes the page faults, in kernel mode,
 * on the program's behalf. Prints "truth bytes=N pages=N".
 *
 *   p_read_fresh FILE
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;
	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
		return 2;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return 1;
	for (ssize_t r; (r = read(fd, buf + got, (size_t)st.st_size + 1 - got)) > 0;)
		got += (size_t)r;
	printf("truth bytes=%zu pages=%zu\n", got, (got + 4095) / 4096);
	free(buf);
	return 0;
}
