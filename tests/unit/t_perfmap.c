/*
 * Perf maps: lines with and without 0x, bad lines skipped, and where code
 * was freed and reused, the entry written last names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "model/perfmap.h"
#include "check.h"

int main(void)
{
	char path[] = "/tmp/fl_t_perfmap.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct fl_perfmap *m;
	uint64_t off = 0;
	CHECK(f != NULL);
	if (!f)
		return check_result();
	fputs("1000 100 JS:*first file.js:1:1\n"
	      "0x2000 0x10 LazyCompile:~second\n"
	      "not a line\n"
	      "3000 0 empty\n"
	      "1080 40 JS:*reused file.js:9:3\n",
	      f);
	fclose(f);
	m = fl_perfmap_load(path);
	CHECK(m != NULL);
	CHECK_STR(fl_perfmap_find(m, 0x1010, &off), "JS:*first file.js:1:1");
	CHECK_EQ_U64(off, 0x10);
	CHECK_STR(fl_perfmap_find(m, 0x1090, &off), "JS:*reused file.js:9:3");
	CHECK_EQ_U64(off, 0x10);
	CHECK_STR(fl_perfmap_find(m, 0x10f0, &off), "JS:*first file.js:1:1");
	CHECK_STR(fl_perfmap_find(m, 0x200f, &off), "LazyCompile:~second");
	CHECK(fl_perfmap_find(m, 0x2010, &off) == NULL);
	CHECK(fl_perfmap_find(m, 0x3000, &off) == NULL);
	CHECK(fl_perfmap_find(m, 0x10, &off) == NULL);
	CHECK_STR(fl_perfmap_path(m), path);
	fl_perfmap_free(m);
	unlink(path);
	CHECK(fl_perfmap_load(path) == NULL);
	return check_result();
}
