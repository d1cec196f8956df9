/*
 * Options, read once from the environment at start-up without allocating
 * (the shim scans environ itself: getenv is off limits before libc is ready
 * and in a vfork child).
 */
#ifndef FL_CONFIG_H
#define FL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/compiler.h"

#define FL_PATH_MAX 4096

#define FL_COMPACT_COLUMNS 3 /* version 3's digit columns, the default */
#define FL_COMPACT_CODED 4   /* version 4's range-coded string (record --coded-heap) */

struct fl_config {
	char out_dir[FL_PATH_MAX]; /* "" = tracing off */
	uint64_t sample_bytes;	   /* mean bytes between heap samples; 1 = every call */
	uint64_t large_bytes;	   /* allocations >= this always recorded */
	uint64_t interval_ms;
	uint64_t faults_period; /* 0 = off, 1 = all, N = every N-th */
	uint64_t max_size;	/* bytes per trace file, 0 = no cap */
	uint64_t keep_free;	/* free bytes left on the trace's filesystem; 0 = default */
	uint64_t rate_limit;	/* bytes/s a process may write, sustained; 0 = default */
	uint64_t stall_ms;	/* for tests: the writer's watchdog, 0 = default (10 s) */
	int exec_faults_fd;	/* FL_ENV_EXEC_FAULTS_FD, or -1 */
	int all;		/* sample_bytes == 1 */
	int wss;
	int follow;
	int no_argv;
	int quiet;
	uint64_t run;	  /* FAULTLINE_RUN: record --repeat's run index, 0 = not repeated */
	int compress;	  /* write <pid>.ndjson.zst (trace/zstd_sink.h) */
	int compact;	  /* heap calls as "hc" lines (record/heapcodec.h); 0: a line each,
			   * FL_COMPACT_COLUMNS (the default) or FL_COMPACT_CODED */
	char parent[256]; /* FAULTLINE_PARENT, the link to the creator */
	char tlb[96];	  /* FAULTLINE_TLB, "" if none */
	/* What a followed child needs in its environment, kept from start-up
	 * (the program may clear its own): our library's path, and every
	 * FAULTLINE_* variable but the parent link as "NAME=value\0...". */
	char lib[FL_PATH_MAX];
	char env[8192];
	size_t env_len;
};

extern struct fl_config fl_config FL_HIDDEN;

/* Fills fl_config from envp (NULL = the process's environ). */
void fl_config_load(char **envp);
/* Makes a relative out_dir absolute (a later chdir must not move the
 * trace) and notes the shim's own path. Once, in the constructor. */
void fl_config_finish(const char *lib_path);
/* Sets "NAME=value" in what followed children get (env), in place of any
 * NAME there; 0, or -1 when there is no room (NAME is then left out). */
int fl_config_env_set(const char *name, const char *value);
/* The value of NAME in envp, or NULL. No allocation. */
const char *fl_config_env(char **envp, const char *name);

#endif
