/*
 * One zstd frame per flush. The frame is compressed whole into a buffer
 * and written with one write_all: a frame is never interleaved with
 * anything, and a reopened or size-capped file still holds only whole
 * frames (but for a write that failed halfway, which the reader reports
 * as a truncated last frame).
 */
#include "trace/zstd_sink.h"

#include <errno.h>
#include <sys/mman.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createCCtx_advanced */
#include <zstd.h>

#include "base/config.h"
#include "base/sys.h"

/*
 * Level 1 with a small hash table: the lines are mostly digits in no
 * order zstd can find (slots, sizes), so nearly all of the gain is the
 * literals' Huffman coding and matches add little. A 4096-entry hash
 * (16 KiB, it stays in L1) and a 256 KiB window cost 10 % fewer
 * instructions and about 25 % less CPU than level 1's defaults for 0.4 %
 * more bytes on bench/malloc_bench's one-line-per-call trace (doc/limits.md).
 * No checksum: a truncated frame is known by its structure, and the
 * checksum cost another 8 % of the time.
 *
 * Level 1 only where the trace's size is the point, a line per heap call
 * (--all: bench/ compares its bytes a call with heaptrack's file). The
 * default mode's lines are fault samples, heap samples and snapshots,
 * written on the program's threads: there the fast level -3 takes 14 %
 * of the user-space instructions off the 256 MiB fault loop (16.1 M ->
 * 13.9 M, callgrind) for a trace 1.7 times as large (63 -> 107 KB).
 */
#define LEVEL_ALL 1
#define LEVEL_DEFAULT (-3)
#define HASH_LOG 12
#define WINDOW_LOG 18
#define HEADER 64 /* keeps each block's length; keeps zstd's alignment */

static void *sink_alloc(void *opaque, size_t size)
{
	char *p = fl_sys_alloc_pages(size + HEADER);
	(void)opaque;
	if (!p)
		return NULL;
	*(size_t *)p = size + HEADER;
	return p + HEADER;
}

static void sink_free(void *opaque, void *address)
{
	char *p;
	(void)opaque;
	if (!address)
		return;
	p = (char *)address - HEADER;
	fl_sys_munmap(p, *(size_t *)p);
}

static ZSTD_CCtx *cctx;
static char *dst;
static size_t dst_cap;

static int ensure(size_t n)
{
	static const ZSTD_customMem mem = {sink_alloc, sink_free, NULL};
	size_t need = ZSTD_compressBound(n);
	if (!cctx) {
		cctx = ZSTD_createCCtx_advanced(mem);
		if (!cctx)
			return -ENOMEM;
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
				       fl_config.all ? LEVEL_ALL : LEVEL_DEFAULT);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_hashLog, HASH_LOG);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, WINDOW_LOG);
	}
	if (need > dst_cap) {
		size_t cap = need > (4u << 20) ? need : (4u << 20);
		if (dst)
			sink_free(NULL, dst);
		dst = sink_alloc(NULL, cap);
		dst_cap = dst ? cap : 0;
		if (!dst)
			return -ENOMEM;
	}
	return 0;
}

int fl_zstd_sink_write(int fd, const char *src, size_t n, uint64_t room, uint64_t *written)
{
	size_t size;
	int err = ensure(n);
	*written = 0;
	if (err)
		return err;
	/* A frame left unfinished by an earlier error must not prefix this one. */
	ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only);
	size = ZSTD_compress2(cctx, dst, dst_cap, src, n);
	if (ZSTD_isError(size))
		return -ENOMEM;
	if (size > room)
		return -EFBIG;
	err = fl_sys_write_all(fd, dst, size);
	if (err == 0)
		*written = size;
	return err;
}
