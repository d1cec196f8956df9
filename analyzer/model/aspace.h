/*
 * The address space over time, the loader's side: the queries themselves
 * (fl_proc_maps_at, fl_proc_vma_at) are declared in model/model.h.
 */
#ifndef FL_ASPACE_H
#define FL_ASPACE_H

#include "model/model.h"

/*
 * Builds p->map_index (what mmap/mremap/brk returned) and p->unmap_index
 * (munmap ranges, mremap sources) from p->calls, which must be sorted by
 * seq and final: the indexes hold positions in it.
 */
void fl_aspace_index_calls(struct fl_proc *p);

/*
 * Links each VMA of each maps snapshot to its instances in the next one (same
 * path and kind, overlapping range) and gives every instance the extent of
 * the whole chain in life_start/life_end: a mapping that grew or merged is one
 * VMA over time, not one per start address. p->maps must be sorted by t.
 */
void fl_aspace_timeline(struct fl_proc *p);

#endif
