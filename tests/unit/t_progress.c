/* progress.c: silent for the first second, throttled, erased at the end. */
#include <stdlib.h>

#include "check.h"
#include "read/progress.h"

static double fake;
static double fake_now(void) { return fake; }

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int main(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fl_progress p;

	fake = 100;
	fl_progress_init_to(&p, "reading trace", 4 << 20, f, fake_now);
	fake = 100.5;
	fl_progress_update(&p, 1 << 20);
	fflush(f);
	CHECK_EQ_U64(len, 0); /* under a second: nothing */
	fake = 101.2;
	fl_progress_update(&p, 2 << 20);
	fake = 101.25; /* throttled */
	fl_progress_update(&p, 3 << 20);
	fake = 101.4;
	fl_progress_update(&p, 4 << 20);
	fl_progress_done(&p);
	fclose(f);
	CHECK(strstr(buf, "\rfaultline: reading trace:  50% (2.00 MiB of 4.00 MiB)") != NULL);
	CHECK(strstr(buf, " 75%") == NULL);
	CHECK(strstr(buf, "100% (4.00 MiB of 4.00 MiB)") != NULL);
	CHECK_EQ_U64(count(buf, "\rfaultline:"), 2);
	CHECK(len >= 4 && strcmp(buf + len - 4, "\r\033[K") == 0);
	free(buf);

	/* disabled: no output at all, done is still tracked */
	fl_progress_init_to(&p, "x", 10, NULL, fake_now);
	fake = 200;
	fl_progress_update(&p, 5);
	fl_progress_done(&p);
	CHECK_EQ_U64(p.done, 5);

	/* a quick job never draws, so done erases nothing */
	buf = NULL;
	f = open_memstream(&buf, &len);
	fl_progress_init_to(&p, "x", 10, f, fake_now);
	fl_progress_update(&p, 10);
	fl_progress_done(&p);
	fclose(f);
	CHECK_EQ_U64(len, 0);
	free(buf);
	return check_result();
}
