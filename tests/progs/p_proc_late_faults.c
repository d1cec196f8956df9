/* Faults after the shim's exit line: a stream made by fopencookie holds
 * unwritten bytes at exit, so glibc flushes it after every exit handler
 * (the shim's last among them), and its write function then touches PAGES
 * fresh anonymous pages, PAGES minor faults the exit line cannot see.
 * Prints "late_pages N". Usage: p_proc_late_faults [PAGES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *late;
static size_t npages;

static ssize_t touch_on_flush(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	(void)buf;
	for (size_t i = 0; i < npages; i++)
		late[i * 4096] = 1;
	return (ssize_t)len;
}

int main(int argc, char **argv)
{
	cookie_io_functions_t io = {NULL, touch_on_flush, NULL, NULL};
	FILE *f;
	npages = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	late =
	    mmap(NULL, npages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (late == MAP_FAILED)
		return 1;
	f = fopencookie(NULL, "w", io);
	if (!f || fputs("flushed at exit", f) < 0)
		return 1;
	printf("late_pages %zu\n", npages);
	fflush(stdout);
	return 0; /* f is left open and unflushed on purpose */
}
