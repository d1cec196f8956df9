/*
 * Perf maps: the names of JIT-compiled code, as perf reads them. A program
 * that generates code at run time (node --perf-basic-prof, python 3.12 -X
 * perf, java with a perf-map agent) writes /tmp/perf-PID.map, one line per
 * function: "START SIZE name", START and SIZE in hex (with or without 0x).
 *
 * Code can be freed and its addresses reused for another function: where
 * entries overlap, the one written last wins, as it was the one in place
 * when the program stopped.
 */
#ifndef FL_PERFMAP_H
#define FL_PERFMAP_H

#include <stdint.h>

struct fl_perfmap;

/* Reads the map at path; NULL when it cannot be read (no error printed:
 * most programs write none). Lines that do not parse are skipped. */
struct fl_perfmap *fl_perfmap_load(const char *path);
void fl_perfmap_free(struct fl_perfmap *m);

/* The name of the function containing addr and addr's offset in it, or NULL.
 * The name lives as long as the map. */
const char *fl_perfmap_find(const struct fl_perfmap *m, uint64_t addr, uint64_t *off);

/* The path the map was read from. */
const char *fl_perfmap_path(const struct fl_perfmap *m);

#endif
