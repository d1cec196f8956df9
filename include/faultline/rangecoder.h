/*
 * An adaptive binary range coder (the carry-less form LZMA uses: 32-bit
 * range, 11-bit probabilities, a cache byte for the carry) and the models of
 * the version 4 "hc" lines built on it (schema.h, FL_K_HC_CODED). Shared by
 * the shim, which encodes, and the analyzer, which decodes: both must make
 * the same model updates in the same order, so both sides use this one
 * header. Everything is inline and calls nothing: the shim may use it under
 * its writer lock.
 *
 * Exactness: the decoder gives back every bit the encoder coded, whatever
 * the probabilities; the models only decide how many bytes that takes. A
 * corrupt input cannot make the decoder read outside its buffer: it reads
 * zeros past the end and says so (fl_rc_dec_finished).
 */
#ifndef FAULTLINE_RANGECODER_H
#define FAULTLINE_RANGECODER_H

#include <stddef.h>
#include <stdint.h>

#define FL_RC_PROB_BITS 11
#define FL_RC_PROB_ONE (1u << FL_RC_PROB_BITS)
/* Adaptation: each coded bit moves its probability 1/32 of the way. */
#define FL_RC_MOVE 5
#define FL_RC_TOP (1u << 24)

/* Bytes a flush adds: the cache byte and low's four. */
#define FL_RC_FLUSH_BYTES 5

struct fl_rc_enc {
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	uint8_t *out;
	size_t n;
};

static inline void fl_rc_enc_init(struct fl_rc_enc *e, uint8_t *out)
{
	e->low = 0;
	e->range = 0xFFFFFFFFu;
	e->cache = 0;
	e->cache_size = 1;
	e->out = out;
	e->n = 0;
}

/* The top byte of low leaves, once no carry can change it. */
static inline void fl_rc_shift_low(struct fl_rc_enc *e)
{
	if ((uint32_t)e->low < 0xFF000000u || (e->low >> 32) != 0) {
		uint8_t carry = (uint8_t)(e->low >> 32), byte = e->cache;
		do {
			e->out[e->n++] = (uint8_t)(byte + carry);
			byte = 0xFF;
		} while (--e->cache_size != 0);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00FFFFFFu) << 8;
}

/* The probability of a 0 after coding bit, without a branch: the bits of
 * slots and sizes are coin tosses the CPU cannot predict. It stays within
 * [31, 2017], so a decision never costs more than 6.05 bits. */
static inline uint16_t fl_rc_adapt(uint16_t p, unsigned bit)
{
	uint32_t mask = 0u - bit;
	uint32_t up = (FL_RC_PROB_ONE - p) >> FL_RC_MOVE, down = (uint32_t)p >> FL_RC_MOVE;
	return (uint16_t)(p + (up & ~mask) - (down & mask));
}

/* The same move for the decoder, in 32 bits and four operations (the masks
 * above compile to a dozen: nearly a fifth of the decoder's instructions
 * under callgrind). With target 0 after a 1 and 2048 - 31 after a 0,
 * p - (p - target) / 32 rounded down is p - p / 32, or p + (2048 - p) / 32,
 * each rounded down as above (GCC shifts a negative int arithmetically;
 * t_rangecoder checks every p against fl_rc_adapt). */
static inline uint32_t fl_rc_dec_adapt(uint32_t p, unsigned bit)
{
	uint32_t target = bit ? 0 : FL_RC_PROB_ONE - (1u << FL_RC_MOVE) + 1;
	return p - (uint32_t)((int32_t)(p - target) >> FL_RC_MOVE);
}

static inline void fl_rc_enc_bit(struct fl_rc_enc *e, uint16_t *p, unsigned bit)
{
	uint32_t bound = (e->range >> FL_RC_PROB_BITS) * *p, mask = 0u - bit;
	e->low += bound & mask;
	e->range = (bound & ~mask) | ((e->range - bound) & mask);
	*p = fl_rc_adapt(*p, bit);
	/* one shift at most: range was >= 2^24 and keeps >= 31/2048 of it */
	if (e->range < FL_RC_TOP) {
		e->range <<= 8;
		fl_rc_shift_low(e);
	}
}

/* The low n bits of v (n <= 32), each at one half: up to 16 at a time
 * (range keeps at least 2^8 of its 2^24). */
static inline void fl_rc_enc_direct(struct fl_rc_enc *e, uint32_t v, unsigned n)
{
	while (n) {
		unsigned k = n > 16 ? 16 : n;
		n -= k;
		e->range >>= k;
		e->low += (uint64_t)e->range * ((v >> n) & ((1u << k) - 1));
		while (e->range < FL_RC_TOP) {
			e->range <<= 8;
			fl_rc_shift_low(e);
		}
	}
}

/* Returns the byte count of the coded stream in e->out. */
static inline size_t fl_rc_enc_finish(struct fl_rc_enc *e)
{
	for (int i = 0; i < FL_RC_FLUSH_BYTES; i++)
		fl_rc_shift_low(e);
	return e->n;
}

struct fl_rc_dec {
	uint32_t range, code;
	const uint8_t *in;
	size_t n, i;
	int overrun; /* read past the end: the input is not what an encoder wrote */
};

static inline uint8_t fl_rc_dec_byte(struct fl_rc_dec *d)
{
	if (d->i < d->n)
		return d->in[d->i++];
	d->overrun = 1;
	return 0;
}

/* -1 when the stream cannot be one the encoder wrote (its first byte is 0). */
static inline int fl_rc_dec_init(struct fl_rc_dec *d, const uint8_t *in, size_t n)
{
	d->in = in;
	d->n = n;
	d->i = 0;
	d->overrun = 0;
	d->range = 0xFFFFFFFFu;
	d->code = 0;
	if (fl_rc_dec_byte(d) != 0)
		return -1;
	for (int i = 0; i < 4; i++)
		d->code = (d->code << 8) | fl_rc_dec_byte(d);
	return d->overrun ? -1 : 0;
}

/*
 * One decision with probability p of a 0; updates code and range, not p,
 * and sets *next to p1 after a 1, p0 after a 0 (a tree's next
 * probability). Decoding is one long chain of these, each waiting for the
 * range the one before left, and the bit is a coin toss no predictor
 * guesses. On x86-64 range, code and *next are conditional moves on the
 * compare's flags: a decision then waits for the shift, the multiply, the
 * compare and one move, where the masks (the encoder's form, which GCC
 * keeps as written) put setae, neg, and, or after the compare; and a
 * ternary is a branch GCC may choose (it did, for *next).
 */
__attribute__((always_inline)) static inline unsigned
fl_rc_dec_decide(struct fl_rc_dec *d, uint32_t p, uint32_t p0, uint32_t p1, uint32_t *next)
{
	uint32_t bound = (d->range >> FL_RC_PROB_BITS) * p, old = d->code;
	uint32_t range = d->range - bound, code = old - bound;
	unsigned bit;
#if defined(__x86_64__)
	bit = 0;
	__asm__("cmpl %[bound], %[old]\n\t"
		"setae %b[bit]\n\t"
		"cmovbl %[bound], %[range]\n\t"
		"cmovbl %[old], %[code]\n\t"
		"cmovael %[p1], %[p0]"
		: [bit] "+q"(bit), [range] "+r"(range), [code] "+r"(code), [p0] "+r"(p0)
		: [bound] "r"(bound), [old] "r"(old), [p1] "r"(p1)
		: "cc");
#else
	{
		uint32_t mask;
		bit = old >= bound;
		mask = 0u - bit;
		range = (bound & ~mask) | (range & mask);
		code = (old & ~mask) | (code & mask);
		p0 = (p0 & ~mask) | (p1 & mask);
	}
#endif
	*next = p0;
	d->range = range;
	d->code = code;
	if (d->range < FL_RC_TOP) {
		d->range <<= 8;
		d->code = (d->code << 8) | fl_rc_dec_byte(d);
	}
	return bit;
}

static inline unsigned fl_rc_dec_bit(struct fl_rc_dec *d, uint16_t *p)
{
	uint32_t unused;
	unsigned bit = fl_rc_dec_decide(d, *p, 0, 0, &unused);
	*p = (uint16_t)fl_rc_dec_adapt(*p, bit);
	return bit;
}

/* A corrupt stream can make a value of more than n bits: it is cut to n,
 * and the stream will not finish (fl_rc_dec_finished). */
static inline uint32_t fl_rc_dec_direct(struct fl_rc_dec *d, unsigned n)
{
	uint32_t v = 0;
	while (n) {
		unsigned k = n > 16 ? 16 : n;
		uint32_t part;
		n -= k;
		d->range >>= k;
		part = d->code / d->range;
		if (part >> k) {
			part = (1u << k) - 1;
			d->overrun = 1;
		}
		d->code -= part * d->range;
		v = (v << k) | part;
		while (d->range < FL_RC_TOP) {
			d->range <<= 8;
			d->code = (d->code << 8) | fl_rc_dec_byte(d);
		}
	}
	return v;
}

/* A stream the encoder finished ends exactly here, with nothing left in code. */
static inline int fl_rc_dec_finished(const struct fl_rc_dec *d)
{
	return !d->overrun && d->i == d->n && d->code == 0;
}

/* A symbol of 2^bits values as a binary tree of decisions, top bit first:
 * probs holds 2^bits entries, [0] unused. */
static inline void fl_rc_enc_tree(struct fl_rc_enc *e, uint16_t *probs, unsigned bits, unsigned sym)
{
	unsigned node = 1;
	while (bits--) {
		unsigned bit = (sym >> bits) & 1;
		fl_rc_enc_bit(e, &probs[node], bit);
		node = (node << 1) | bit;
	}
}

/* As fl_rc_dec_bit down the tree, but both children's probabilities load
 * while a decision is made: the next one then waits for a select, not for
 * a load that depends on the bit (decoding is one long chain of them). */
__attribute__((always_inline)) static inline unsigned fl_rc_dec_tree(struct fl_rc_dec *d,
								     uint16_t *probs, unsigned bits)
{
	unsigned node = 1;
	uint32_t p = probs[1];
	/* unrolled where bits is a constant: no loop branch to mispredict */
#pragma GCC unroll 8
	for (unsigned i = 0; i < bits; i++) {
		uint32_t p0 = 0, p1 = 0, next;
		unsigned bit;
		if (i + 1 < bits) {
			p0 = probs[2 * node];
			p1 = probs[2 * node + 1];
		}
		bit = fl_rc_dec_decide(d, p, p0, p1, &next);
		probs[node] = (uint16_t)fl_rc_dec_adapt(p, bit);
		node = 2 * node + bit;
		p = next;
	}
	return node - (1u << bits);
}

static inline void fl_rc_probs_init(uint16_t *probs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		probs[i] = FL_RC_PROB_ONE / 2;
}

/*
 * A number of up to 64 bits: its bit length (0 for 0) as a 4-bit tree, 15
 * meaning 15 or more, with the length - 15 following as a 6-bit tree (a
 * column's numbers mostly have a few short lengths: 4 decisions, not 7),
 * then the top bits below its leading one (at most FL_RC_NUM_TOP, the
 * caller's choice; fewer if it has fewer) as a tree in the context of the
 * length (sizes that recur cost little), then the rest as direct bits (for
 * random low bits nothing does better, and they cost no decision).
 */
#define FL_RC_NUM_TOP 3
#define FL_RC_NUM_LONG 15
struct fl_rc_num {
	uint16_t len[16];
	uint16_t long_len[64];
	uint16_t top[65][1u << FL_RC_NUM_TOP];
};

static inline void fl_rc_num_init(struct fl_rc_num *m)
{
	fl_rc_probs_init(m->len, sizeof(m->len) / sizeof(m->len[0]));
	fl_rc_probs_init(m->long_len, sizeof(m->long_len) / sizeof(m->long_len[0]));
	fl_rc_probs_init(&m->top[0][0], sizeof(m->top) / sizeof(m->top[0][0]));
}

__attribute__((always_inline)) static inline void
fl_rc_enc_num(struct fl_rc_enc *e, struct fl_rc_num *m, uint64_t v, unsigned ntop)
{
	unsigned len = v ? 64 - (unsigned)__builtin_clzll(v) : 0, below, top;
	if (len < FL_RC_NUM_LONG) {
		fl_rc_enc_tree(e, m->len, 4, len);
	} else {
		fl_rc_enc_tree(e, m->len, 4, FL_RC_NUM_LONG);
		fl_rc_enc_tree(e, m->long_len, 6, len - FL_RC_NUM_LONG);
	}
	if (len < 2)
		return;
	below = len - 1;
	top = below < ntop ? below : ntop;
	fl_rc_enc_tree(e, m->top[len], top, (unsigned)(v >> (below - top)) & ((1u << top) - 1));
	below -= top;
	if (below > 32) {
		fl_rc_enc_direct(e, (uint32_t)(v >> 32), below - 32);
		below = 32;
	}
	fl_rc_enc_direct(e, (uint32_t)v, below);
}

/* -1 on a length no encoder writes (above 64). */
__attribute__((always_inline)) static inline int
fl_rc_dec_num(struct fl_rc_dec *d, struct fl_rc_num *m, uint64_t *out, unsigned ntop)
{
	unsigned len = fl_rc_dec_tree(d, m->len, 4), below, top;
	uint64_t v;
	if (len == FL_RC_NUM_LONG)
		len += fl_rc_dec_tree(d, m->long_len, 6);
	if (len > 64)
		return -1;
	if (len < 2) {
		*out = len;
		return 0;
	}
	below = len - 1;
	top = below < ntop ? below : ntop;
	v = (1u << top) | fl_rc_dec_tree(d, m->top[len], top);
	below -= top;
	if (below > 32) {
		v = (v << (below - 32)) | fl_rc_dec_direct(d, below - 32);
		below = 32;
	}
	v = (v << below) | fl_rc_dec_direct(d, below);
	*out = v;
	return 0;
}

/* Signed numbers as unsigned, the small ones of either sign small. */
static inline uint64_t fl_rc_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (0 - ((uint64_t)v >> 63));
}

static inline int64_t fl_rc_unzigzag(uint64_t u)
{
	return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

#endif
