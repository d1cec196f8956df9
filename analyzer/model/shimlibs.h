#ifndef FL_MODEL_SHIMLIBS_H
#define FL_MODEL_SHIMLIBS_H

#include <stddef.h>

#include "model/model.h"

/*
 * The shared objects of a maps snapshot that are loaded only because
 * libfaultline.so needs them (libunwind, liblzma...): in the shim's DT_NEEDED
 * closure and not in the program's. The program's closure starts from the
 * executable and from every loaded object outside the shim's closure, so a
 * library the program dlopen'ed (and what it needs) stays the program's.
 * The ELF files are read from disk as they are now.
 */
struct fl_shimlibs {
	const char **paths; /* the snapshot's interned paths */
	size_t n;
};

/* Fills *out (empty when nothing is known: no libfaultline.so, unreadable files). */
void fl_shimlibs_of(const struct fl_proc *p, const struct fl_maps_snap *s, struct fl_shimlibs *out);
/* The process's own, found as its trace was read (load.c): a view, not to
 * be freed. */
struct fl_shimlibs fl_shimlibs_of_proc(const struct fl_proc *p);
/* Whether path (interned or not) is one of them. */
int fl_shimlibs_has(const struct fl_shimlibs *l, const char *path);
void fl_shimlibs_free(struct fl_shimlibs *l);

#endif
