/* Loading one trace file: the model's reader callbacks. */
#ifndef FL_LOAD_H
#define FL_LOAD_H

#include "model/model.h"

/*
 * Reads the trace file at path into a new process image: its events in
 * time order, the heap replayed, the mapping calls indexed. Its parent and
 * children are not linked yet (that needs every file). Strings are interned
 * in m. Returns NULL when the file is unusable (reported; counted in
 * m->nerrors) or empty (only warned about); bad lines are counted in the
 * image's nerrors.
 */
struct fl_proc *fl_model_load_file(struct fl_model *m, const char *path);
/* A wait line's fields (also record's reaped lines), t as given. */
void fl_model_wait_of(json_t *o, uint64_t t, struct fl_wait_ev *w);

#endif
