/*
 * The part of a thread's state that belongs to the sites (sites.h): apart,
 * so that the thread state can hold it without depending on the sites.
 */
#ifndef FL_SITE_PENDING_H
#define FL_SITE_PENDING_H

#include <stdint.h>

/*
 * A thread's counts for the site it updated last, not yet added to the
 * site: allocs, frees and bytes are plain sums; live too while the site's
 * peak cannot be reached (sites.c). Written by its thread
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
	/* 1 while this thread updates live against its room (sites.c). */
	uint32_t active;
	/* Threads updating at once: live bytes of this thread's calls at the
	 * site not yet added to the site's, never above room, the headroom
	 * under the site's peak the site granted this thread (sites.c). */
	int64_t live, room;
};

#endif
