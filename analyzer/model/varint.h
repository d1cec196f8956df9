/*
 * The varints of the model's encoded stores (the counters, io and residency
 * lines): 7-bit groups, low first, and zigzag for differences that may be
 * negative. Any uint64_t value round-trips. And the byte buffer each store
 * appends them to.
 */
#ifndef FL_MODEL_VARINT_H
#define FL_MODEL_VARINT_H

#include <stddef.h>
#include <stdint.h>

#include "util/xalloc.h"

#define FL_VARINT_MAX 10 /* bytes of the largest */

static inline size_t fl_varint_put(unsigned char *o, uint64_t x)
{
	size_t n = 0;
	while (x >= 0x80) {
		o[n++] = (unsigned char)(x | 0x80);
		x >>= 7;
	}
	o[n++] = (unsigned char)x;
	return n;
}

static inline uint64_t fl_varint_get(const unsigned char *b, size_t *pos)
{
	uint64_t x = 0;
	unsigned shift = 0;
	unsigned char c;
	do {
		c = b[(*pos)++];
		if (shift < 64)
			x |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return x;
}

static inline uint64_t fl_zigzag(uint64_t d)
{
	return (d << 1) ^ (0 - (d >> 63)); /* all ones when d is negative */
}

static inline uint64_t fl_unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t) - (int64_t)(z & 1);
}

/* Makes room for n more bytes in *buf (len used, *cap held): doubling from
 * 4 KiB, the slack left untouched (fl_xgrow would zero it, touching pages
 * the store may never fill). */
static inline void fl_varbuf_room(unsigned char **buf, size_t len, size_t *cap, size_t n)
{
	size_t c = *cap ? *cap : 4096;
	if (len + n <= *cap)
		return;
	while (len + n > c)
		c *= 2;
	*buf = fl_xrealloc(*buf, c);
	*cap = c;
}

/* Gives the slack past len back once the store is complete. */
static inline void fl_varbuf_trim(unsigned char **buf, size_t len, size_t *cap)
{
	if (len && len < *cap) {
		*buf = fl_xrealloc(*buf, len);
		*cap = len;
	}
}

#endif
