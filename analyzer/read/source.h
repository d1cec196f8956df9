/*
 * Where the reader's bytes come from: a plain trace file, or one the shim
 * wrote with zstd (record --compress: "<pid>.ndjson.zst", told apart by the
 * zstd magic, not by the name). A compressed file is handed out one whole
 * frame at a time: the bytes of a frame that the file ends inside (the
 * process was killed, or the disk filled, while writing it) are dropped
 * with a warning, and the file is read up to its last complete frame.
 */
#ifndef FL_SOURCE_H
#define FL_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fl_source;

/* Takes fd (closed by fl_source_free); path is for messages. NULL never. */
struct fl_source *fl_source_open(int fd, const char *path);
/* Up to n bytes of plain NDJSON into buf: the count, 0 at the end, -1 on
 * a read error or corrupt zstd data (reported; what came before stands). */
ssize_t fl_source_read(struct fl_source *s, char *buf, size_t n);
/* Bytes of the file itself consumed so far (for progress). */
uint64_t fl_source_file_pos(const struct fl_source *s);
int fl_source_compressed(const struct fl_source *s);
void fl_source_free(struct fl_source *s);

#endif
