/*
 * The trace reader: one NDJSON trace file (or every <pid>.ndjson and
 * <pid>.ndjson.zst of a trace directory; read/source.h decompresses), one
 * line at a time with jansson, each line validated against
 * the schema before anyone sees it.
 *
 * Bad input never stops the reader: a broken line, a line whose keys have the
 * wrong type, a truncated last line is reported as "faultline: FILE:LINE:
 * what" (fl_error_at, so fl_error_count grows) and skipped; the rest of the
 * file is still read. A file is unusable only when it cannot be opened, is
 * not a regular file (a symlink or a FIFO is refused, not followed or
 * waited on), does not start with a valid header, or carries a newer schema
 * version than FL_TRACE_VERSION. An empty file is only warned about: it
 * holds nothing (a process killed at start), which is no error. Unknown events and unknown keys are
 * passed through (as FL_E_UNKNOWN) or ignored, so that older readers read newer traces that only
 * add things.
 *
 * Ownership: the json_t handed to the callback is BORROWED; it is freed when
 * the callback returns. Keep a reference with json_incref() if needed.
 */
#ifndef FL_READER_H
#define FL_READER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "read/events.h"

struct fl_reader_loc {
	const char *file;
	long line;
};

/*
 * Called once per valid line, header first. obj is borrowed. Every key the
 * schema defines for ev that is present has the documented type (addresses
 * are "0x..." strings that parse). Return 0 to go on, -1 to stop reading
 * this file (counted as an error by the caller, not by the reader).
 */
typedef int (*fl_reader_fn)(void *ctx, enum fl_ev ev, json_t *obj, const struct fl_reader_loc *loc);

/*
 * Reads one trace file. Returns the number of valid lines handed to fn
 * (>= 1: the header; 0 for an empty file, with a warning), or -1 when the
 * file is unusable (already reported).
 * Line errors are reported and counted in fl_error_count.
 */
long fl_reader_read_file(const char *path, fl_reader_fn fn, void *ctx);

/*
 * The trace files of path: a directory's "*.ndjson" and "*.ndjson.zst" files
 * sorted by name, or
 * path itself when it is a file. *files is a NULL-terminated array owned by
 * the caller (free with fl_reader_list_free). Returns the count, or -1 with
 * an error reported (cannot open, a directory without trace files).
 */
long fl_reader_list(const char *path, char ***files);
void fl_reader_list_free(char **files);

/*
 * The fast path. Most of a big trace is alloc/free lines: building a jansson
 * object for each costs more than everything else the analyzer does. A line
 * that is one flat object (integers, plain ASCII strings without escapes,
 * null; no nesting, no whitespace) is scanned directly into a struct
 * fl_flat and validated against the same schema table. Anything else, or
 * anything that fails validation, goes through jansson, which also produces
 * the error messages: the fast path never accepts a line jansson would
 * reject (tests/unit/t_reader.c checks both paths agree).
 */
#define FL_FLAT_MAX 24
struct fl_flat_val {
	const char *key; /* not NUL-terminated: klen bytes */
	size_t klen;
	char type; /* 'i' integer, 's' string, 'n' null, 'r' array of rows (see below) */
	char aok;  /* 's' only: the string is an address "0x...", whose value is a */
	int64_t i;
	const char *s; /* not NUL-terminated: slen bytes */
	size_t slen;
	uint64_t a;
	/* 'r': the rows as the scan decoded them (see fl_flat_row_next), or
	 * NULL when they did not fit and are decoded again from the text. */
	const struct fl_flat_val *cells;
	size_t ncells;
};
/*
 * What the scan saw in an 'r' value, for validation without a second pass:
 * the shortest row and, per column, the kinds of values met (FL_FLAT_T_*).
 */
#define FL_FLAT_COLS 16
#define FL_FLAT_SIGS 4
enum {
	FL_FLAT_T_NEG = 1 << 0,	 /* negative integer */
	FL_FLAT_T_UINT = 1 << 1, /* non-negative integer */
	FL_FLAT_T_NULL = 1 << 2,
	FL_FLAT_T_ADDR = 1 << 3, /* string spelling an address */
	FL_FLAT_T_STR = 1 << 4,	 /* any other string */
};
struct fl_flat_sig {
	size_t minn;
	unsigned char mask[FL_FLAT_COLS];
};
#define FL_FLAT_CELLS 192
struct fl_flat {
	enum fl_ev ev;
	size_t n, nsig, ncells;
	struct fl_flat_val v[FL_FLAT_MAX];
	struct fl_flat_sig sig[FL_FLAT_SIGS]; /* an 'r' value's is sig[v.i] */
	/* The rows' values, each row a cell with i = its length, then its values. */
	struct fl_flat_val cell[FL_FLAT_CELLS];
};
/*
 * The value of key (the last one if repeated), or NULL. Inline: with a
 * literal key the length is a constant and the compare a few instructions,
 * which matters at ten million lines.
 */
static inline const struct fl_flat_val *fl_flat_get(const struct fl_flat *f, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = f->n; i-- > 0;)
		if (f->v[i].klen == kl && f->v[i].key[0] == key[0] &&
		    memcmp(f->v[i].key, key, kl) == 0)
			return &f->v[i];
	return NULL;
}
static inline int64_t fl_flat_int(const struct fl_flat *f, const char *key, int64_t dflt)
{
	const struct fl_flat_val *v = fl_flat_get(f, key);
	return v && v->type == 'i' ? v->i : dflt;
}
/* An address value: an integer, or a string that spells one; else 0. */
static inline uint64_t fl_flat_val_addr(const struct fl_flat_val *v)
{
	if (!v)
		return 0;
	if (v->type == 'i')
		return (uint64_t)v->i;
	return v->type == 's' && v->aok ? v->a : 0;
}
/* An address string "0x..." or an integer; 0 when absent. */
static inline uint64_t fl_flat_addr(const struct fl_flat *f, const char *key)
{
	return fl_flat_val_addr(fl_flat_get(f, key));
}
/* Copies a string value into buf (truncated); NULL when absent or not a string. */
const char *fl_flat_str(const struct fl_flat *f, const char *key, char *buf, size_t len);
/*
 * An 'r' value is an array of arrays of scalars ([[...],[...]]), kept as
 * text (s, slen) and decoded row by row: *pos starts at 0; returns 1 with
 * the next row in *row, 0 after the last one.
 */
struct fl_flat_row {
	size_t n;
	const struct fl_flat_val *v; /* n values: into the line's cells, or buf */
	struct fl_flat_val buf[FL_FLAT_COLS];
};
int fl_flat_row_next(const struct fl_flat_val *v, size_t *pos, struct fl_flat_row *row);
/* A row value as an integer (dflt unless 'i') or an address (string or integer). */
static inline int64_t fl_flat_row_int(const struct fl_flat_row *r, size_t col, int64_t dflt)
{
	return col < r->n && r->v[col].type == 'i' ? r->v[col].i : dflt;
}
static inline uint64_t fl_flat_row_addr(const struct fl_flat_row *r, size_t col)
{
	return col < r->n ? fl_flat_val_addr(&r->v[col]) : 0;
}
/* Scans one line; 0 when it is a flat object, -1 otherwise (nothing reported). */
int fl_flat_scan(const char *p, size_t n, struct fl_flat *f);
/* Fills f from a validated flat jansson object (nested values are skipped). */
void fl_flat_from_json(const json_t *o, enum fl_ev ev, struct fl_flat *f);

/*
 * Reads one trace file like fl_reader_read_file, but events whose bit
 * (1u << ev) is in flat_mask are delivered to flat() instead of event(),
 * from the fast path or converted from jansson. f is only valid during the
 * call (it points into the read buffer).
 */
struct fl_heap_call;
struct fl_reader_ops {
	fl_reader_fn event;
	int (*flat)(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc);
	unsigned flat_mask;
	/* Events delivered to flat() when the fast path takes the line, and to
	 * event() (as jansson objects) when it does not. */
	unsigned fast_mask;
	/* Optional, with FL_E_ALLOC in flat_mask: the calls of the compact heap
	 * lines as typed records instead of fl_flat ones (the same values). */
	int (*heap)(void *ctx, const struct fl_heap_call *c);
	/* 1: a pass for other events: the heap call lines (alloc, free,
	 * realloc, hc: most of a big trace) are passed over unread, on a look
	 * at how they start where the writer's key order allows. */
	int skip_heap;
};

/*
 * One call of a compact heap line ("hc"), decoded: what its alloc, free or
 * realloc record would hold. Typed, so that the millions of calls of a
 * one-line-per-call trace need no key lookups on either side: building
 * the record's keys and finding them again was a third of reading such a
 * trace.
 */
struct fl_heap_call {
	enum fl_ev ev; /* FL_E_ALLOC, FL_E_FREE or FL_E_REALLOC */
	int fn;	       /* alloc, realloc: the index in FL_CALLS (schema.h) */
	int64_t tid;
	uint64_t t, seq;
	uint64_t addr, size;	     /* the block allocated, or freed (free) */
	uint64_t old_addr, old_size; /* realloc: the block freed */
	int64_t stack, weight;	     /* alloc, realloc */
};
long fl_reader_read_file_ops(const char *path, const struct fl_reader_ops *ops, void *ctx);

/*
 * FAULTLINE_NO_FAST_PATH=1 in the environment sends every line through
 * jansson (the values still reach flat() converted): the tests compare the
 * reports both ways, which must be identical.
 */
#define FL_READER_NO_FAST_ENV "FAULTLINE_NO_FAST_PATH"

enum fl_ev fl_reader_event(const char *name);
const char *fl_reader_event_name(enum fl_ev ev);

/* Value helpers for objects the reader validated. */
/* An address string "0x..." or a non-negative integer; 0 when absent. */
uint64_t fl_json_addr(const json_t *v);
uint64_t fl_json_get_addr(const json_t *o, const char *key);
/* An integer; dflt when absent or null. */
int64_t fl_json_get_int(const json_t *o, const char *key, int64_t dflt);
/* A string; NULL when absent. Borrowed from o. */
const char *fl_json_get_str(const json_t *o, const char *key);
/* Parses "0x..." (hex) into *out; -1 when it is not one. */
int fl_parse_addr(const char *s, uint64_t *out);

#endif
