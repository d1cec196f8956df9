/*
 * A time series of at most a fixed number of rows, whatever the length of
 * the run. Rows are added in time order, one per tick (a counters line, a
 * working-set window); when the series is full, adjacent rows merge
 * pairwise, and from then on each row takes twice as many ticks. A merged
 * row stays exact for its span: each field says how two rows combine (sums
 * add, peaks take the larger, a first value stays, a last value is the
 * later one), its time is the last tick's and ticks says how many it holds.
 * A run with no more ticks than the bound keeps one row per tick.
 *
 * Fields are int64_t, FL_SERIES_UNKNOWN meaning unknown (null in the
 * report; a difference can be negative, so -1 will not do): a merge of two
 * unknowns is unknown, and a known value wins over an unknown one (a sum
 * of deltas skips the ticks that had none, as the next known delta
 * already covers them).
 */
#ifndef FL_SERIES_H
#define FL_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define FL_SERIES_UNKNOWN INT64_MIN

/* The rows a report prints per series (faults' per_tick, ws' windows). */
#define FL_SERIES_ROWS 512

enum fl_merge {
	FL_MERGE_SUM,	/* a count over the tick: the row's is the total */
	FL_MERGE_MAX,	/* a level or a peak: the row's is the largest */
	FL_MERGE_FIRST, /* the value at the row's first tick */
	FL_MERGE_LAST,	/* the value at the row's last tick */
};

struct fl_series_row {
	uint64_t t;	/* the time of its last tick */
	uint64_t span;	/* summed over its ticks (a window's length), 0 if unused */
	uint64_t ticks; /* how many ticks the row holds, 1 until merged */
	int64_t *v;	/* nfields values */
};

struct fl_series {
	const enum fl_merge *merge; /* one per field */
	size_t nfields;
	size_t max_rows; /* even, at least 2 */
	size_t nrows;
	uint64_t ticks_per_row;	    /* the ticks a full row holds: 1, 2, 4, ... */
	struct fl_series_row *rows; /* max_rows of them */
	int64_t *vals;		    /* the rows' values, max_rows * nfields */
};

/* An empty series of nfields fields merged as merge[] says (borrowed), at
 * most max_rows rows (FL_SERIES_ROWS in the reports; rounded up to even). */
void fl_series_init(struct fl_series *s, const enum fl_merge *merge, size_t nfields,
		    size_t max_rows);
void fl_series_release(struct fl_series *s);
/* Adds one tick at time t (not before the last) of length span with its
 * nfields values. */
void fl_series_add(struct fl_series *s, uint64_t t, uint64_t span, const int64_t *v);
/* Whether any row holds more than one tick (the report then says so). */
static inline int fl_series_merged(const struct fl_series *s)
{
	return s->ticks_per_row > 1;
}

#endif
