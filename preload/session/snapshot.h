/*
 * Snapshots between ticks, when what they measure is about to change: the
 * residency of a large mapping just before a munmap or mremap takes it
 * away (the program's, or glibc's munmap and mremap of a chunk it mapped
 * for itself, inside free() and realloc()), so that pages mapped and gone
 * between two ticks are still seen.
 */
#ifndef FL_SNAPSHOT_H
#define FL_SNAPSHOT_H

#include <stdint.h>

/* Before a munmap or mremap of [addr, addr + len): a residency line for
 * the VMAs it touches, when len is at least the large-allocation threshold
 * (smaller ones wait for the tick). Takes the writer lock. */
void fl_snapshot_unmap(uint64_t addr, uint64_t len);

#endif
