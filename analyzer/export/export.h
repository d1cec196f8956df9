/*
 * Exports of a loaded model to other tools' formats (faultline export).
 * Each writes to f and returns 0, or -1 on a write error (reported).
 */
#ifndef FL_EXPORT_H
#define FL_EXPORT_H

#include <stdio.h>

#include "model/model.h"
#include "reports/report.h"
#include "model/symbols.h"

/*
 * Collapsed ("folded") stacks, one "frame;frame;...;frame weight" line per
 * distinct stack, root first, as flamegraph.pl, speedscope and inferno read
 * them. Two trees share the file, told apart by their root frame:
 *   alloc;<process>;<caller frames...>;<fn>  weighted by bytes allocated
 *                                            (heap records by their weight,
 *                                            mmap calls by their length)
 *   fault;<process>;<region>;[<allocation frames...>;]<faulting function>
 *                                            weighted by page faults (samples
 *                                            times the sampling period)
 * Frames are function names (object+offset when unknown); ';' in a name
 * becomes ':' and control characters become '?', so every line parses.
 */
int fl_export_folded(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

/*
 * Chrome trace event JSON ({"traceEvents": [...]}), which the Perfetto UI
 * and chrome://tracing open: per process a name, a lifetime slice and
 * threads; counter tracks "RSS" (anon, file, shmem), "virtual size",
 * "working set" and "page faults" (minor, major per tick); instant events
 * for fork, exec and mmap. ts in microseconds since the first process started.
 */
int fl_export_perfetto(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

/* The whole model as one JSON document (see doc/faultline.1). */
int fl_export_json(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

#endif
