/*
 * "maps" snapshots of /proc/self/maps: at start, after exec, at fork and at
 * every tick where the VMA list changed (compared by a hash of the text).
 */
#ifndef FL_MAPS_H
#define FL_MAPS_H

#include <stddef.h>

#include "trace/out.h"

/* Writes a maps line if forced or the VMA list changed since the last one. */
void fl_maps_emit(struct fl_out *o, const char *why, int force);
/* The same from maps text already read (n bytes, NUL-terminated). */
void fl_maps_emit_text(struct fl_out *o, const char *why, int force, const char *text, size_t n);
/* The next fl_maps_emit writes whatever it finds (a new trace file). */
void fl_maps_forget(void);

#endif
