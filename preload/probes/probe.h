/*
 * What one probe can do here, for the header's "probes" object: ok, or the
 * errno and a reason in words. Each probe module fills its own; the
 * schedule (probes.c) writes them all into the header.
 */
#ifndef FL_PROBE_H
#define FL_PROBE_H

struct fl_probe_st {
	int ok;
	int err;
	const char *why;
};

static inline void fl_probe_set(struct fl_probe_st *p, int ok, int err, const char *why)
{
	p->ok = ok;
	p->err = err;
	p->why = why;
}

#endif
