/* See out.h. Strings are escaped for JSON; bytes that are not valid UTF-8
 * are written as \u00XX so that every line is valid JSON whatever a path or
 * argv contains. */
#include "base/fmt.h"
#include "trace/out.h"

#include <string.h>

void fl_out_init(struct fl_out *o, char *buf, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->cap = cap;
}

static void put(struct fl_out *o, const char *s, size_t n)
{
	if (o->overflow || o->cur + n + 2 > o->cap) { /* keep room for "}\n" */
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->cur, s, n);
	o->cur += n;
}

static void putc1(struct fl_out *o, char c)
{
	put(o, &c, 1);
}

static void comma(struct fl_out *o)
{
	if (o->need_comma[o->depth])
		putc1(o, ',');
	o->need_comma[o->depth] = 1;
}

/* The reader (jansson) takes integers up to INT64_MAX and rejects the whole
 * line above it ("too big integer"): a size from a failed malloc(SIZE_MAX)
 * would lose every heap total. Every unsigned number is written clamped to
 * INT64_MAX (doc/trace-schema.md, "Integers"); addresses are hex strings. */
static void raw_u64(struct fl_out *o, uint64_t v)
{
	char b[24];
	size_t n = fl_fmt_u64(b, v > INT64_MAX ? INT64_MAX : v);
	put(o, b, n);
}

static void raw_i64(struct fl_out *o, int64_t v)
{
	if (v < 0) {
		putc1(o, '-');
		raw_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		raw_u64(o, (uint64_t)v);
	}
}

static void raw_hex(struct fl_out *o, uint64_t v)
{
	char b[24];
	putc1(o, '"');
	size_t n = fl_fmt_hex(b, v);
	put(o, b, n);
	putc1(o, '"');
}

/* Length of a valid UTF-8 sequence starting at s (max n bytes), or 0.
 * Strict (RFC 3629, as jansson checks it): no overlong forms, no UTF-16
 * surrogates (U+D800-DFFF), nothing above U+10FFFF. One sequence the reader
 * rejects would make the whole line, and for the header the whole trace,
 * unreadable; rejected bytes are escaped one by one instead. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (len > n)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Whether byte c goes into a JSON string as it is. */
static inline int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void raw_strn(struct fl_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	putc1(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		/* A run of plain bytes goes in one copy: the heap lines' letter
		 * columns are thousands of them, and a byte at a time was half of
		 * what writing a sampled block's lines cost (callgrind). */
		if (plain(c)) {
			size_t j = i + 1;
			while (j < n && plain(p[j]))
				j++;
			put(o, (const char *)p + i, j - i);
			i = j - 1;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(o, e, 2);
		} else if (c >= 0x20 && c < 0x7f) {
			putc1(o, (char)c);
		} else if (c >= 0x80) {
			size_t l = utf8_len(p + i, n - i);
			if (l) {
				put(o, (const char *)p + i, l);
				i += l - 1;
			} else {
				char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				put(o, e, 6);
			}
		} else {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			put(o, e, 6);
		}
	}
	putc1(o, '"');
}

static void key(struct fl_out *o, const char *k)
{
	comma(o);
	putc1(o, '"');
	put(o, k, strlen(k));
	put(o, "\":", 2);
	/* the value that follows must not get a comma of its own */
	o->need_comma[o->depth] = 0;
}

static void after_value(struct fl_out *o)
{
	o->need_comma[o->depth] = 1;
}

void fl_out_begin(struct fl_out *o, const char *ev, uint64_t t, uint64_t seq)
{
	o->cur = o->len;
	o->depth = 0;
	o->overflow = 0;
	memset(o->need_comma, 0, sizeof(o->need_comma));
	put(o, "{\"e\":\"", 6);
	put(o, ev, strlen(ev));
	put(o, "\",\"t\":", 6);
	raw_u64(o, t);
	if (seq != UINT64_MAX) {
		put(o, ",\"seq\":", 7);
		raw_u64(o, seq);
	}
	o->need_comma[0] = 1;
}

int fl_out_end(struct fl_out *o)
{
	if (o->overflow || o->depth != 0 || o->cur + 2 > o->cap) {
		o->cur = o->len;
		o->dropped_lines++;
		return -1;
	}
	o->buf[o->cur++] = '}';
	o->buf[o->cur++] = '\n';
	o->len = o->cur;
	return 0;
}

void fl_out_key(struct fl_out *o, const char *k)
{
	key(o, k);
}

void fl_out_u64(struct fl_out *o, const char *k, uint64_t v)
{
	key(o, k);
	raw_u64(o, v);
	after_value(o);
}

void fl_out_i64(struct fl_out *o, const char *k, int64_t v)
{
	key(o, k);
	raw_i64(o, v);
	after_value(o);
}

void fl_out_hex(struct fl_out *o, const char *k, uint64_t v)
{
	key(o, k);
	raw_hex(o, v);
	after_value(o);
}

void fl_out_str(struct fl_out *o, const char *k, const char *s)
{
	fl_out_strn(o, k, s, strlen(s));
}

void fl_out_strn(struct fl_out *o, const char *k, const char *s, size_t n)
{
	key(o, k);
	raw_strn(o, s, n);
	after_value(o);
}

void fl_out_plain(struct fl_out *o, const char *k, const char *s, size_t n)
{
	key(o, k);
	putc1(o, '"');
	put(o, s, n);
	putc1(o, '"');
	after_value(o);
}

void fl_out_bool(struct fl_out *o, const char *k, int v)
{
	key(o, k);
	if (v)
		put(o, "true", 4);
	else
		put(o, "false", 5);
	after_value(o);
}

void fl_out_null(struct fl_out *o, const char *k)
{
	key(o, k);
	put(o, "null", 4);
	after_value(o);
}

static void open_nested(struct fl_out *o, char c)
{
	/* as an element of an array (need_comma set) or as a key's value */
	if (o->need_comma[o->depth])
		putc1(o, ',');
	o->need_comma[o->depth] = 1;
	putc1(o, c);
	if (o->depth + 1 >= FL_OUT_MAX_DEPTH) {
		o->overflow = 1;
		return;
	}
	o->depth++;
	o->need_comma[o->depth] = 0;
}

static void close_nested(struct fl_out *o, char c)
{
	putc1(o, c);
	if (o->depth > 0)
		o->depth--;
	o->need_comma[o->depth] = 1;
}

void fl_out_arr_open(struct fl_out *o)
{
	open_nested(o, '[');
}

void fl_out_arr_close(struct fl_out *o)
{
	close_nested(o, ']');
}

void fl_out_obj_open(struct fl_out *o)
{
	open_nested(o, '{');
}

void fl_out_obj_close(struct fl_out *o)
{
	close_nested(o, '}');
}

void fl_out_v_u64(struct fl_out *o, uint64_t v)
{
	comma(o);
	raw_u64(o, v);
}

void fl_out_v_i64(struct fl_out *o, int64_t v)
{
	comma(o);
	raw_i64(o, v);
}

void fl_out_v_hex(struct fl_out *o, uint64_t v)
{
	comma(o);
	raw_hex(o, v);
}

void fl_out_v_raw(struct fl_out *o, const char *s, size_t n)
{
	comma(o);
	put(o, s, n);
}

void fl_out_v_str(struct fl_out *o, const char *s)
{
	fl_out_v_strn(o, s, strlen(s));
}

void fl_out_v_strn(struct fl_out *o, const char *s, size_t n)
{
	comma(o);
	raw_strn(o, s, n);
}

void fl_out_v_null(struct fl_out *o)
{
	comma(o);
	put(o, "null", 4);
}

void fl_out_consume(struct fl_out *o, size_t n)
{
	if (n >= o->len) {
		o->len = o->cur = 0;
		return;
	}
	memmove(o->buf, o->buf + n, o->len - n);
	o->len -= n;
	o->cur = o->len;
}
