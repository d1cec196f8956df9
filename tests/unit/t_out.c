/*
 * The shim's line writer (preload/trace/out.c) and number formatting
 * (preload/base/fmt.c) against plain references: fl_fmt_u64 against
 * snprintf, string escaping against a byte-at-a-time escaper with the same
 * rules (plain ASCII as it is, '"' and '\\' escaped, valid UTF-8 as it is,
 * any other byte as \u00XX), on edge values and random inputs, and every
 * line written must parse as JSON.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/fmt.h"
#include "check.h"
#include "rng.h"
#include "trace/out.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
#define fl_test_rng() test_rng_next(&rng_state)

static void check_u64(uint64_t v)
{
	char got[32], want[32];
	size_t n = fl_fmt_u64(got, v);
	got[n] = '\0';
	snprintf(want, sizeof(want), "%" PRIu64, v);
	CHECK_STR(got, want);
	CHECK_EQ_U64(n, strlen(want));
	CHECK_EQ_U64(fl_fmt_u64_len(v), strlen(want));
}

static void test_numbers(void)
{
	uint64_t p = 1;
	check_u64(0);
	check_u64(UINT64_MAX);
	for (int i = 0; i < 20; i++, p *= 10) {
		check_u64(p);
		check_u64(p - 1);
		check_u64(p + 1);
		check_u64(p * 5);
	}
	for (uint64_t v = 0; v < 100000; v++)
		check_u64(v);
	for (int i = 0; i < 100000; i++)
		check_u64(fl_test_rng() >> (fl_test_rng() % 64));
}

/* The reference: one byte at a time, as out.c escaped before its runs.
 * Which bytes start a valid UTF-8 sequence, and how long it is, jansson
 * judges: the reader's own check, not a copy of out.c's. */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	json_t *j;
	if (len > n || !(j = json_stringn((const char *)s, len)))
		return 0;
	json_decref(j);
	return len;
}

static size_t reference(char *dst, const unsigned char *s, size_t n)
{
	size_t o = 0;
	dst[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t l;
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			dst[o++] = (char)c;
		} else if (c >= 0x80 && (l = utf8_ok(s + i, n - i))) {
			memcpy(dst + o, s + i, l);
			o += l;
			i += l - 1;
		} else {
			o += (size_t)sprintf(dst + o, "\\u00%02x", c);
		}
	}
	dst[o++] = '"';
	return o;
}

static char buf[1 << 20];

static void check_string(const unsigned char *s, size_t n)
{
	static char want[1 << 19];
	struct fl_out o;
	const char prefix[] = "{\"e\":\"x\",\"t\":1,\"s\":";
	size_t wn;
	json_t *line;
	json_error_t err;
	fl_out_init(&o, buf, sizeof(buf));
	fl_out_begin(&o, "x", 1, UINT64_MAX);
	fl_out_strn(&o, "s", (const char *)s, n);
	CHECK(fl_out_end(&o) == 0);
	wn = reference(want, s, n);
	CHECK(o.len == sizeof(prefix) - 1 + wn + 2);
	CHECK(memcmp(buf, prefix, sizeof(prefix) - 1) == 0);
	CHECK(memcmp(buf + sizeof(prefix) - 1, want, wn) == 0);
	/* A plain string goes out alike without the escaping scan. */
	if (n < sizeof(want) && !memchr(s, '"', n) && !memchr(s, '\\', n)) {
		int all_plain = 1;
		for (size_t i = 0; i < n; i++)
			all_plain &= s[i] >= 0x20 && s[i] < 0x7f;
		if (all_plain) {
			static char plain[1 << 20];
			struct fl_out q;
			fl_out_init(&q, plain, sizeof(plain));
			fl_out_begin(&q, "x", 1, UINT64_MAX);
			fl_out_plain(&q, "s", (const char *)s, n);
			CHECK(fl_out_end(&q) == 0);
			CHECK(q.len == o.len && memcmp(plain, buf, o.len) == 0);
		}
	}
	line = json_loadb(buf, o.len, JSON_ALLOW_NUL, &err);
	if (!line)
		fprintf(stderr, "json: %s at %d: %.*s\n", err.text, err.position, (int)(o.len < 200 ? o.len : 200), buf);
	CHECK(line != NULL);
	json_decref(line);
}

static void test_strings(void)
{
	static unsigned char s[1 << 16];
	static const char *const fixed[] = {
	    "", "a", "\"", "\\", "plain text", "tab\there", "quote\" and \\ back",
	    "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x98\x80", "bad \xc3", "\xff\xfe",
	    "\xed\xa0\x80 surrogate", "\xe0\x80\x80 overlong", "\x7f del", "\x01\x02\x1f",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_string((const unsigned char *)fixed[i], strlen(fixed[i]));
	/* Long plain runs broken by one byte of each kind, at every place. */
	for (size_t len = 1; len < 300; len += 7)
		for (size_t at = 0; at < len; at += 5) {
			static const unsigned char breakers[] = {'"', '\\', 0x01, 0x7f, 0xc3, 0xff};
			for (size_t b = 0; b < sizeof(breakers); b++) {
				memset(s, 'w', len);
				s[at] = breakers[b];
				check_string(s, len);
			}
		}
	/* Random bytes, mostly plain. */
	for (int round = 0; round < 2000; round++) {
		size_t n = fl_test_rng() % 4096;
		for (size_t i = 0; i < n; i++) {
			uint64_t r = fl_test_rng();
			s[i] = r % 16 == 0 ? (unsigned char)(r >> 8) : (unsigned char)(0x20 + (r >> 8) % 95);
		}
		check_string(s, n);
	}
	/* A letter column as the heap lines write it: one long run. */
	for (size_t i = 0; i < sizeof(s); i++)
		s[i] = "w736"[i % 4];
	check_string(s, sizeof(s));
}

int main(void)
{
	test_numbers();
	test_strings();
	return check_result();
}
