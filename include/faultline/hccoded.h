/*
 * The version 4 form of an "hc" line (schema.h, FL_K_HC_CODED): version 3's
 * letters and numbers (the same free-list model's symbols, in the same
 * order), range-coded (faultline/rangecoder.h) with models that live as long
 * as the codec's epoch, then written as one base64 string. The shim encodes
 * (preload/record/heapcodec.c), the reader decodes (analyzer/read/
 * heapcalls.c); both walk the letters with this header's tables and update
 * the same models, so the two cannot drift apart.
 *
 * Each letter is coded in the context of the one before it (at a line's
 * start, of FL_HC_NLETTERS), then the numbers it takes, one per column of
 * fl_hc_letter_columns[], each column with its own number model.
 */
#ifndef FAULTLINE_HCCODED_H
#define FAULTLINE_HCCODED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faultline/rangecoder.h"

/* A line's letters at most: 1024 calls (schema.h), 9 letters each. */
#define FL_HC_LINE_LETTERS (1024 * 9)

/* Version 3's letters by their code (0 .. 15): index = place in this string. */
#define FL_HC_LETTERS "012345678gqcswrx"
#define FL_HC_NLETTERS 16

/* The number columns, in the order of their models. f, z and p hold
 * numbers of 0 .. 2^63 - 1; the others signed numbers, zigzagged. */
enum fl_hc_col {
	FL_HC_COL_F,
	FL_HC_COL_Z,
	FL_HC_COL_P,
	FL_HC_COL_A,
	FL_HC_COL_U,
	FL_HC_COL_Q,
	FL_HC_COL_C,
	FL_HC_COL_S,
	FL_HC_COL_W,
	FL_HC_NCOLS
};
#define FL_HC_COL_SIGNED(col) ((col) >= FL_HC_COL_A)
/* The top bits each column models below a number's leading one: none for
 * slots (which slot comes free follows the program's order of frees,
 * nothing a number's top bits say), FL_RC_NUM_TOP for the rest. */
#define FL_HC_COL_TOP(col) ((col) == FL_HC_COL_F ? 0u : FL_RC_NUM_TOP)
/* Times and seq jumps differ each time round a loop: the match model
 * neither predicts them nor lets them end a match or make its context. */
#define FL_HC_COL_MATCHED(col) ((col) != FL_HC_COL_U && (col) != FL_HC_COL_Q)

/* The columns each letter takes a number of, in coding order (at most 3;
 * FL_HC_NCOLS ends a list). As version 3's: 6 f; g a, z; 5 z; 8 z, p; 7 z,
 * a; a pair f then its allocation's; 3 and 4 u; q c s w their own; r x none. */
static const uint8_t fl_hc_letter_columns[FL_HC_NLETTERS][4] = {
    /* 0 */ {FL_HC_COL_F, FL_HC_COL_Z, FL_HC_NCOLS},
    /* 1 */ {FL_HC_COL_F, FL_HC_COL_Z, FL_HC_COL_P, FL_HC_NCOLS},
    /* 2 */ {FL_HC_COL_F, FL_HC_COL_Z, FL_HC_COL_A, FL_HC_NCOLS},
    /* 3 */ {FL_HC_COL_U, FL_HC_NCOLS},
    /* 4 */ {FL_HC_COL_U, FL_HC_NCOLS},
    /* 5 */ {FL_HC_COL_Z, FL_HC_NCOLS},
    /* 6 */ {FL_HC_COL_F, FL_HC_NCOLS},
    /* 7 */ {FL_HC_COL_Z, FL_HC_COL_A, FL_HC_NCOLS},
    /* 8 */ {FL_HC_COL_Z, FL_HC_COL_P, FL_HC_NCOLS},
    /* g */ {FL_HC_COL_A, FL_HC_COL_Z, FL_HC_NCOLS},
    /* q */ {FL_HC_COL_Q, FL_HC_NCOLS},
    /* c */ {FL_HC_COL_C, FL_HC_NCOLS},
    /* s */ {FL_HC_COL_S, FL_HC_NCOLS},
    /* w */ {FL_HC_COL_W, FL_HC_NCOLS},
    /* r */ {FL_HC_NCOLS},
    /* x */ {FL_HC_NCOLS},
};

/*
 * The match model: programs repeat themselves (a loop makes the same calls
 * from the same stacks with the same sizes), which version 3's columns left
 * to zstd's matches and the order-1 models above cannot see. The last
 * FL_HC_HIST tokens (a letter and its numbers) of the epoch are kept; the
 * hash of the last FL_HC_MATCH_ORDER tokens finds where that context came
 * before, and the token that followed it is the prediction: a letter costs
 * one decision when it is the predicted one, a number one more (times and
 * seq jumps are coded as they are, and take no part). A prediction that
 * fails ends the match until the context is found again. On random calls
 * (bench/malloc_bench) nothing matches and it costs no decision, only its
 * bookkeeping. 2048 tokens: a window of 8192 or 32768 made a Python run's
 * trace no smaller, one of 16 made it 40 % larger.
 */
#define FL_HC_HIST_BITS 11
#define FL_HC_HIST (1u << FL_HC_HIST_BITS)
#define FL_HC_MATCH_ORDER 4
#define FL_HC_MATCH_LENS 16  /* hit probabilities by the match's length so far */
#define FL_HC_MATCH_MISSES 8 /* a match goes on past this many failed tokens in a row */

struct fl_hc_match {
	uint32_t table[FL_HC_HIST]; /* context hash -> the index of the token after it */
	uint32_t check[FL_HC_HIST]; /* the rest of the hash: a stranger's context is no match */
	uint8_t letters[FL_HC_HIST];
	uint64_t nums[FL_HC_HIST][3];
	uint64_t recent[FL_HC_MATCH_ORDER]; /* the last tokens' hashes */
	uint32_t pos;			    /* tokens so far */
	uint32_t ptr, len;		    /* the predicted token's index; len 0: none */
	uint32_t misses;		    /* in a row, while a match goes on */
	uint16_t hit_letter[FL_HC_MATCH_LENS];
	uint16_t hit_num[FL_HC_NCOLS][FL_HC_MATCH_LENS];
};

/*
 * The recent values of a column, newest first: a slot freed again, a size,
 * stack or delta that recurs costs a decision and a 3-bit index, not its
 * bit length and raw low bits (which made slots and stack ids of a real
 * program cost 2-3 times what zstd's matches made of version 3's digits).
 * Not for times and seq jumps, which seldom repeat.
 */
#define FL_HC_RECENT 8
#define FL_HC_COL_RECENT(col) ((col) != FL_HC_COL_U && (col) != FL_HC_COL_Q && (col) != FL_HC_COL_P)

struct fl_hc_recent {
	uint64_t v[FL_HC_RECENT];
	uint32_t n, last_hit;
	uint16_t hit[2]; /* by whether the column's last value was a hit */
	uint16_t index[FL_HC_RECENT];
};

/* The models of an epoch: reset where the codec's state is. */
struct fl_hc_models {
	uint16_t letters[FL_HC_NLETTERS + 1][FL_HC_NLETTERS];
	struct fl_rc_num cols[FL_HC_NCOLS];
	struct fl_hc_recent recent[FL_HC_NCOLS];
	struct fl_hc_match match;
};

static inline void fl_hc_models_init(struct fl_hc_models *m)
{
	struct fl_hc_match *mm = &m->match;
	fl_rc_probs_init(&m->letters[0][0], sizeof(m->letters) / sizeof(m->letters[0][0]));
	for (int i = 0; i < FL_HC_NCOLS; i++) {
		fl_rc_num_init(&m->cols[i]);
		m->recent[i].n = m->recent[i].last_hit = 0;
		fl_rc_probs_init(m->recent[i].hit, 2);
		fl_rc_probs_init(m->recent[i].index, FL_HC_RECENT);
	}
	/* the history needs no clearing: only indices the table gives are read */
	for (size_t i = 0; i < FL_HC_HIST; i++)
		mm->table[i] = mm->check[i] = 0;
	for (int i = 0; i < FL_HC_MATCH_ORDER; i++)
		mm->recent[i] = 0;
	mm->pos = mm->ptr = mm->len = mm->misses = 0;
	fl_rc_probs_init(mm->hit_letter, FL_HC_MATCH_LENS);
	fl_rc_probs_init(&mm->hit_num[0][0], FL_HC_NCOLS * FL_HC_MATCH_LENS);
}

/* The token just coded joins the history; the match goes on if it was the
 * predicted one in full, else the context's last place is looked up. */
static inline void fl_hc_match_update(struct fl_hc_match *m, unsigned letter, const uint64_t *nums,
				      const uint8_t *cols, unsigned n, int full_hit)
{
	uint32_t at = m->pos & (FL_HC_HIST - 1), h, cand, check;
	uint64_t ctx;
	uint64_t th = (uint64_t)letter * 0x9e3779b97f4a7c15ull;
	m->letters[at] = (uint8_t)letter;
	/* n <= 3: a fixed loop, unrolled (a loop to n was a call of memcpy) */
#pragma GCC unroll 3
	for (unsigned j = 0; j < 3; j++) {
		if (j >= n)
			break;
		m->nums[at][j] = nums[j];
		if (FL_HC_COL_MATCHED(cols[j]))
			th = (th ^ nums[j]) * 0xff51afd7ed558ccdull;
	}
	for (int i = FL_HC_MATCH_ORDER - 1; i > 0; i--)
		m->recent[i] = m->recent[i - 1];
	m->recent[0] = th ^ (th >> 29);
	ctx = m->recent[0];
	for (int i = 1; i < FL_HC_MATCH_ORDER; i++)
		ctx += m->recent[i] * (2 * (uint64_t)i + 1);
	ctx *= 0xc4ceb9fe1a85ec53ull;
	h = (uint32_t)(ctx >> (64 - FL_HC_HIST_BITS));
	check = (uint32_t)ctx | 1;
	m->pos++;
	if (full_hit) {
		m->ptr++;
		m->len++;
		m->misses = 0;
	} else if (m->len && ++m->misses < FL_HC_MATCH_MISSES) {
		/* one call of a loop's round differs (a size that grows): the
		 * rest of the round may still follow, unless the context is found
		 * elsewhere */
		m->ptr++;
		m->len = 1;
	} else {
		m->len = 0;
	}
	cand = m->table[h];
	/* cand < pos always (it was stored earlier); within the window or gone */
	if ((m->len <= 1) && cand && m->check[h] == check && m->pos - cand <= FL_HC_HIST - 1) {
		if (cand != m->ptr)
			m->misses = 0;
		m->ptr = cand;
		m->len = 1;
	}
	m->table[h] = m->pos;
	m->check[h] = check;
}

/* v becomes the newest of r; the one at place i (or the oldest) leaves. */
static inline void fl_hc_recent_front(struct fl_hc_recent *r, unsigned i, uint64_t v)
{
	if (i >= r->n && r->n < FL_HC_RECENT)
		i = r->n++;
	else if (i >= r->n)
		i = r->n - 1;
	/* the oldest leaving (the common case: no value recurs) is one move
	 * of a known size, which compiles to a few vector moves, not a call */
	if (i == FL_HC_RECENT - 1)
		memmove(&r->v[1], &r->v[0], (FL_HC_RECENT - 1) * sizeof(r->v[0]));
	else
		for (; i > 0; i--)
			r->v[i] = r->v[i - 1];
	r->v[0] = v;
}

/* A number of column col: from the recent values, else in full. */
static inline void fl_hc_enc_value(struct fl_rc_enc *e, struct fl_hc_models *m, unsigned col,
				   uint64_t v)
{
	struct fl_hc_recent *r = &m->recent[col];
	unsigned i = 0;
	if (!FL_HC_COL_RECENT(col)) {
		fl_rc_enc_num(e, &m->cols[col], v, FL_HC_COL_TOP(col));
		return;
	}
	while (i < r->n && r->v[i] != v)
		i++;
	fl_rc_enc_bit(e, &r->hit[r->last_hit], i < r->n);
	r->last_hit = i < r->n;
	if (i < r->n)
		fl_rc_enc_tree(e, r->index, 3, i);
	else
		fl_rc_enc_num(e, &m->cols[col], v, FL_HC_COL_TOP(col));
	fl_hc_recent_front(r, i, v);
}

/* -1 on a number no encoder writes. */
static inline int fl_hc_dec_value(struct fl_rc_dec *d, struct fl_hc_models *m, unsigned col,
				  uint64_t *v)
{
	struct fl_hc_recent *r = &m->recent[col];
	unsigned i = FL_HC_RECENT;
	if (!FL_HC_COL_RECENT(col))
		return fl_rc_dec_num(d, &m->cols[col], v, FL_HC_COL_TOP(col));
	r->last_hit = fl_rc_dec_bit(d, &r->hit[r->last_hit]);
	if (r->last_hit) {
		i = fl_rc_dec_tree(d, r->index, 3);
		if (i >= r->n)
			return -1;
		*v = r->v[i];
	} else if (fl_rc_dec_num(d, &m->cols[col], v, FL_HC_COL_TOP(col)) < 0) {
		return -1;
	}
	fl_hc_recent_front(r, i, *v);
	return 0;
}

static inline unsigned fl_hc_match_ctx(const struct fl_hc_match *m)
{
	return m->len < FL_HC_MATCH_LENS ? m->len : FL_HC_MATCH_LENS - 1;
}

/* One token: a letter (its index in FL_HC_LETTERS) in the context *ctx of
 * the one before, then its numbers (as coded: signed ones zigzagged). */
static inline void fl_hc_enc_token(struct fl_rc_enc *e, struct fl_hc_models *m, unsigned *ctx,
				   unsigned letter, const uint64_t *nums)
{
	struct fl_hc_match *mm = &m->match;
	const uint8_t *cols = fl_hc_letter_columns[letter];
	unsigned at = mm->ptr & (FL_HC_HIST - 1), lctx = fl_hc_match_ctx(mm), n = 0;
	int hit = 0;
	if (mm->len) {
		hit = mm->letters[at] == letter;
		fl_rc_enc_bit(e, &mm->hit_letter[lctx], (unsigned)hit);
	}
	if (!hit)
		fl_rc_enc_tree(e, m->letters[*ctx], 4, letter);
	*ctx = letter;
	for (; cols[n] != FL_HC_NCOLS; n++) {
		if (hit && FL_HC_COL_MATCHED(cols[n])) {
			hit = mm->nums[at][n] == nums[n];
			fl_rc_enc_bit(e, &mm->hit_num[cols[n]][lctx], (unsigned)hit);
			if (hit)
				continue;
		}
		fl_hc_enc_value(e, m, cols[n], nums[n]);
	}
	fl_hc_match_update(mm, letter, nums, cols, n, hit);
}

/* The same, decoding; -1 on a number no encoder writes. */
static inline int fl_hc_dec_token(struct fl_rc_dec *d, struct fl_hc_models *m, unsigned *ctx,
				  unsigned *letter, uint64_t *nums)
{
	struct fl_hc_match *mm = &m->match;
	unsigned at = mm->ptr & (FL_HC_HIST - 1), lctx = fl_hc_match_ctx(mm), n = 0, l;
	const uint8_t *cols;
	int hit = 0;
	if (mm->len)
		hit = (int)fl_rc_dec_bit(d, &mm->hit_letter[lctx]);
	l = hit ? mm->letters[at] : fl_rc_dec_tree(d, m->letters[*ctx], 4);
	*ctx = *letter = l;
	cols = fl_hc_letter_columns[l];
	for (; cols[n] != FL_HC_NCOLS; n++) {
		if (hit && FL_HC_COL_MATCHED(cols[n])) {
			hit = (int)fl_rc_dec_bit(d, &mm->hit_num[cols[n]][lctx]);
			if (hit) {
				nums[n] = mm->nums[at][n];
				continue;
			}
		}
		if (fl_hc_dec_value(d, m, cols[n], &nums[n]) < 0)
			return -1;
	}
	fl_hc_match_update(mm, l, nums, cols, n, hit);
	return 0;
}

/* base64 without padding: 4 characters per 3 bytes, 2 or 3 for a last 1 or 2. */
static const char fl_hc_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define FL_HC_B64_LEN(nbytes) ((nbytes) / 3 * 4 + ((nbytes) % 3 ? (nbytes) % 3 + 1 : 0))

static inline size_t fl_hc_b64_encode(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = fl_hc_b64[v >> 18];
		out[o++] = fl_hc_b64[(v >> 12) & 63];
		out[o++] = fl_hc_b64[(v >> 6) & 63];
		out[o++] = fl_hc_b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = fl_hc_b64[v >> 18];
		out[o++] = fl_hc_b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = fl_hc_b64[(v >> 6) & 63];
	}
	return o;
}

#endif
