/*
 * Synthetic traces for the report unit tests: a temporary directory of
 * <pid>.ndjson files written from printf-style lines, loaded into a model.
 */
#ifndef FL_TEST_SYNTH_H
#define FL_TEST_SYNTH_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct synth {
	char dir[64];
	FILE *f;
};

static inline void synth_init(struct synth *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/fl_t_synth.XXXXXX");
	if (!mkdtemp(s->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	s->f = NULL;
}

/* Starts (or switches to) the file NAME.ndjson. */
static inline void synth_file(struct synth *s, const char *name)
{
	char path[128];
	if (s->f)
		fclose(s->f);
	snprintf(path, sizeof(path), "%s/%s.ndjson", s->dir, name);
	s->f = fopen(path, "w");
	if (!s->f) {
		perror(path);
		exit(1);
	}
}

__attribute__((format(printf, 2, 3))) static inline void synth_line(struct synth *s,
								    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(s->f, fmt, ap);
	va_end(ap);
	fputc('\n', s->f);
}

static inline void synth_close(struct synth *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

static inline void synth_rm(struct synth *s)
{
	char cmd[128];
	synth_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", s->dir);
}

/* A header line for pid with its parent link (kind "none" for a root). */
/* A header whose "tlb" value is the given JSON text. */
static inline void synth_header_tlb(struct synth *s, int pid, int ppid, const char *kind,
				    long long parent_t, long long start_rt, const char *tlb,
				    const char *extra)
{
	synth_line(s,
		   "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":%d,\"ppid\":%d,\"parent\":{\"pid\":%d,"
		   "\"kind\":\"%s\",\"t\":%lld,\"seq\":1},\"exe\":\"/bin/synth\",\"argv\":[\"synth\"],"
		   "\"start_realtime_ns\":%lld,\"start_monotonic_ns\":%lld,\"page_size\":4096,"
		   "\"mem_total\":25769803776,\"swap_total\":0,\"overcommit_memory\":0,"
		   "\"rlimit_stack\":8388608,\"tlb\":%s,\"probes\":{},"
		   "\"options\":{\"interval_ms\":100,\"large\":65536,\"wss\":false}%s%s}",
		   pid, ppid, ppid, kind, parent_t, start_rt, start_rt, tlb, extra ? "," : "",
		   extra ? extra : "");
}

static inline void synth_header(struct synth *s, int pid, int ppid, const char *kind,
				long long parent_t, long long start_rt, const char *extra)
{
	synth_header_tlb(s, pid, ppid, kind, parent_t, start_rt,
			 "{\"l1d_4k\":64,\"l1d_2m\":64,\"l2_4k\":2048,\"l2_2m\":2048,\"l2_1g\":0,"
			 "\"source\":\"test\"}",
			 extra);
}

#endif
