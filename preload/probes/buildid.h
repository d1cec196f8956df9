/*
 * Build-ids of the ELF objects mapped (the executable and every shared
 * object), read from the note in the process's own memory: the analyzer
 * compares them with the files it opens later, so a library that was
 * upgraded, rebuilt or copied over since the run is reported instead of
 * misread, and a file merely touched or copied unchanged is still used.
 *
 * An object is found in the maps snapshot (the first mapping of a file,
 * offset 0) whose first page is already in the page tables (a data file's
 * untouched one is not read: that would fault it in) and read with
 * process_vm_readv, which fails with EFAULT where
 * dereferencing would fault: another thread may unmap the object meanwhile,
 * and no lock of the loader's is taken. The walk of dl_iterate_phdr that
 * read them before held the loader's lock, so a tick on a program thread
 * waited for whichever thread held it (a program's own dl_iterate_phdr
 * callback, a dlopen) where natively that thread never waits, and one that
 * ticked while holding a lock the holder wanted would never have woken
 * (t8209: a parent asleep in nanosleep stalled 30 s behind a callback). A
 * fork child keeps the ids it inherited: its address space is its parent's.
 */
#ifndef FL_BUILDID_H
#define FL_BUILDID_H

#include <stddef.h>
#include <stdint.h>

/* Walks the objects the loader mapped (dl_iterate_phdr), for a process
 * whose seccomp filter refuses process_vm_readv. From the start-up
 * constructor only: a tick must not take the loader's lock. */
void fl_buildid_init(void);
/* The build-id, in lower-case hex, of the ELF object whose first mapping
 * (offset 0 of the file with this inode) is [start, end); 0 (hex
 * untouched) if it has none or is no ELF object. Read once per start and
 * inode, then remembered. Call with the writer lock held. cap >= 2 * 64 +
 * 1. */
int fl_buildid_hex(uintptr_t start, uintptr_t end, uint64_t inode, char *hex, size_t cap);
/* The address range of the unwind tables (.eh_frame_hdr to the end of the
 * segment that holds it: .eh_frame, .gcc_except_table) of the same object:
 * 1 and [*lo, *hi), page-aligned, or 0 if it has none or cannot be read.
 * The same reading and lock as fl_buildid_hex. */
int fl_buildid_unwind(uintptr_t start, uintptr_t end, uint64_t inode, uint64_t *lo, uint64_t *hi);

#endif
