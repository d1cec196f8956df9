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

#include "faultline/rangecoder.h"

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

/* The models of an epoch: reset where the codec's state is. */
struct fl_hc_models {
	uint16_t letters[FL_HC_NLETTERS + 1][FL_HC_NLETTERS];
	struct fl_rc_num cols[FL_HC_NCOLS];
};

static inline void fl_hc_models_init(struct fl_hc_models *m)
{
	fl_rc_probs_init(&m->letters[0][0], sizeof(m->letters) / sizeof(m->letters[0][0]));
	for (int i = 0; i < FL_HC_NCOLS; i++)
		fl_rc_num_init(&m->cols[i]);
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
