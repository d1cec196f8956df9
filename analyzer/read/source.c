/*
 * The compressed path decodes into a buffer of its own and releases a
 * frame's bytes only once the frame is complete: a frame cut short by a
 * SIGKILL or a full disk could otherwise hand the line splitter half a
 * line, or lines whose checksum was never verified.
 */
#include "read/source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "util/diag.h"
#include "util/xalloc.h"

#define IN_BYTES (1u << 20)

struct fl_source {
	int fd;
	const char *path;
	uint64_t file_pos;
	ZSTD_DStream *zd; /* NULL: a plain file */
	char *in;
	size_t in_len, in_pos;
	int in_eof;
	char *out; /* decoded bytes: [out_pos, ready) complete frames, [ready, out_len) the frame
		      under way */
	size_t out_len, out_pos, ready, out_cap;
	size_t frames;
	int mid_frame; /* input of a frame not yet complete was taken */
};

static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

struct fl_source *fl_source_open(int fd, const char *path)
{
	struct fl_source *s = fl_xcalloc(1, sizeof(*s));
	unsigned char head[4];
	s->fd = fd;
	s->path = path;
	if (pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	    !memcmp(head, zstd_magic, sizeof(head))) {
		s->zd = ZSTD_createDStream();
		if (!s->zd)
			fl_die("out of memory");
		s->in = fl_xmalloc(IN_BYTES);
		s->out_cap = ZSTD_DStreamOutSize() * 8;
		s->out = fl_xmalloc(s->out_cap);
	}
	return s;
}

int fl_source_compressed(const struct fl_source *s)
{
	return s->zd != NULL;
}

uint64_t fl_source_file_pos(const struct fl_source *s)
{
	return s->file_pos;
}

static ssize_t read_fd(struct fl_source *s, char *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(s->fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fl_error("cannot read '%s': %s", s->path, strerror(errno));
		return r;
	}
}

/* Decodes until a frame ends or the input does: 1 when bytes became ready,
 * 0 at the end of the file, -1 on an error (reported). */
static int decode(struct fl_source *s)
{
	memmove(s->out, s->out + s->ready, s->out_len - s->ready);
	s->out_len -= s->ready;
	s->out_pos = s->ready = 0;
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out;
		size_t r;
		if (s->in_pos == s->in_len) {
			ssize_t got;
			if (s->in_eof)
				break;
			got = read_fd(s, s->in, IN_BYTES);
			if (got < 0)
				return -1;
			s->in_eof = got == 0;
			s->in_len = (size_t)got;
			s->in_pos = 0;
			continue;
		}
		if (s->out_len == s->out_cap) {
			s->out_cap *= 2;
			s->out = fl_xrealloc(s->out, s->out_cap);
		}
		in = (ZSTD_inBuffer){s->in, s->in_len, s->in_pos};
		out = (ZSTD_outBuffer){s->out, s->out_cap, s->out_len};
		r = ZSTD_decompressStream(s->zd, &out, &in);
		s->file_pos += in.pos - s->in_pos;
		s->in_pos = in.pos;
		s->out_len = out.pos;
		s->mid_frame = r != 0;
		if (ZSTD_isError(r)) {
			fl_error(
			    "'%s': corrupt zstd data after %zu frames (%s); the rest is not read",
			    s->path, s->frames, ZSTD_getErrorName(r));
			return -1;
		}
		if (r == 0) {
			s->frames++;
			s->ready = s->out_len;
			if (s->ready)
				return 1;
		}
	}
	if (s->mid_frame)
		fl_warn("'%s': the last zstd frame is truncated (the process was killed "
			"while writing it?); skipped with its %zu decoded bytes",
			s->path, s->out_len);
	s->mid_frame = 0;
	s->out_len = 0;
	return 0;
}

ssize_t fl_source_read(struct fl_source *s, char *buf, size_t n)
{
	size_t k;
	if (!s->zd) {
		ssize_t r = read_fd(s, buf, n);
		if (r > 0)
			s->file_pos += (uint64_t)r;
		return r;
	}
	if (s->out_pos == s->ready) {
		int r = decode(s);
		if (r <= 0)
			return r;
	}
	k = s->ready - s->out_pos < n ? s->ready - s->out_pos : n;
	memcpy(buf, s->out + s->out_pos, k);
	s->out_pos += k;
	return (ssize_t)k;
}

void fl_source_free(struct fl_source *s)
{
	if (!s)
		return;
	close(s->fd);
	ZSTD_freeDStream(s->zd);
	free(s->in);
	free(s->out);
	free(s);
}
