/* Allocation that dies on exhaustion (analyzer only, never the shim). */
#ifndef FL_XALLOC_H
#define FL_XALLOC_H

#include <stddef.h>

void *fl_xmalloc(size_t n);
void *fl_xcalloc(size_t n, size_t size);
void *fl_xrealloc(void *p, size_t n);
char *fl_xstrdup(const char *s);
/* Grows *p (of *cap elements of size elem) to hold at least need elements. */
void fl_xgrow(void **p, size_t *cap, size_t need, size_t elem);
#define FL_GROW(p, cap, need) fl_xgrow((void **)&(p), &(cap), (need), sizeof(*(p)))

#endif
