#include "record/commit.h"

#include <string.h>

#include "base/sys.h"

/* /proc/meminfo is about 1.5 KiB; the commit lines sit in its middle. */
#define MEMINFO_BYTES 4096

static int64_t kb_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	int64_t v = 0;
	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	return v * 1024;
}

void fl_commit_read(struct fl_commit *c)
{
	char text[MEMINFO_BYTES];
	c->committed_as = c->commit_limit = -1;
	if (fl_sys_read_file("/proc/meminfo", text, sizeof(text)) <= 0)
		return;
	c->committed_as = kb_field(text, "\nCommitted_AS:");
	c->commit_limit = kb_field(text, "\nCommitLimit:");
}
