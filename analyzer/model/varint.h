/*
 * The varints of the model's encoded stores (the counters and io lines):
 * 7-bit groups, low first, and zigzag for differences that may be
 * negative. Any uint64_t value round-trips.
 */
#ifndef FL_MODEL_VARINT_H
#define FL_MODEL_VARINT_H

#include <stddef.h>
#include <stdint.h>

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
	return (d << 1) ^ (uint64_t)((int64_t)d >> 63);
}

static inline uint64_t fl_unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t) - (int64_t)(z & 1);
}

#endif
