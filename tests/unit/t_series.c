/*
 * Bounded series: up to the bound one row per tick, unchanged; past it,
 * adjacent rows merge and every merged row is exact for its span, checked
 * against a direct computation over the ticks it holds.
 */
#include <stdlib.h>

#include "check.h"
#include "model/series.h"

enum { F_SUM, F_MAX, F_FIRST, F_LAST, NF };
static const enum fl_merge merge[NF] = {FL_MERGE_SUM, FL_MERGE_MAX, FL_MERGE_FIRST, FL_MERGE_LAST};

/* The value of field f at tick i: pseudo-random, some unknown. */
static int64_t value(size_t i, int f)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL + (uint64_t)f * 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	if (x % 7 == 0)
		return FL_SERIES_UNKNOWN;
	return (int64_t)(x % 1000) - (f == F_SUM ? 100 : 0); /* a delta can be negative */
}

/* The field over ticks [a, b), computed directly. */
static int64_t expect(size_t a, size_t b, int f)
{
	int64_t r = FL_SERIES_UNKNOWN;
	for (size_t i = a; i < b; i++) {
		int64_t v = value(i, f);
		if (v == FL_SERIES_UNKNOWN)
			continue;
		if (r == FL_SERIES_UNKNOWN || f == F_LAST)
			r = v;
		else if (f == F_SUM)
			r += v;
		else if (f == F_MAX && v > r)
			r = v;
	}
	return r;
}

static void run(size_t nticks, size_t max_rows)
{
	struct fl_series s;
	fl_series_init(&s, merge, NF, max_rows);
	for (size_t i = 0; i < nticks; i++) {
		int64_t v[NF];
		for (int f = 0; f < NF; f++)
			v[f] = value(i, f);
		fl_series_add(&s, 10 * (i + 1), 10, v);
	}
	CHECK(s.nrows <= max_rows);
	CHECK(nticks <= max_rows ? s.nrows == nticks : s.nrows > max_rows / 2);
	CHECK(fl_series_merged(&s) == (nticks > max_rows));
	size_t first = 0;
	for (size_t r = 0; r < s.nrows; r++) {
		const struct fl_series_row *row = &s.rows[r];
		size_t end = first + row->ticks;
		/* every row but the last holds the same number of ticks */
		CHECK(r + 1 == s.nrows ? row->ticks <= s.ticks_per_row
				       : row->ticks == s.ticks_per_row);
		CHECK_EQ_U64(row->t, 10 * end);
		CHECK_EQ_U64(row->span, 10 * row->ticks);
		for (int f = 0; f < NF; f++)
			CHECK(row->v[f] == expect(first, end, f));
		first = end;
	}
	CHECK_EQ_U64(first, nticks);
	fl_series_release(&s);
}

int main(void)
{
	size_t counts[] = {0, 1, 2, 7, 8, 9, 16, 17, 100, 511, 512, 513, 1024, 1025, 150059};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		run(counts[i], 8);
		run(counts[i], FL_SERIES_ROWS);
	}
	run(5, 3); /* an odd bound is rounded up */
	return check_result();
}
