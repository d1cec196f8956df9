/*
 * A process's fault samples, classified once (analysis/fault_class.h) and
 * kept as the aggregates the reports print: no per-sample array. Its
 * memory grows with the program's state (the VMAs, allocation sites and
 * code locations that faulted, the pages first touched or copied, the large
 * reservations), not with the number of samples:
 *
 *   consumer            what it reads here
 *   faults report       class counts, first touches, rows by VMA / site / ip,
 *                       the over-time bins
 *   ws report           the first touches (time and site), the last sample's t
 *   cow report          the copy-on-write samples (address, time, estimated)
 *   io, summary         class counts
 *   regions report      samples per VMA (as fl_proc_vma_at finds it) per bin
 *   overcommit report   distinct sampled pages per reservation
 *   the classifier      a forked parent's first fault per page
 *
 * Built on first use and kept with the process (struct fl_proc's derived).
 */
#ifndef FL_FAULT_SUMMARY_H
#define FL_FAULT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/fault_class.h"
#include "model/model.h"
#include "util/u64map.h"

/* Samples grouped by a key (a VMA, a site, an ip): in order of first sample. */
struct fl_fault_row {
	uint64_t key, first_t, first_addr;
	uint64_t cnt[FL_FC_COUNT];
	uint64_t total;
};

struct fl_fault_rows {
	struct fl_fault_row *v;
	size_t n, cap;
	struct fl_u64map idx; /* key -> index + 1 */
};

/* A sample classified copy-on-write. */
struct fl_fault_cow {
	uint64_t addr, t;
	int estimated; /* fl_fault_info's cow_estimated */
};

/* A first touch (not the shim's, VMA known): when, and the site of its address. */
struct fl_fault_first {
	uint64_t t;
	uint32_t site;
};

/* The samples that landed in the VMAs starting at one address (regions report). */
struct fl_fault_region {
	struct fl_vma vma; /* as fl_proc_vma_at gave it for the first such sample */
	uint64_t samples;
	uint64_t *bins; /* samples per region bin (fl_faults_region_bins) */
};

/* The large reservations the overcommit report weighs (see fl_faults_reservations). */
struct fl_reservation {
	uint64_t start, end, t0, t1; /* [start, end) live during [t0, t1) */
	uint32_t stack;
	const char *fn;
	struct fl_charge charge;
	/* 1: a heap block carved from an arena, whose pages may have been
	 * touched (and stay resident) before it: see fl_faults_reservations */
	int arena;
};

/* A sample's page (address >> 12) and time. */
struct fl_page_touch {
	uint64_t page, t;
};

struct fl_fault_summary {
	size_t samples;
	uint64_t cnt[FL_FC_COUNT]; /* samples per class */
	uint64_t first;		   /* samples that were a page's first touch */
	/* the shim's samples are left out of these three */
	struct fl_fault_rows by_vma, by_site, by_code;
	/* samples per class over time, in bins of bin_ns from 0 (the faults report's) */
	uint64_t bin_ns;
	size_t nbins;
	uint64_t (*bins)[FL_FC_COUNT];
	struct fl_fault_cow *cow;
	size_t ncow;
	struct fl_fault_first *firsts;
	size_t nfirsts;
	/* by the start of the VMA fl_proc_vma_at finds, not the shim's, in order of first sample */
	struct fl_fault_region *regions;
	size_t nregions;
	size_t region_nbins;
	uint64_t region_step;
	/* the program's samples by page, then time (fl_faults_reservation_pages) */
	struct fl_page_touch *touches;
	size_t ntouches;
	/* page -> its first sample's t + 1; held only when p forked a child that reads it */
	struct fl_u64map first_fault;
	int has_first_fault;
};

/* The summary of p, built by one classified pass on first use; NULL when p has no samples. */
const struct fl_fault_summary *fl_faults_summary(const struct fl_model *m, const struct fl_proc *p);

/* Whether a fault sample of p hit the page (address >> 12) at a time before t. */
int fl_faults_faulted_before(const struct fl_model *m, const struct fl_proc *p, uint64_t page,
			     uint64_t t);

/* The regions report's bins of p: n of step ns from 0; a time past the end falls in the last. */
void fl_faults_region_bins(const struct fl_proc *p, size_t *n, uint64_t *step);

/*
 * The large reservations of p: heap blocks of at least the --large size and
 * writable private anonymous mmaps, each with the time it lived, sorted by
 * start (then time). Returns a new array (free() it) of *n. A heap block is
 * taken as carved from an arena (arena = 1) unless it starts 16 bytes into
 * a page, where glibc puts the blocks it maps for themselves; an mmap's
 * pages are new.
 */
struct fl_reservation *fl_faults_reservations(const struct fl_proc *p, size_t *n);

/*
 * The pages of r the samples saw: *touched, those a sample hit while r was
 * live; *reused, for a heap block carved from an arena (r->arena), those a
 * sample hit only before it (an earlier block touched them and the arena
 * kept them: a block that gets freed memory back takes no fault on it, yet
 * its pages are resident). Distinct pages; one in faults_period is seen.
 */
void fl_faults_reservation_pages(const struct fl_fault_summary *s, const struct fl_reservation *r,
				 uint64_t *touched, uint64_t *reused);

#endif
