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

int64_t fl_shim_bytes_of_sample(const struct fl_proc *p, const struct fl_counters *c)
{
	const struct fl_maps_snap *ms = fl_proc_maps_at(p, c->t);
	/* The line's own count of the shim's regions, taken with its vsz (the
	 * maps line before it may predate the newest ones), and the shim's
	 * image, which does not change; older traces: the maps line's. */
	if (c->shim_mapped >= 0)
		return c->shim_mapped + (ms ? (int64_t)ms->shim_image_bytes : 0);
	return ms ? (int64_t)ms->shim_bytes : 0;
}

int64_t fl_vsz_of_sample(const struct fl_proc *p, const struct fl_counters *c)
{
	int64_t shim;
	if (c->vsz < 0)
		return -1;
	shim = fl_shim_bytes_of_sample(p, c);
	return shim < c->vsz ? c->vsz - shim : c->vsz;
}

int64_t fl_vm_peak_of_sample(const struct fl_proc *p, const struct fl_counters *c)
{
	const struct fl_maps_snap *ms = fl_proc_maps_at(p, c->t);
	int64_t image = ms ? (int64_t)ms->shim_image_bytes : 0;
	if (c->vm_peak_less_regions < 0)
		return -1;
	return c->vm_peak_less_regions > image ? c->vm_peak_less_regions - image
					       : c->vm_peak_less_regions;
}
