/*
 * The system's commit charge at the moment of a call: Committed_AS and
 * CommitLimit from one read of /proc/meminfo, for the events of large
 * reservations and failed allocations (a tick's figure can be 100 ms old:
 * strict mode decides on the charge of the moment).
 */
#ifndef FL_COMMIT_H
#define FL_COMMIT_H

#include <stdint.h>

/* Bytes; -1 where meminfo has no such line or could not be read. Carried
 * as an event's trailing data (record/evbuf.h, FL_EVF_CHARGE). */
struct fl_commit {
	int64_t committed_as, commit_limit;
};

/* Reads both figures with raw syscalls into a buffer on the caller's
 * stack: no lock, no allocation, errno left as it was (the failed call's
 * errno is what the caller sees next). Costs one meminfo read, some
 * microseconds: only for large or failed calls. */
void fl_commit_read(struct fl_commit *c);

#endif
