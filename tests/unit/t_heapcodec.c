/*
 * The compact heap lines round trip: the shim's encoder (preload/record/
 * heapcodec.c) writes random calls of every kind, with every optional part
 * and values at their extremes (sizes 0 and 2^63 - 1, addresses 0 and near
 * 2^64, time going back, seq jumps, every call name, more live blocks than
 * slots, frees of blocks no slot holds), and the reader's decoder
 * (analyzer/read/heapcalls.c) must give back each call: exactly, but for
 * its time, which is at most 999 ns early (whole microseconds). Then the
 * decoder's errors on lines the shim never writes, and a version 2 line.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "check.h"
#include "faultline/hccoded.h"
#include "faultline/schema.h"
#include "read/heapcalls.h"
#include "record/heapcodec.h"
#include "record/thread.h"

#define NEV 60000
#define MAXLIVE 6000 /* above FL_HC_MAX_SLOTS: some blocks go without a slot */

static struct fl_event evs[NEV];
static size_t nev, ndecoded, mismatches;
static int verify = 1; /* compare with evs[]; else only count */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

static const uint64_t odd_sizes[] = {0, 1, 16, 24, 25, 4096, INT64_MAX, 1u << 20};
static const uint64_t odd_addrs[] = {0x10, 0xfffffffffffff000ull, 0x7fffffffffffull, 1ull << 47};
static const uint32_t stacks[] = {0, 1, 2, 3, UINT32_MAX};

static uint64_t live_addr[MAXLIVE], live_size[MAXLIVE];
static size_t nlive;
static uint64_t next_addr = 0x555555550000ull, t_now = 1000000, seq_now = 100;

static uint64_t new_size(void)
{
	uint64_t r = rnd() % 8;
	/* a few sizes often: free lists longer than one */
	return r == 0  ? pick(odd_sizes, sizeof(odd_sizes) / 8)
	       : r < 4 ? 16 + rnd() % 3 * 16
		       : 16 + rnd() % 600;
}

/* Mostly a bump allocator reusing freed addresses, as a real one would. */
static uint64_t new_addr(uint64_t size)
{
	uint64_t a;
	if (rnd() % 50 == 0)
		return pick(odd_addrs, sizeof(odd_addrs) / 8) + (rnd() % 64) * 16;
	a = next_addr;
	next_addr += FL_HC_CHUNK(size % 4096) + (rnd() % 10 == 0 ? rnd() % 100000 * 16 : 0);
	return a;
}

static struct fl_event *next_event(int kind)
{
	struct fl_event *ev = &evs[nev++];
	uint64_t r = rnd() % 100;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (uint16_t)kind;
	ev->tid = rnd() % 20 == 0 ? 2000 + rnd() % 3 : 1000;
	/* small steps, a few long ones, and now and then a step back */
	t_now += r < 80	  ? rnd() % 3000
		 : r < 95 ? rnd() % 5000000
		 : r < 98 ? 1ull << 40
			  : (uint64_t)-700;
	ev->t = t_now;
	seq_now += rnd() % 10 == 0 ? 1 + rnd() % (1ull << 40) : 1;
	ev->seq = seq_now;
	ev->stack = stacks[rnd() % 5];
	return ev;
}

static void take_live(size_t i, uint64_t *addr, uint64_t *size)
{
	*addr = live_addr[i];
	*size = live_size[i];
	live_addr[i] = live_addr[--nlive];
	live_size[i] = live_size[nlive];
}

/* A loop, as real programs run them: the same few allocations (sizes,
 * stacks) freed in reverse each time round, at the same addresses; what
 * version 4's match model and recent values are for. */
static void gen_loop(void)
{
	uint64_t size[6], addr[6], rounds = 5 + rnd() % 40, body = 2 + rnd() % 5;
	uint32_t stack[6];
	if (nev + rounds * body * 2 > NEV)
		return;
	for (uint64_t i = 0; i < body; i++) {
		size[i] = new_size();
		addr[i] = new_addr(size[i]);
		stack[i] = stacks[rnd() % 5];
	}
	for (uint64_t r = 0; r < rounds; r++) {
		for (uint64_t i = 0; i < body; i++) {
			struct fl_event *ev = next_event(FL_EVK_ALLOC);
			ev->fn = FL_CALL_MALLOC;
			ev->stack = stack[i];
			ev->a[0] = addr[i];
			ev->a[1] = ev->a[2] = size[i];
		}
		for (uint64_t i = body; i-- > 0;) {
			struct fl_event *ev = next_event(FL_EVK_FREE);
			ev->fn = FL_CALL_FREE;
			ev->a[0] = addr[i];
			ev->a[1] = size[i];
		}
	}
}

static void gen_one(void)
{
	uint64_t r = rnd() % 100, addr, size, k;
	struct fl_event *ev;
	if (rnd() % 200 == 0) {
		gen_loop();
		return;
	}
	if (nlive && (r < 40 || nlive == MAXLIVE)) {
		ev = next_event(FL_EVK_FREE);
		ev->fn = FL_CALL_FREE;
		take_live(rnd() % nlive, &ev->a[0], &ev->a[1]);
		if (rnd() % 30 == 0) /* a block no slot holds, or not its size */
			ev->a[rnd() % 2] ^= 0x40;
	} else if (nlive && r < 50) {
		ev = next_event(FL_EVK_REALLOC);
		ev->fn = rnd() % 4 ? FL_CALL_REALLOC : FL_CALL_REALLOCARRAY;
		take_live(rnd() % nlive, &ev->a[0], &ev->a[4]);
		ev->a[2] = new_size();
		ev->a[1] = rnd() % 40 == 0 ? 0 : new_addr(ev->a[2]);
		ev->a[3] = rnd() % 10 == 0 ? rnd() % 3 * (uint64_t)INT64_MAX / 2 : ev->a[2];
		if (ev->a[1]) {
			live_addr[nlive] = ev->a[1];
			live_size[nlive++] = ev->a[2];
		}
	} else {
		ev = next_event(FL_EVK_ALLOC);
		ev->fn = rnd() % 3 ? FL_CALL_MALLOC : (uint16_t)(rnd() % FL_CALL_COUNT);
		size = new_size();
		/* now and then at an address freed of late, with its size: from the free lists */
		k = 2 + rnd() % 6;
		if (nev > k && evs[nev - k].kind == FL_EVK_FREE && rnd() % 2) {
			addr = evs[nev - k].a[0];
			size = evs[nev - k].a[1];
		} else {
			addr = new_addr(size);
		}
		ev->a[0] = addr;
		ev->a[1] = size;
		ev->a[2] = rnd() % 10 == 0 ? rnd() : size;
		live_addr[nlive] = addr;
		live_size[nlive++] = size;
	}
}

static int check_call(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	const struct fl_event *ev = &evs[ndecoded++];
	uint64_t t = (uint64_t)fl_flat_int(f, FL_K_TIME, -1);
	int bad = 0;
	char fn[32];
	(void)ctx;
	(void)loc;
	if (!verify)
		return 0;
	bad |= t > ev->t || ev->t - t > 999;
	bad |= (uint64_t)fl_flat_int(f, FL_K_SEQ, -1) != ev->seq;
	bad |= fl_flat_int(f, FL_K_TID, -1) != ev->tid;
	switch (ev->kind) {
	case FL_EVK_FREE:
		bad |= f->ev != FL_E_FREE || fl_flat_addr(f, FL_K_ADDR) != ev->a[0] ||
		       (uint64_t)fl_flat_int(f, FL_K_SIZE, -1) != ev->a[1];
		break;
	case FL_EVK_ALLOC:
		bad |= f->ev != FL_E_ALLOC || fl_flat_addr(f, FL_K_ADDR) != ev->a[0] ||
		       (uint64_t)fl_flat_int(f, FL_K_SIZE, -1) != ev->a[1] ||
		       (uint64_t)fl_flat_int(f, FL_K_WEIGHT, -1) != ev->a[2];
		break;
	case FL_EVK_REALLOC:
		bad |= f->ev != FL_E_REALLOC || fl_flat_addr(f, FL_K_OLD_ADDR) != ev->a[0] ||
		       (uint64_t)fl_flat_int(f, FL_K_OLD_SIZE, -1) != ev->a[4] ||
		       fl_flat_addr(f, FL_K_ADDR) != ev->a[1] ||
		       (uint64_t)fl_flat_int(f, FL_K_SIZE, -1) != ev->a[2] ||
		       (uint64_t)fl_flat_int(f, FL_K_WEIGHT, -1) != ev->a[3];
		break;
	}
	if (ev->kind != FL_EVK_FREE)
		bad |=
		    (uint64_t)fl_flat_int(f, FL_K_STACK, -1) != ev->stack ||
		    strcmp(fl_flat_str(f, FL_K_FUNC, fn, sizeof(fn)), fl_call_names[ev->fn]) != 0;
	if (bad && mismatches++ < 5)
		fprintf(stderr, "call %zu (kind %d) decoded wrong\n", ndecoded - 1, ev->kind);
	return 0;
}

/* Feeds each "hc" line of text to the decoder; returns the errors it reported. */
static int decode_text(struct fl_hc_decoder *d, const char *text, size_t len)
{
	struct fl_reader_loc loc = {"test", 0};
	int errors = 0, stop = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t jerr;
		json_t *obj = json_loadb(p, (size_t)(nl - p), 0, &jerr);
		char buf[256];
		CHECK(obj != NULL);
		if (obj && !strcmp(json_string_value(json_object_get(obj, FL_K_EVENT)), "hc"))
			errors += fl_hc_expand(d, obj, check_call, NULL, &loc, &stop, buf,
					       sizeof(buf)) != NULL;
		json_decref(obj);
		p = nl + 1;
	}
	return errors;
}

/* How many times l occurs in the "k" strings of text. memmem within len,
 * not strstr: ASan's strstr measures the whole rest of the text at each
 * call (the test took 56 s under ASan, 0.3 s without). */
static size_t count_letter(const char *text, size_t len, char l)
{
	size_t n = 0;
	const char *end = text + len;
	for (const char *p = text; (p = memmem(p, (size_t)(end - p), "\"k\":\"", 5));)
		for (p += 5; p < end && *p != '"'; p++)
			n += *p == l;
	return n;
}

enum form { COLUMNS, CODED, MIXED };

/* The same calls each time (the generator starts over), in version 3's
 * columns, version 4's coded lines, or either form line by line. */
static void round_trip(enum form form, struct fl_out *o)
{
	static char mem[16 << 20];
	struct fl_hc_decoder *d = fl_hc_new();
	rng = 0x9e3779b97f4a7c15ull;
	nev = nlive = ndecoded = mismatches = 0;
	next_addr = 0x555555550000ull, t_now = 1000000, seq_now = 100;
	fl_config.compact = form == COLUMNS ? FL_COMPACT_COLUMNS : FL_COMPACT_CODED;
	fl_heapcodec_new_epoch();
	fl_out_init(o, mem, sizeof(mem));
	while (nev < NEV) {
		size_t first = nev;
		gen_one();
		for (size_t i = first; i < nev; i++)
			CHECK(fl_heapcodec_add(o, &evs[i]) == 1);
		if (form == MIXED && rnd() % 700 == 0) { /* a line of the other form */
			fl_heapcodec_flush(o);
			fl_config.compact = fl_config.compact == FL_COMPACT_CODED
						? FL_COMPACT_COLUMNS
						: FL_COMPACT_CODED;
		}
		if (rnd() % 5000 == 0) { /* a tick: a new epoch */
			fl_heapcodec_flush(o);
			fl_heapcodec_new_epoch();
		}
	}
	fl_heapcodec_flush(o);
	CHECK_EQ_U64(o->dropped_lines, 0);
	/* the buffer holds the last run's bytes past o->len: memmem, not strstr */
	CHECK((memmem(o->buf, o->len, "\"k\":\"", 5) != NULL) == (form != CODED));
	CHECK((memmem(o->buf, o->len, "\"r\":\"", 5) != NULL) == (form != COLUMNS));
	CHECK_EQ_U64(decode_text(d, o->buf, o->len), 0);
	CHECK_EQ_U64(ndecoded, nev);
	CHECK_EQ_U64(mismatches, 0);
	fl_hc_free(d);
}

static void test_round_trip(void)
{
	struct fl_out o;
	size_t columns_len;
	round_trip(COLUMNS, &o);
	columns_len = o.len;
	CHECK(strstr(o.buf, "\"c\":\"") != NULL);
	for (const char *l = "012345678qcswrgx"; *l; l++) { /* every letter was written */
		if (!count_letter(o.buf, o.len, *l))
			fprintf(stderr, "letter '%c' never written\n", *l);
		CHECK(count_letter(o.buf, o.len, *l) > 0);
	}
	CHECK(strstr(o.buf, "\"u\":\"-") || strstr(o.buf, " -")); /* and time going back */
	round_trip(CODED, &o);
	CHECK(o.len < columns_len);
	round_trip(MIXED, &o);
}

/* One line through the decoder, from a fresh state: its error or NULL. */
static const char *decode_line(const char *line, size_t *calls)
{
	static char buf[256];
	struct fl_reader_loc loc = {"test", 0};
	struct fl_hc_decoder *d = fl_hc_new();
	json_error_t jerr;
	json_t *obj = json_loads(line, 0, &jerr);
	const char *msg;
	int stop = 0;
	size_t before;
	CHECK(obj != NULL);
	verify = 0;
	before = ndecoded = 0;
	msg = obj ? fl_hc_expand(d, obj, check_call, NULL, &loc, &stop, buf, sizeof(buf)) : "";
	*calls = ndecoded - before;
	json_decref(obj);
	fl_hc_free(d);
	return msg;
}

static void test_errors(void)
{
	/* {letters, slots, sizes, places, deltas, us} */
	static const char *const bad[][6] = {
	    {"7", "", "16", "", "0", ""},    /* the first allocation of an epoch names its stack */
	    {"s5", "", "16", "", "", ""},    /* the free list is empty */
	    {"s76", "1", "16", "", "0", ""}, /* slot 1 holds nothing */
	    {"s768", "0", "1616", "2", "0", ""}, /* the list holds one address */
	    {"s7", "", "16", "", "", ""},	 /* a delta is missing */
	    {"s7", "", "16", "", "0 1", ""},	 /* one delta too many */
	    {"s77", "", "161", "", "0 0", ""},	 /* sizes that two letters do not split */
	    {"s73", "", "16", "", "0", "1"},	 /* the next call is cut short */
	    {"s7e", "", "16", "", "0", ""},	 /* no such letter */
	    {"s7g", "", "1616", "", "0 0", ""},	 /* fine: a free by address */
	    {"s7r7", "", "1616", "", "0 0", ""}, /* a realloc frees a block first */
	    {"c7", "", "16", "", "0", ""},	 /* c needs its number */
	    {"s40", "0", "16", "", "0", "1"},	 /* a pair frees a block in a slot */
	    {"s7", "", "16", "", "99999999999999999999", ""}, /* beyond 64 bits */
	    {"s7", "", "9300000000000000000", "", "0", ""},   /* a size above INT64_MAX */
	    {"s7", "", "16", "", "1-", ""},		      /* not a number */
	};
	static const char *const keys[] = {"k", "f", "z", "p", "a", "u"};
	size_t calls;
	char line[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = (size_t)snprintf(line, sizeof(line),
					      "{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0,"
					      "\"s\":\"1\"");
		for (size_t c = 0; c < 6; c++)
			if (*bad[i][c])
				len += (size_t)snprintf(line + len, sizeof(line) - len,
							",\"%s\":\"%s\"", keys[c], bad[i][c]);
		snprintf(line + len, sizeof(line) - len, "}");
		if (!decode_line(line, &calls) != (i == 9))
			fprintf(stderr, "bad[%zu] decoded %s\n", i,
				i == 9 ? "wrong" : "without error");
		CHECK(!decode_line(line, &calls) == (i == 9));
	}
	CHECK(decode_line("{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0}", &calls) != NULL);
	CHECK(decode_line("{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0,\"k\":\"\",\"d\":[]}",
			  &calls) != NULL);
	/* well formed: an allocation, a pair (free and allocation at the freed address) */
	CHECK(decode_line("{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0,\"k\":\"s70\","
			  "\"s\":\"1\",\"f\":\"0\",\"z\":\"1616\",\"a\":\"0\"}",
			  &calls) == NULL);
	CHECK_EQ_U64(calls, 3);
}
/* Replaces the first occurrence of from (in line) by to. */
static void edit(char *line, size_t size, const char *from, const char *to)
{
	char *p = strstr(line, from), rest[1 << 16];
	CHECK(p != NULL && strlen(line) < sizeof(rest));
	if (!p)
		return;
	snprintf(rest, sizeof(rest), "%s", p + strlen(from));
	snprintf(p, size - (size_t)(p - line), "%s%s", to, rest);
}

/* Version 4: a coded line the encoder wrote, then broken in every way a
 * torn or edited file could break it: each an error, never a crash (the
 * sanitized build runs this too). */
static void test_coded_errors(void)
{
	static char mem[1 << 20], line[1 << 16], bad[1 << 16];
	struct fl_out o;
	size_t calls, len, m;
	char *r, num[32];
	rng = 7;
	nev = nlive = 0;
	fl_config.compact = FL_COMPACT_CODED;
	fl_heapcodec_new_epoch();
	fl_out_init(&o, mem, sizeof(mem));
	while (nev < 300) {
		size_t first = nev;
		gen_one();
		for (size_t i = first; i < nev; i++) {
			evs[i].tid = 1000;
			fl_heapcodec_add(&o, &evs[i]);
		}
	}
	fl_heapcodec_flush(&o);
	len = (size_t)((char *)memchr(o.buf, '\n', o.len) - o.buf);
	CHECK(len < sizeof(line));
	memcpy(line, o.buf, len);
	line[len] = 0;
	CHECK(decode_line(line, &calls) == NULL);
	CHECK_EQ_U64(calls, nev);
	r = strstr(line, "\"r\":\"") + 5;
	m = (size_t)strtoull(strstr(line, "\"m\":") + 4, NULL, 10);
	/* a character out of base64, a string cut short, one running long */
	snprintf(bad, sizeof(bad), "%s", line);
	bad[r - line + 10] = '!';
	CHECK(decode_line(bad, &calls) != NULL);
	snprintf(bad, sizeof(bad), "%.*s\"}", (int)(strchr(r, '"') - line - 4), line);
	CHECK(decode_line(bad, &calls) != NULL);
	snprintf(bad, sizeof(bad), "%s", line);
	edit(bad, sizeof(bad), "\"r\":\"", "\"r\":\"AAAA");
	CHECK(decode_line(bad, &calls) != NULL);
	/* letter counts that are not the string's */
	for (size_t i = 0; i < 4; i++) {
		static const char *const counts[] = {"0", "-1", "1000000000", NULL};
		char from[40];
		snprintf(bad, sizeof(bad), "%s", line);
		snprintf(from, sizeof(from), "\"m\":%zu", m);
		if (counts[i])
			snprintf(num, sizeof(num), "\"m\":%s", counts[i]);
		else
			snprintf(num, sizeof(num), "\"m\":%zu", m - 1);
		edit(bad, sizeof(bad), from, num);
		CHECK(decode_line(bad, &calls) != NULL);
	}
	/* no count; both "r" and "k" */
	snprintf(bad, sizeof(bad), "%s", line);
	edit(bad, sizeof(bad), "\"m\":", "\"mm\":");
	CHECK(decode_line(bad, &calls) != NULL);
	snprintf(bad, sizeof(bad), "%s", line);
	edit(bad, sizeof(bad), "\"r\":", "\"k\":\"5\",\"r\":");
	CHECK(decode_line(bad, &calls) != NULL);
	/* any character changed to any other of the alphabet: an error or other
	 * calls, but never a read outside the buffers */
	for (int i = 0; i < 2000; i++) {
		size_t at = (size_t)(r - line) + rnd() % (strlen(r) - 2);
		snprintf(bad, sizeof(bad), "%s", line);
		bad[at] = fl_hc_b64[rnd() % 64];
		decode_line(bad, &calls);
		CHECK(calls <= 2 * m);
	}
}

/* Version 2: "d" as integers, dt in ns; an allocation and a free. */
static void test_version2(void)
{
	size_t calls;
	CHECK(decode_line("{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0,"
			  "\"d\":[0,0,16,0,4096,7,1,1500,1]}",
			  &calls) == NULL);
	CHECK_EQ_U64(calls, 2);
	CHECK(decode_line("{\"e\":\"hc\",\"t\":5,\"seq\":1,\"tid\":1,\"n\":0,"
			  "\"d\":[1,0,9]}",
			  &calls) != NULL);
}

int main(void)
{
	test_round_trip();
	test_errors();
	test_coded_errors();
	test_version2();
	return check_result();
}
