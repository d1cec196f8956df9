/*
 * The I/O report: how a run got at its file data.
 * read() copies from the page cache into user buffers, one system call per
 * buffer; mmap() maps the page-cache pages and pays in faults, page-table
 * entries and TLB entries instead. A profile sums, over every process of a
 * trace: wall and CPU time, read calls and bytes copied to user space, faults
 * by class (and per MiB of file data), file pages mapped, peak RSS anon and
 * file, dTLB misses or the TLB model.
 */
#ifndef FL_REPORT_IO_H
#define FL_REPORT_IO_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/fault_class.h"
#include "model/model.h"

struct fl_report_opts;

struct fl_io_profile {
	uint64_t wall_ns;
	int64_t cpu_ns, utime_ns, stime_ns; /* -1 unknown */
	uint64_t read_calls, read_bytes;
	uint64_t faults[FL_FC_COUNT]; /* samples scaled by their period */
	int64_t ru_minflt, ru_majflt;
	int64_t file_pages_peak;	      /* residency: file pages mapped, -1 unknown */
	int64_t rss_anon_peak, rss_file_peak; /* bytes, -1 unknown */
	int64_t dtlb_misses;		      /* load + store, -1 unknown */
	int64_t tlb_entries_4k;		      /* -1 unknown */
	uint64_t data_bytes;		      /* file data reached: read or mapped */
	int nprocs;
};

void fl_io_profile(const struct fl_model *m, const struct fl_report_opts *o,
		   struct fl_io_profile *out);
json_t *fl_io_profile_json(const struct fl_io_profile *p);

json_t *fl_report_io(const struct fl_model *m, const struct fl_report_opts *o);
void fl_report_io_text(json_t *section, FILE *f);

#endif
