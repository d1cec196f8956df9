/*
 * The compressed trace (FAULTLINE_COMPRESS=1, which record sets unless
 * --no-compress or FAULTLINE_COMPRESS=0 says otherwise): the
 * writer hands each flush of complete NDJSON lines to this sink, which
 * writes them as one whole zstd frame. A process killed with SIGKILL loses
 * at most the frame being written, and the reader skips a truncated last
 * frame with a warning; `zstdcat` gives back the plain NDJSON.
 *
 * zstd never calls malloc here: its memory comes from raw anonymous
 * mappings (fl_sys_alloc_pages) through ZSTD_customMem, and libzstd is
 * linked statically so that the shim imports none of its symbols.
 * Called with the writer's lock held, never on a hook's path (the writer
 * batches compressed flushes for the ticker, see writer.c).
 */
#ifndef FL_ZSTD_SINK_H
#define FL_ZSTD_SINK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compresses the n bytes at src into one zstd frame and writes it to fd,
 * unless the frame is larger than room (then nothing is written: -EFBIG).
 * *written gets the frame's size. 0, or -errno (a failed allocation is
 * -ENOMEM; a failed write may have left part of the frame in the file).
 */
int fl_zstd_sink_write(int fd, const char *src, size_t n, uint64_t room, uint64_t *written);

#endif
