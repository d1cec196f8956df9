#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

void *fl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fl_die("out of memory allocating %zu bytes", n);
	return p;
}

void *fl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fl_die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *fl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fl_die("out of memory allocating %zu bytes", n);
	return p;
}

char *fl_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(fl_xmalloc(n), s, n);
}

void fl_xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;
	if (need <= c)
		return;
	c = c ? c : 16;
	while (c < need)
		c *= 2;
	*p = fl_xrealloc(*p, c * elem);
	memset((char *)*p + *cap * elem, 0, (c - *cap) * elem);
	*cap = c;
}
