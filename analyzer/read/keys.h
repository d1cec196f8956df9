/*
 * The reader's view of the schema (include/faultline/schema.h): which keys
 * each event may carry, of which type, and which are required. One table
 * serves both paths: the jansson validation here and the fast path's
 * (read/flat.h), so that both accept exactly the same lines.
 */
#ifndef FL_KEYS_H
#define FL_KEYS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "read/events.h"

/*
 * Key types: i integer, u non-negative integer, n integer or null,
 * a address string, A address string or integer, s string, S string or null,
 * o object, O object or null, r array (of rows: see row), b boolean.
 * row: "*X" = every element has type X; else every element is an array of
 * at least strlen(row) values typed column by column.
 */
struct fl_key_spec {
	const char *key;
	size_t klen;
	char type;
	char required;
	const char *row;
};

/* The keys every event may carry (t, seq, tid); ends with a NULL key. */
extern const struct fl_key_spec fl_keys_common[];
/* The keys of event ev, ending with a NULL key; NULL for FL_E_UNKNOWN. */
const struct fl_key_spec *fl_keys_of(enum fl_ev ev);

/*
 * Validates one parsed line against the table and sets *ev to its event.
 * Returns NULL when it is fine, else the message: a constant, or written
 * into buf.
 */
const char *fl_keys_validate(const json_t *obj, enum fl_ev *ev, char *buf, size_t len);

/* fl_reader_event for a name that is not NUL-terminated. */
enum fl_ev fl_reader_event_n(const char *s, size_t n);

/*
 * "0x..." in s[0..n) (not NUL-terminated); -1 when it is not one, or has
 * more than 64 significant bits (leading zeros are fine).
 */
int fl_parse_hexn(const char *s, size_t n, uint64_t *out);

#endif
