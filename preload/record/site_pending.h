/*
 * The part of a thread's state that belongs to the sites (sites.h): apart,
 * so that the thread state can hold it without depending on the sites.
 */
#ifndef FL_SITE_PENDING_H
#define FL_SITE_PENDING_H

#include <stdint.h>

/*
 * A thread's counts for the site it updated last, not yet added to the
 * site: allocs, frees and bytes are plain sums, so only live (and peak)
 * need the site's shared cache line at every call. Written by its thread
 * (moved into the site when the thread turns to another site, and when its
 * state is retired); the writer adds it to the site's row, under seq (odd
 * while the counts move).
 */
struct fl_sites_pending {
	uint32_t seq;
	uint32_t id; /* site + 1; 0: none */
	uint64_t allocs, frees, bytes;
	/* 1 while this thread owns the plain updates and makes one
	 * (fl_thread_solo_enter). */
	uint32_t plain;
};

#endif
