/*
 * Fault samples without holding them: the loader keeps only their count,
 * first and last t and whether the file had them in time order, and each
 * pass over them (fl_proc_faults_each) reads them again from the trace file.
 * The samples are the part of a trace that grows with its length (32 bytes
 * each); what the reports need of them is in analysis/fault_summary.h.
 */
#ifndef FL_LOAD_FAULTS_H
#define FL_LOAD_FAULTS_H

#include <stddef.h>

#include "model/model.h"
#include "read/flat.h"

/* One fault sample line's rows in v[0..n): parsed from the fast path or from jansson. */
struct fl_fault_batch {
	struct fl_fault *v;
	size_t n, cap;
};
void fl_load_faults_flat(struct fl_fault_batch *b, const struct fl_flat *f);
void fl_load_faults_json(struct fl_fault_batch *b, json_t *o);

/* Hands the samples of p's file to fn in time order (see fl_proc_faults_each). */
int fl_load_faults_reread(const struct fl_proc *p,
			  int (*fn)(void *ctx, const struct fl_fault *v, size_t n), void *ctx);

/* Hands the samples of the trace file at path to fn a line at a time, in
 * the file's order, without reporting its errors (its first read does):
 * for a read of the samples while the file is still being loaded. */
void fl_load_faults_scan(const char *path, int (*fn)(void *ctx, const struct fl_fault *v, size_t n),
			 void *ctx);

#endif
