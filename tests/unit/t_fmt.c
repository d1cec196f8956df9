/*
 * The shim's number formatting (preload/base/fmt.c) against snprintf: every
 * value whose digits change length, their neighbours, and random values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "check.h"

static void same(uint64_t v)
{
	char got[32], want[32];
	size_t n = fl_fmt_hex(got, v);
	snprintf(want, sizeof(want), "0x%" PRIx64, v);
	CHECK_EQ_U64(n, strlen(want));
	CHECK(memcmp(got, want, n) == 0);
	n = fl_fmt_u64(got, v);
	snprintf(want, sizeof(want), "%" PRIu64, v);
	CHECK_EQ_U64(n, strlen(want));
	CHECK(memcmp(got, want, n) == 0);
	CHECK_EQ_U64(fl_fmt_u64_len(v), strlen(want));
}

int main(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	same(0);
	same(UINT64_MAX);
	for (int b = 0; b < 64; b++) {
		uint64_t p = (uint64_t)1 << b;
		same(p);
		same(p - 1);
		same(p + 1);
	}
	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		same(p - 1);
		same(p);
	}
	for (int i = 0; i < 100000; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		same(x * 0x2545f4914f6cdd1dull >> (i % 64));
	}
	return check_result();
}
