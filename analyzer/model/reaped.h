/* Exits and resource figures as the reaper saw them (model/reaped.c). */
#ifndef FL_REAPED_H
#define FL_REAPED_H

#include "model/model.h"

/* Reads record's FL_TRACE_REAPED_FILE when dir is a trace directory that
 * has one (bad lines reported with file and line, counted in m->nerrors). */
void fl_model_load_reaped(struct fl_model *m, const char *dir);
/* Gives a process without an exit line (SIGKILL) the end its reaper saw. */
void fl_model_exits_from_waits(struct fl_model *m);
/* Replaces the exit line's ru_ figures (but maxrss) by the reaper's, less
 * the process's own reaped children's, where both are known. */
void fl_model_apply_reaped(struct fl_model *m);
/* Sets every figure of r to -1 (unknown). */
void fl_rusage_unknown(struct fl_rusage *r);

#endif
