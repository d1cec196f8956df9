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

/* What the weights of a folded export measure (one unit per file). */
enum fl_folded_what {
	FL_FOLDED_ALLOC = 0, /* bytes allocated: heap sites, plus mmap/mremap by length */
	FL_FOLDED_PEAK,	     /* each heap site's own peak of live bytes */
	FL_FOLDED_LEAKED,    /* heap bytes still allocated at exit */
	FL_FOLDED_FAULTS,    /* page faults (samples times the sampling period) */
};

/*
 * Collapsed ("folded") stacks, one "frame;frame;...;frame weight" line per
 * distinct stack, root first, as flamegraph.pl, speedscope and inferno read
 * them. The root frame names the measure ("alloc", "peak", "leaked" or
 * "fault"), the next the process ("exe [pid]"):
 *   alloc|peak|leaked;<process>;<caller frames...>;<innermost frame>
 *       the heap report's sites (--section heap) with its figures, so each
 *       site's total is the report's; alloc adds the program's own mappings
 *       as <caller frames...>;mmap (anonymous)|mmap (file)|mremap
 *   fault;<process>;<region>;[allocated at;<allocation frames...>;touched by;]<function>
 * Frames are function names (object+offset when unknown); ';' in a name
 * becomes ':' and control characters become '?', so every line parses.
 */
int fl_export_folded(FILE *f, const struct fl_model *m, const struct fl_report_opts *o,
		     enum fl_folded_what what);

/*
 * Chrome trace event JSON ({"traceEvents": [...]}), which the Perfetto UI
 * and chrome://tracing open: per process a name and a lifetime slice, and a
 * track per thread the trace saw (named "thread TID", a slice from its
 * first to its last traced call); counter tracks "RSS" (anon, file,
 * shmem), "heap live" (bytes), "virtual size", "working set" and "page
 * faults" (minor, major per tick); instant events for fork, exec and mmap
 * on the thread that made the call; a flow (ph "s" to "f", cat "fork") from
 * each fork to the child's start. ts in microseconds since the first
 * process started.
 */
int fl_export_perfetto(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

/*
 * A pprof profile (profile.proto, gzip'd), as go tool pprof, Pyroscope,
 * Parca and Grafana read it. Sample types, in this order:
 *   alloc_space/bytes    bytes allocated   } per heap site, the heap
 *   alloc_objects/count  allocations       } report's figures
 *   inuse_space/bytes    bytes live at exit}
 *   faults/count         page faults, per faulting stack as in the folded
 *                        fault tree (region and allocation frames are
 *                        pseudo-frames)
 * Every sample carries the labels pid (num) and process (the executable).
 */
int fl_export_pprof(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

/* The whole model as one JSON document (see doc/faultline.1). */
int fl_export_json(FILE *f, const struct fl_model *m, const struct fl_report_opts *o);

#endif
