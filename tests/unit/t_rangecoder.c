/*
 * The range coder of the version 4 heap lines (include/faultline/
 * rangecoder.h) gives back exactly what it coded: random streams of bits,
 * tree symbols, direct bits and numbers mixed at random, and adversarial
 * ones: every bit against a model that expects the other (probabilities at
 * their floor, the longest codes), runs that drive low into carries through
 * long chains of 0xFF bytes, numbers at every bit length from 0 to 64.
 * Then random bytes fed to the decoder: it must stay within its buffer and
 * say the input was not an encoder's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "faultline/hccoded.h"
#include "faultline/rangecoder.h"
#include "rng.h"

#define NSYM 200000

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	return test_rng_next(&rng_state);
}
#define NPROBS 64

enum op { BIT, TREE, DIRECT, NUM };

struct sym {
	enum op op;
	unsigned ctx, n; /* model index; tree or direct bit count, a number's top bits */
	uint64_t v;
};

static struct sym syms[NSYM];
static uint8_t out[NSYM * 24 + FL_RC_FLUSH_BYTES];

struct models {
	uint16_t bits[NPROBS];
	uint16_t trees[4][256];
	struct fl_rc_num nums[4];
};

static void models_init(struct models *m)
{
	fl_rc_probs_init(m->bits, NPROBS);
	fl_rc_probs_init(&m->trees[0][0], 4 * 256);
	for (int i = 0; i < 4; i++)
		fl_rc_num_init(&m->nums[i]);
}

static size_t encode(size_t n)
{
	static struct models m;
	struct fl_rc_enc e;
	models_init(&m);
	fl_rc_enc_init(&e, out);
	for (size_t i = 0; i < n; i++) {
		const struct sym *s = &syms[i];
		switch (s->op) {
		case BIT:
			fl_rc_enc_bit(&e, &m.bits[s->ctx], (unsigned)s->v);
			break;
		case TREE:
			fl_rc_enc_tree(&e, m.trees[s->ctx], s->n, (unsigned)s->v);
			break;
		case DIRECT:
			fl_rc_enc_direct(&e, (uint32_t)s->v, s->n);
			break;
		case NUM:
			fl_rc_enc_num(&e, &m.nums[s->ctx], s->v, s->n);
			break;
		}
	}
	return fl_rc_enc_finish(&e);
}

/* Decodes n symbols of the shapes in syms[]; returns how many came back wrong. */
static size_t decode(const uint8_t *in, size_t len, size_t n, int *finished)
{
	static struct models m;
	struct fl_rc_dec d;
	size_t wrong = 0;
	models_init(&m);
	if (fl_rc_dec_init(&d, in, len) < 0) {
		*finished = 0;
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sym *s = &syms[i];
		uint64_t v = 0;
		switch (s->op) {
		case BIT:
			v = fl_rc_dec_bit(&d, &m.bits[s->ctx]);
			break;
		case TREE:
			v = fl_rc_dec_tree(&d, m.trees[s->ctx], s->n);
			break;
		case DIRECT:
			v = fl_rc_dec_direct(&d, s->n);
			break;
		case NUM:
			if (fl_rc_dec_num(&d, &m.nums[s->ctx], &v, s->n) < 0)
				v = ~s->v;
			break;
		}
		wrong += v != s->v;
	}
	*finished = fl_rc_dec_finished(&d);
	return wrong;
}

static void round_trip(const char *what, size_t n)
{
	size_t len = encode(n);
	int finished;
	size_t wrong = decode(out, len, n, &finished);
	if (wrong || !finished)
		fprintf(stderr, "%s: %zu of %zu symbols wrong, finished %d\n", what, wrong, n,
			finished);
	CHECK_EQ_U64(wrong, 0);
	CHECK(finished);
	CHECK(len <= sizeof(out));
}

static uint64_t any_length(uint64_t r)
{
	unsigned len = (unsigned)(rnd() % 65);
	return len == 0	   ? 0
	       : len == 64 ? (r | 1ull << 63)
			   : ((r & ((1ull << len) - 1)) | 1ull << (len - 1));
}

static void test_random(void)
{
	for (size_t i = 0; i < NSYM; i++) {
		uint64_t r = rnd(), v = rnd();
		struct sym *s = &syms[i];
		s->op = (enum op)(r % 4);
		s->ctx = (unsigned)(r >> 8) % 4;
		switch (s->op) {
		case BIT: /* skewed per model, so that probabilities move */
			s->ctx = (unsigned)(r >> 8) % NPROBS;
			s->v = v % 100 < s->ctx;
			break;
		case TREE:
			s->n = 1 + (unsigned)(r >> 16) % 8;
			s->v = v & ((1u << s->n) - 1);
			break;
		case DIRECT:
			s->n = (unsigned)(r >> 16) % 33;
			s->v = s->n == 32 ? (uint32_t)v : v & ((1u << s->n) - 1);
			break;
		case NUM:
			s->n = (unsigned)(r >> 16) % (FL_RC_NUM_TOP + 1);
			s->v = r % 3 ? v % 1000 : any_length(v);
			break;
		}
	}
	round_trip("random", NSYM);
}

static void test_adversarial(void)
{
	size_t n = 0;
	/* a model trained to 0, then a run of 1s at its floor, and back */
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 400; i++)
			syms[n++] = (struct sym){BIT, 0, 0, 0};
		for (int i = 0; i < 400; i++)
			syms[n++] = (struct sym){BIT, 0, 0, 1};
	}
	/* every bit the unlikely one: the longest code */
	for (int i = 0; i < 20000; i++)
		syms[n++] = (struct sym){BIT, 1, 0, (unsigned)i % 2};
	/* carries: highly likely 1s push low up through runs of 0xFF */
	for (int i = 0; i < 40000; i++)
		syms[n++] = (struct sym){BIT, 2, 0, i % 997 != 0};
	/* numbers at every length, extremes included, in one model */
	for (unsigned len = 0; len <= 64; len++) {
		uint64_t lo = len ? 1ull << (len - 1) : 0;
		uint64_t hi = len == 64 ? UINT64_MAX : len ? (1ull << len) - 1 : 0;
		syms[n++] = (struct sym){NUM, 0, FL_RC_NUM_TOP, lo};
		syms[n++] = (struct sym){NUM, 0, FL_RC_NUM_TOP, hi};
		syms[n++] = (struct sym){NUM, 1, 0, any_length(rnd())};
		syms[n++] = (struct sym){NUM, 3, 1, hi};
	}
	for (int i = 0; i < 5000; i++)
		syms[n++] = (struct sym){NUM, 2, FL_RC_NUM_TOP, i % 2 ? UINT64_MAX : 0};
	/* direct bits, all ones and all zeros at every width */
	for (unsigned w = 0; w <= 32; w++) {
		syms[n++] = (struct sym){DIRECT, 0, w, w == 32 ? UINT32_MAX : (1u << w) - 1};
		syms[n++] = (struct sym){DIRECT, 0, w, 0};
	}
	CHECK(n <= NSYM);
	round_trip("adversarial", n);
	/* nothing but one symbol: the shortest stream */
	syms[0] = (struct sym){BIT, 0, 0, 0};
	round_trip("one bit", 1);
	round_trip("nothing", 0);
}

/* Random bytes, and a real stream with a byte changed or cut: the decoder
 * reads only its buffer (the sanitized build checks) and, for cut or padded
 * input, says it did not finish. */
static void test_garbage(void)
{
	static uint8_t in[4096];
	size_t n = 2000, len;
	int finished;
	for (int trial = 0; trial < 2000; trial++) {
		size_t l = rnd() % sizeof(in);
		for (size_t i = 0; i < l; i++)
			in[i] = (uint8_t)rnd();
		decode(in, l, n, &finished);
	}
	for (size_t i = 0; i < n; i++)
		syms[i] = (struct sym){NUM, (unsigned)i % 4, FL_RC_NUM_TOP, rnd() % 5000};
	len = encode(n);
	decode(out, len - 1, n, &finished);
	CHECK(!finished);
	out[len] = 0x55;
	decode(out, len + 1, n, &finished);
	CHECK(!finished);
}

/* The tokens of the heap lines (faultline/hccoded.h): random ones, and runs
 * that repeat earlier ones with now and then a change, so that the match
 * model predicts, hits and misses, and the recent values are taken from. */
#define NTOK 50000 /* at most 55 bytes each: within out[] */
static unsigned tok_letter[NTOK];
static uint64_t tok_nums[NTOK][3];

static void random_token(size_t i)
{
	unsigned l = (unsigned)(rnd() % FL_HC_NLETTERS);
	tok_letter[i] = l;
	for (unsigned n = 0; fl_hc_letter_columns[l][n] != FL_HC_NCOLS; n++) {
		uint64_t r = rnd();
		tok_nums[i][n] = r % 4 == 0 ? any_length(r) : r % 4 == 1 ? r % 8 : r % 3000;
	}
}

static void test_tokens(void)
{
	static struct fl_hc_models enc_models, dec_models;
	struct fl_rc_enc e;
	struct fl_rc_dec d;
	size_t len, wrong = 0, matched = 0, recent = 0;
	unsigned ctx = FL_HC_NLETTERS;
	for (size_t i = 0; i < NTOK; i++) {
		if (i > 100 && rnd() % 3 == 0) { /* a run copied from before */
			size_t from = rnd() % (i - 50), n = 1 + rnd() % 200;
			for (size_t k = 0; k < n && i < NTOK; k++, i++) {
				tok_letter[i] = tok_letter[from + k];
				memcpy(tok_nums[i], tok_nums[from + k], sizeof(tok_nums[i]));
				if (rnd() % 50 == 0)
					tok_nums[i][0] ^= 1;
			}
			i--;
		} else {
			random_token(i);
		}
	}
	fl_hc_models_init(&enc_models);
	fl_rc_enc_init(&e, out);
	for (size_t i = 0; i < NTOK; i++) {
		unsigned col = fl_hc_letter_columns[tok_letter[i]][0];
		matched += enc_models.match.len > 0;
		for (unsigned k = 0; col != FL_HC_NCOLS && k < enc_models.recent[col].n; k++)
			recent += enc_models.recent[col].v[k] == tok_nums[i][0];
		fl_hc_enc_token(&e, &enc_models, &ctx, tok_letter[i], tok_nums[i]);
	}
	len = fl_rc_enc_finish(&e);
	CHECK(len <= sizeof(out));
	CHECK(matched > NTOK / 4);
	CHECK(recent > NTOK / 20);
	fl_hc_models_init(&dec_models);
	ctx = FL_HC_NLETTERS;
	CHECK(fl_rc_dec_init(&d, out, len) == 0);
	for (size_t i = 0; i < NTOK; i++) {
		unsigned l = 99;
		uint64_t nums[3] = {0};
		CHECK(fl_hc_dec_token(&d, &dec_models, &ctx, &l, nums) == 0);
		wrong += l != tok_letter[i];
		for (unsigned n = 0;
		     l < FL_HC_NLETTERS && fl_hc_letter_columns[l][n] != FL_HC_NCOLS; n++)
			wrong += nums[n] != tok_nums[i][n];
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK(fl_rc_dec_finished(&d));
}

/* The decoder's form of the probability move is the encoder's, for every
 * probability either bit can meet (and the whole 11-bit range besides). */
static void test_adapt(void)
{
	uint64_t wrong = 0;
	for (uint32_t p = 0; p <= FL_RC_PROB_ONE; p++)
		for (unsigned bit = 0; bit < 2; bit++)
			wrong += fl_rc_dec_adapt(p, bit) != fl_rc_adapt((uint16_t)p, bit);
	CHECK_EQ_U64(wrong, 0);
}

int main(void)
{
	test_adapt();
	test_random();
	test_adversarial();
	test_garbage();
	test_tokens();
	return check_result();
}
