/*
 * A missing RSS component (-1: that line of /proc/PID/status was absent) counts
 * as zero once rss_anon is known; an unknown rss_anon means the probe was off.
 */
#include "reports/rss.h"

int64_t fl_rss_of_sample(const struct fl_counters *c)
{
	if (c->rss_anon < 0)
		return -1;
	return c->rss_anon + (c->rss_file > 0 ? c->rss_file : 0) +
	       (c->rss_shmem > 0 ? c->rss_shmem : 0);
}

int64_t fl_vsz_of_sample(const struct fl_proc *p, const struct fl_counters *c)
{
	const struct fl_maps_snap *ms;
	if (c->vsz < 0)
		return -1;
	ms = fl_proc_maps_at(p, c->t);
	if (ms && (int64_t)ms->shim_bytes < c->vsz)
		return c->vsz - (int64_t)ms->shim_bytes;
	return c->vsz;
}
