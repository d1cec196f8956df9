/*
 * Build-ids of the ELF objects the loader mapped (the executable and every
 * shared object), read from the note in the process's own memory: the
 * analyzer compares them with the files it opens later, so a library that
 * was upgraded, rebuilt or copied over since the run is reported instead of
 * misread, and a file merely touched or copied unchanged is still used.
 *
 * dl_iterate_phdr holds the loader's lock while it walks, so an object
 * cannot be unmapped under us. It is called only where no shim lock is held
 * (the ticker before its tick, the start-up constructor): a program thread
 * inside the loader may be waiting for a shim lock, and the writer must
 * never wait for a program thread while it holds one. A fork child keeps
 * the table it inherited: its address space is its parent's.
 */
#ifndef FL_BUILDID_H
#define FL_BUILDID_H

#include <stddef.h>
#include <stdint.h>

/* Walks the loaded objects and publishes their build-ids (under the writer
 * lock, which the caller must not hold). If the set of objects changed
 * since the last walk, calls changed_locked under that same lock (an object
 * loaded since the last maps snapshot may have gone out without its id:
 * the caller forgets that snapshot) and returns 1; else 0. With wait 0 (a
 * tick) it gives up, returning 0, when another thread is walking or holds
 * the lock. */
int fl_buildid_refresh(void (*changed_locked)(void), int wait);
/* The build-id, in lower-case hex, of the object whose first mapping
 * starts at start; 0 (hex untouched) if none is known. Call with the
 * writer lock held. cap >= 2 * 64 + 1. */
int fl_buildid_hex(uintptr_t start, char *hex, size_t cap);

#endif
