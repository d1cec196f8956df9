/*
 * Read-family calls and bytes per file descriptor, counted by hooks_io.c
 * and written per tick as "io" lines with the fd's path, so that a read()
 * run and an mmap() run of the same program can be compared.
 */
#ifndef FL_IOSTAT_H
#define FL_IOSTAT_H

#include <stdint.h>
#include <sys/types.h>

#include "out.h"

#define FL_IO_MAX_FD 4096

/* After a read-family call returned r on fd. Lock-free. */
void fl_iostat_count(int fd, ssize_t r);
/* The "io" line for fds that changed since the last one (none: no line). */
void fl_iostat_emit(struct fl_out *o);
/* fork child: the child's counts start from zero. */
void fl_iostat_reset(void);

#endif
