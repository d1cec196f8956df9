/*
 * Appending to the loader's growing arrays without touching their slack.
 * fl_xgrow zeroes the whole new capacity, so an array that doubled to hold
 * one more element becomes resident at twice its size: on a trace of
 * millions of fault samples and blocks that slack was most of the peak RSS.
 * Here the capacity still doubles, but only the element pushed is zeroed;
 * the rest stays untouched (and, for large arrays, unbacked) until used.
 */
#ifndef FL_MODEL_PUSH_H
#define FL_MODEL_PUSH_H

#include <stddef.h>
#include <string.h>

#include "util/xalloc.h"

/* Makes room for element n of *arr (capacity *cap), zeroed; returns it. */
static inline void *fl_push_slot(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n >= *cap) {
		size_t c = *cap ? *cap : 16;
		while (c <= n)
			c *= 2;
		*arr = fl_xrealloc(*arr, c * elem);
		*cap = c;
	}
	return memset((char *)*arr + n * elem, 0, elem);
}

/* The next element of array arr holding n elements out of cap, zeroed; n grows by one. */
#define FL_PUSH(arr, n, cap)                                                                       \
	((__typeof__(arr))fl_push_slot((void **)&(arr), &(cap), (n)++, sizeof(*(arr))))

#endif
