/*
 * A growing array of seqs (the trace's line numbers, one counter per
 * process across its threads), 4 bytes a seq while they fit: the loader
 * holds one per heap block and one per block's free until the file is read,
 * and at 8 bytes each these were 16 of every block's 56 bytes then. Each
 * seq is kept as its offset from a base set by the first seq stored (that
 * seq less 2^31, so that lines written late, whose seqs are below it, still
 * fit); a seq outside [base, base + 2^32) (a hostile trace's, or one of
 * more than four billion lines) turns the whole array to 8 bytes a seq, so
 * that every seq reads back exactly.
 */
#ifndef FL_MODEL_SEQS_H
#define FL_MODEL_SEQS_H

#include <stddef.h>
#include <stdint.h>

struct fl_seqs {
	uint32_t *off;	/* seq - base, while every seq stored fits */
	uint64_t *wide; /* every seq, once one did not (off is NULL then) */
	uint64_t base;
	size_t n, cap;
	int based; /* base is set (by the first seq stored) */
};

/* Turns s to 8 bytes a seq (done by fl_seqs_set when a seq does not fit). */
void fl_seqs_widen(struct fl_seqs *s);
/* Makes room for seq n (s->n grows to n + 1 when beyond); its value is unset (reads 0 or base). */
void fl_seqs_reserve(struct fl_seqs *s, size_t n);
void fl_seqs_release(struct fl_seqs *s);

static inline uint64_t fl_seqs_get(const struct fl_seqs *s, size_t i)
{
	return s->wide ? s->wide[i] : s->base + s->off[i];
}

/* Stores seq at i (below s->n). */
static inline void fl_seqs_set(struct fl_seqs *s, size_t i, uint64_t seq)
{
	if (!s->wide) {
		if (!s->based) {
			s->base = seq > (1ull << 31) ? seq - (1ull << 31) : 0;
			s->based = 1;
		}
		if (seq >= s->base && seq - s->base <= UINT32_MAX) {
			s->off[i] = (uint32_t)(seq - s->base);
			return;
		}
		fl_seqs_widen(s);
	}
	s->wide[i] = seq;
}

/* Appends seq. */
static inline void fl_seqs_push(struct fl_seqs *s, uint64_t seq)
{
	fl_seqs_reserve(s, s->n);
	fl_seqs_set(s, s->n - 1, seq);
}

/* Moves the seqs [src, src + cnt) to [dst, dst + cnt) (the ranges may overlap). */
void fl_seqs_move(struct fl_seqs *s, size_t dst, size_t src, size_t cnt);

#endif
