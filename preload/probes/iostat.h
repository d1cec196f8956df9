/*
 * Read-family calls and bytes per file descriptor, counted by hooks_io.c
 * and written per tick as "io" lines with the fd's path, so that a read()
 * run and an mmap() run of the same program can be compared.
 */
#ifndef FL_IOSTAT_H
#define FL_IOSTAT_H

#include <stdint.h>
#include <sys/types.h>

#include "trace/out.h"

#define FL_IO_MAX_FD 4096

/* After a read-family call returned r on fd. Lock-free. */
void fl_iostat_count(int fd, ssize_t r);
/* Before fd is closed (not in a vfork child): what was read on it leaves
 * with its path, and the fd number starts again from zero for the next
 * file. Lock-free and async-signal-safe (close is). */
void fl_iostat_closing(int fd);
/* The "io" line for fds that changed since the last one (none: no line). */
void fl_iostat_emit(struct fl_out *o);
/* fork child: the child's counts start from zero. */
void fl_iostat_reset(void);

#endif
