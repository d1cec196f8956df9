/*
 * The unit tests' random numbers: xorshift64*, from a state each test
 * seeds itself, so that a test's data is the same in every run.
 */
#ifndef FL_TEST_RNG_H
#define FL_TEST_RNG_H

#include <stdint.h>

static inline uint64_t test_rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

#endif
