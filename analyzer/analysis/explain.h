/*
 * The kernel mechanisms behind the findings. Every finding of every report
 * names one mechanism, and its "explain" text comes from here, so the same
 * mechanism is always explained in the same words (one or two sentences).
 */
#ifndef FL_EXPLAIN_H
#define FL_EXPLAIN_H

#include <jansson.h>

#include "faultline/compiler.h"

enum fl_mech {
	FL_MECH_DEMAND_PAGING,	/* demand-zero first touch */
	FL_MECH_OVERCOMMIT,	/* reserved address space is not memory */
	FL_MECH_STRICT_COMMIT,	/* overcommit mode 2 and CommitLimit */
	FL_MECH_OOM,		/* the OOM killer's score */
	FL_MECH_PAGE_CACHE,	/* file pages already in memory: minor faults */
	FL_MECH_DISK_READ,	/* major fault on a file page */
	FL_MECH_READAHEAD,	/* waits on in-flight readahead count as minor */
	FL_MECH_FAULT_AROUND,	/* one fault maps many pages (fault-around, large folios) */
	FL_MECH_SWAP,		/* swap entries and swap-in major faults */
	FL_MECH_COW,		/* copy-on-write after fork */
	FL_MECH_FORK_EXEC,	/* fork then exec: posix_spawn/vfork */
	FL_MECH_STACK_GROWTH,	/* stack VMA growth and the guard gap */
	FL_MECH_TLB_REACH,	/* working set against TLB entries */
	FL_MECH_HUGE_PAGES,	/* huge pages multiply TLB reach */
	FL_MECH_WORKING_SET,	/* working set against RAM */
	FL_MECH_KERNEL_FAULTS,	/* faults perf does not see: copy_to_user, GUP */
	FL_MECH_WRITE_TRACKING, /* uffd write-protect faults taken by the tracer */
	FL_MECH_READ_COPY,	/* read() copies page cache to the user buffer */
	FL_MECH_MMAP_IO,	/* mmap maps page-cache pages: faults instead of copies */
	FL_MECH_SAMPLING,	/* a figure estimated from samples */
	FL_MECH_RUN_NOISE,	/* one run's time against another's: machine noise */
	FL_MECH_COUNT
};

/* Short stable name, e.g. "demand-paging" (used as JSON value). */
const char *fl_explain_name(enum fl_mech m);
/* One or two sentences naming the mechanism. Never NULL. */
const char *fl_explain_text(enum fl_mech m);
/* The mechanism with that name, or -1. */
int fl_explain_lookup(const char *name);

/* Severities of findings, in increasing order. */
#define FL_SEV_INFO "info"
#define FL_SEV_WARN "warn"

/*
 * Appends a finding {id, severity, mechanism, text, explain} to obj's
 * "findings" array (created when absent); text is formatted from fmt and
 * explain is fl_explain_text(m). The shape is report.h's, plus "mechanism".
 */
void fl_explain_add(json_t *obj, const char *id, const char *severity, enum fl_mech m,
		    const char *fmt, ...) FL_PRINTF(5, 6);

#endif
