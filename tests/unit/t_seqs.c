/*
 * Seqs in 4 bytes (model/seqs.h): every seq reads back as stored, whether
 * the array stays narrow (seqs within 2^32 of the base, late lines below
 * the first seq included) or turns wide (0, UINT64_MAX, spans past 2^32:
 * hostile traces), and moves keep them; the narrow form does take 4 bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "model/seqs.h"

#define N 3000

/* Pushes v[0..n), reads them back, moves and sets some; says whether s stayed narrow. */
static int round_trip(const uint64_t *v, size_t n)
{
	struct fl_seqs s = {0};
	uint64_t *copy = malloc(n * sizeof(*copy));
	int narrow;
	for (size_t i = 0; i < n; i++)
		fl_seqs_push(&s, v[i]);
	CHECK_EQ_U64(s.n, n);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_U64(fl_seqs_get(&s, i), v[i]);
	/* a move up by 7 as merge_short_tail makes, then the first 7 set again */
	fl_seqs_move(&s, 7, 0, n - 7);
	for (size_t i = 0; i < 7; i++)
		fl_seqs_set(&s, i, v[n - 7 + i]);
	for (size_t i = 0; i < n; i++)
		copy[i] = i < 7 ? v[n - 7 + i] : v[i - 7];
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_U64(fl_seqs_get(&s, i), copy[i]);
	narrow = s.wide == NULL;
	fl_seqs_release(&s);
	free(copy);
	return narrow;
}

int main(void)
{
	static uint64_t v[N];
	const uint64_t bases[] = {0, 1, 1ull << 31, 1ull << 32, 1ull << 40, UINT64_MAX - 4 * N};
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		/* ascending with late lines below the first seq: stays narrow */
		for (size_t i = 0; i < N; i++)
			v[i] = bases[b] + (i % 10 == 9 && i > 2 * N / 3 ? i - 2 * N / 3 : i + N);
		CHECK(round_trip(v, N) == 1);
	}
	/* the widest span that fits: first seq 2^31 above the base, the last 2^32 - 1 above it */
	v[0] = 1ull << 40;
	for (size_t i = 1; i < N; i++)
		v[i] = (1ull << 40) - (1ull << 31) + (i % 2 ? 0 : UINT32_MAX);
	CHECK(round_trip(v, N) == 1);
	/* one past it either way, at the first line, the middle, the last: turns wide */
	for (int where = 0; where < 3; where++)
		for (int below = 0; below <= 1; below++) {
			size_t at = where == 0 ? 1 : where == 1 ? N / 2 : N - 1;
			for (size_t i = 0; i < N; i++)
				v[i] = (1ull << 40) + i;
			v[at] = below ? (1ull << 40) - (1ull << 31) - 1
				      : (1ull << 40) - (1ull << 31) + UINT32_MAX + 1;
			CHECK(round_trip(v, N) == 0);
		}
	/* the extremes together (a hostile trace) */
	for (size_t i = 0; i < N; i++)
		v[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? UINT64_MAX : (uint64_t)i << 33;
	CHECK(round_trip(v, N) == 0);
	/* the narrow form takes 4 bytes a seq */
	{
		struct fl_seqs s = {0};
		fl_seqs_push(&s, 5);
		CHECK(s.off != NULL && s.wide == NULL && sizeof(*s.off) == 4);
		fl_seqs_release(&s);
	}
	return check_result();
}
