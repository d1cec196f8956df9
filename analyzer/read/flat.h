/*
 * The fast path's validation (the scanner itself, fl_flat_scan, is declared
 * in read/reader.h with struct fl_flat). A scanned line is accepted only
 * when it passes the same key specs jansson's lines do (read/keys.h).
 */
#ifndef FL_FLAT_H
#define FL_FLAT_H

#include <stddef.h>

#include "read/keys.h"
#include "read/reader.h"

/*
 * The shim writes every line of one kind with the same keys in the same
 * order. A shape remembers the last key sequence that passed validation
 * for an event, with each position's spec: a line with the same keys is
 * then validated position by position, without looking keys up.
 */
#define FL_FLAT_SHAPE_KEYBYTES 256
struct fl_flat_shape {
	size_t n;		     /* 0: none learned */
	size_t off[FL_FLAT_MAX + 1]; /* key i is kbuf[off[i]..off[i+1]) */
	char kbuf[FL_FLAT_SHAPE_KEYBYTES];
	const struct fl_key_spec *spec[FL_FLAT_MAX]; /* NULL: a key the schema does not know */
};

/*
 * Whether a scanned line passes the schema: position by position when it
 * has the shape learned for its event, else key by key (and then its shape
 * is learned). shapes is indexed by event, FL_E_COUNT entries, zeroed at
 * the start of a file.
 */
int fl_flat_valid(struct fl_flat_shape *shapes, const struct fl_flat *f);

#endif
