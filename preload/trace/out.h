/*
 * The JSON line builder: formats NDJSON into a preallocated buffer without
 * allocating, locking or using stdio, so it can run in the sampler thread,
 * in a fork child and right before exec.
 *
 * Usage: fl_out_begin(o, "counters", t); fl_out_u64(o, "minflt", n); ...
 * fl_out_end(o). Nested values: fl_out_key(o, "vmas"); fl_out_arr_open(o);
 * fl_out_v_hex(o, x); ... fl_out_arr_close(o). Commas are inserted for you.
 *
 * A line that does not fit is dropped whole (never half-written) and counted
 * in o->dropped_lines. The caller owns the buffer and decides when to flush
 * (fl_out_pending() bytes are complete lines).
 */
#ifndef FL_OUT_H
#define FL_OUT_H

#include <stddef.h>
#include <stdint.h>

#define FL_OUT_MAX_DEPTH 8

struct fl_out {
	char *buf;
	size_t cap;
	size_t len; /* complete lines */
	size_t cur; /* end of the line being built */
	int depth;
	int overflow;
	uint8_t need_comma[FL_OUT_MAX_DEPTH];
	uint64_t dropped_lines;
};

void fl_out_init(struct fl_out *o, char *buf, size_t cap);

/* Starts a line: {"e":"<ev>","t":<t>. Adds "seq" unless seq is UINT64_MAX. */
void fl_out_begin(struct fl_out *o, const char *ev, uint64_t t, uint64_t seq);
/* Ends the line; returns 0, or -1 if it did not fit and was dropped. */
int fl_out_end(struct fl_out *o);

void fl_out_key(struct fl_out *o, const char *key);
void fl_out_u64(struct fl_out *o, const char *key, uint64_t v);
void fl_out_i64(struct fl_out *o, const char *key, int64_t v);
void fl_out_hex(struct fl_out *o, const char *key, uint64_t v);
void fl_out_str(struct fl_out *o, const char *key, const char *s);
void fl_out_strn(struct fl_out *o, const char *key, const char *s, size_t n);
/* A string the caller made of plain ASCII only (0x20-0x7e, no '"' nor
 * '\\': digits, letters, base64), copied without the escaping scan. */
void fl_out_plain(struct fl_out *o, const char *key, const char *s, size_t n);
void fl_out_bool(struct fl_out *o, const char *key, int v);
void fl_out_null(struct fl_out *o, const char *key);

void fl_out_arr_open(struct fl_out *o);
void fl_out_arr_close(struct fl_out *o);
void fl_out_obj_open(struct fl_out *o);
void fl_out_obj_close(struct fl_out *o);
/* Array elements. */
void fl_out_v_u64(struct fl_out *o, uint64_t v);
void fl_out_v_i64(struct fl_out *o, int64_t v);
void fl_out_v_hex(struct fl_out *o, uint64_t v);
/* A value the caller formatted itself as JSON (n bytes): for a run of many
 * small values that one call writes cheaper than one call each. */
void fl_out_v_raw(struct fl_out *o, const char *s, size_t n);
void fl_out_v_str(struct fl_out *o, const char *s);
void fl_out_v_strn(struct fl_out *o, const char *s, size_t n);
void fl_out_v_null(struct fl_out *o);

static inline size_t fl_out_pending(const struct fl_out *o)
{
	return o->len;
}
/* Forgets the first n complete bytes (after they were written). */
void fl_out_consume(struct fl_out *o, size_t n);

#endif
