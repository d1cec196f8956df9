/* Exits and resource figures as the reaper saw them (model/reaped.c). */
#ifndef FL_REAPED_H
#define FL_REAPED_H

#include "model/model.h"

/* Reads record's FL_TRACE_REAPED_FILE when dir is a trace directory that
 * has one (bad lines reported with file and line, counted in m->nerrors). */
void fl_model_load_reaped(struct fl_model *m, const char *dir);
/* Gives each process what its reaper (an image of its parent's pid, or
 * record) saw: the end of one without an exit line (SIGKILL), and the
 * reaper's wait4 figures less the process's own reaped children's in place
 * of the exit line's ru_ figures (but maxrss), where both are known. */
void fl_model_ends_from_reapers(struct fl_model *m);
/* Sets every ru_ figure of e, the children's too, to -1 (unknown). */
void fl_exit_forget_rusage(struct fl_exit *e);

#endif
