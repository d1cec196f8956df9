/*
 * The reader maps the whole file and hands jansson one line at a time: a
 * broken line costs one message, never the rest of the trace. A flat line
 * takes the fast path (read/flat.c) when the caller wants it; the others
 * are parsed by jansson and validated against read/keys.c's table.
 */
#include "read/reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "faultline/schema.h"
#include "read/flat.h"
#include "read/heapcalls.h"
#include "read/keys.h"
#include "read/progress.h"
#include "read/source.h"
#include "util/xalloc.h"

#define MAX_REPORTED_PER_FILE 10

struct file_state {
	const char *path;
	unsigned long bad;
	long good;
	const struct fl_reader_ops *ops;
	void *ctx;
	int stop;
	int fast;		     /* the fast path is on (see FL_READER_NO_FAST_ENV) */
	struct fl_progress progress; /* long reads show how far they got */
	struct fl_flat_shape shapes[FL_E_COUNT];
	struct fl_hc_decoder *hc; /* the compact heap lines' state, once one came */
};

static void line_error(struct file_state *fs, long line, const char *fmt, const char *msg)
{
	fs->bad++;
	if (fs->bad <= MAX_REPORTED_PER_FILE)
		fl_error_at(fs->path, line, fmt, msg);
	else
		fl_error_count++;
}

/*
 * jansson's integers are int64_t: a larger one ("too big integer") fails
 * the whole line. The shim writes sizes as the program passed them, and
 * malloc(SIZE_MAX) is a real call: such a number is clamped to INT64_MAX
 * (INT64_MIN below), which reads "at least 2^63", instead of losing the
 * line. Only integer tokens outside strings change; the copy is never
 * longer (an integer out of range has at least 19 digits, as many as the
 * bound), and the rest of the token becomes spaces.
 */
static char *saturate_big_ints(const char *p, size_t n)
{
	static const char max[] = "9223372036854775807", min[] = "-9223372036854775808";
	char *q = fl_xmalloc(n + 1);
	int in_str = 0;
	memcpy(q, p, n);
	q[n] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t start = i, end, digits;
		int neg;
		if (in_str) {
			if (q[i] == '\\')
				i++;
			else if (q[i] == '"')
				in_str = 0;
			continue;
		}
		if (q[i] == '"') {
			in_str = 1;
			continue;
		}
		neg = q[i] == '-';
		if (!neg && (q[i] < '0' || q[i] > '9'))
			continue;
		end = i + neg;
		while (end < n && q[end] >= '0' && q[end] <= '9')
			end++;
		i = end - 1;
		digits = end - start - (size_t)neg;
		if (end < n && (q[end] == '.' || q[end] == 'e' || q[end] == 'E'))
			continue; /* a real: jansson takes any */
		if (digits < 19 || (digits == 19 && strncmp(q + start + neg, max, 19) <= 0) ||
		    (neg && digits == 19 && strncmp(q + start + 1, min + 1, 19) <= 0))
			continue;
		memset(q + start, ' ', end - start);
		memcpy(q + start, neg ? min : max, neg ? 20 : 19);
	}
	return q;
}

/* json_loadb, with integers beyond int64 clamped (see saturate_big_ints). */
static json_t *parse_line(const char *p, size_t n, json_error_t *err)
{
	json_t *obj = json_loadb(p, n, 0, err);
	if (!obj && strstr(err->text, "too big")) {
		char *q = saturate_big_ints(p, n);
		obj = json_loadb(q, n, 0, err);
		free(q);
	}
	return obj;
}

/* Handles the first line; returns 0 if the header is usable. */
static int first_line(struct file_state *fs, const char *p, size_t n, json_t **out, enum fl_ev *ev)
{
	json_error_t err;
	char buf[256];
	const char *msg;
	json_t *v, *obj = parse_line(p, n, &err);
	if (!obj) {
		/* Not jansson's "near '...'": the file may be anything, and its
		 * first token is none of our business. */
		const char *near = strstr(err.text, " near ");
		fl_error_at(fs->path, 1, "not a faultline trace (the first line is not JSON: %.*s)",
			    near ? (int)(near - err.text) : (int)strlen(err.text), err.text);
		return -1;
	}
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, FL_K_EVENT))) {
		fl_error_at(fs->path, 1,
			    "not a faultline trace (the first line has no event name)");
		goto fail;
	}
	*ev = fl_reader_event(json_string_value(json_object_get(obj, FL_K_EVENT)));
	if (*ev != FL_E_HEADER) {
		fl_error_at(fs->path, 1,
			    "missing header: the first line is event '%s', not 'header'",
			    json_string_value(json_object_get(obj, FL_K_EVENT)));
		goto fail;
	}
	/* The version first: a newer header may change any other key. */
	v = json_object_get(obj, FL_K_VERSION);
	if (json_is_integer(v) && json_integer_value(v) > FL_TRACE_VERSION) {
		fl_error_at(
		    fs->path, 1,
		    "trace schema version %lld is newer than this faultline understands (%d)",
		    (long long)json_integer_value(v), FL_TRACE_VERSION);
		goto fail;
	}
	msg = fl_keys_validate(obj, ev, buf, sizeof(buf));
	if (msg) {
		fl_error_at(fs->path, 1, "bad header: %s", msg);
		goto fail;
	}
	if (json_integer_value(v) < 1) {
		fl_error_at(fs->path, 1, "bad header: invalid trace schema version %lld",
			    (long long)json_integer_value(v));
		goto fail;
	}
	*out = obj;
	return 0;
fail:
	json_decref(obj);
	return -1;
}

static struct fl_hc_decoder *new_decoder(const struct file_state *fs)
{
	struct fl_hc_decoder *d = fl_hc_new();
	if (fs->ops->heap)
		fl_hc_deliver_typed(d, fs->ops->heap);
	return d;
}

static int is_heap_event(enum fl_ev ev)
{
	return ev == FL_E_HEAPCALLS || ev == FL_E_ALLOC || ev == FL_E_FREE || ev == FL_E_REALLOC;
}

static void deliver(struct file_state *fs, enum fl_ev ev, json_t *obj, long line)
{
	struct fl_reader_loc loc = {fs->path, line};
	int r;
	fs->good++;
	if (fs->ops->skip_heap && is_heap_event(ev))
		return;
	if (ev == FL_E_HEAPCALLS && fs->ops->flat && (fs->ops->flat_mask & (1u << FL_E_ALLOC))) {
		char buf[256];
		const char *msg;
		if (!fs->hc)
			fs->hc = new_decoder(fs);
		msg = fl_hc_expand(fs->hc, obj, fs->ops->flat, fs->ctx, &loc, &fs->stop, buf,
				   sizeof(buf));
		if (msg)
			line_error(fs, line, "%s", msg);
		return;
	}
	if (fs->ops->flat && (fs->ops->flat_mask & (1u << ev))) {
		struct fl_flat f;
		fl_flat_from_json(obj, ev, &f);
		r = fs->ops->flat(fs->ctx, &f, &loc);
	} else {
		r = fs->ops->event(fs->ctx, ev, obj, &loc);
	}
	if (r < 0)
		fs->stop = 1;
}

/* A compact heap line the fast path scanned: expanded without jansson. */
static void deliver_hc_flat(struct file_state *fs, const struct fl_flat *f, long line)
{
	struct fl_reader_loc loc = {fs->path, line};
	char buf[256];
	const char *msg;
	fs->good++;
	if (!fs->hc)
		fs->hc = new_decoder(fs);
	msg =
	    fl_hc_expand_flat(fs->hc, f, fs->ops->flat, fs->ctx, &loc, &fs->stop, buf, sizeof(buf));
	if (msg)
		line_error(fs, line, "%s", msg);
}

/* Whether a line starts as the writer starts a heap call's ("e" first). */
static int heap_line_start(const char *p, size_t n)
{
	static const char *const starts[] = {"{\"e\":\"hc\",", "{\"e\":\"alloc\",",
					     "{\"e\":\"free\",", "{\"e\":\"realloc\","};
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		size_t k = strlen(starts[i]);
		if (n > k && memcmp(p, starts[i], k) == 0)
			return 1;
	}
	return 0;
}

/* One line (without its newline); last = it had no newline at the end of the file. */
static void one_line(struct file_state *fs, const char *p, size_t n, long line, int last)
{
	json_error_t err;
	enum fl_ev ev = FL_E_UNKNOWN;
	char msgbuf[256];
	const char *msg;
	struct fl_flat f;
	json_t *obj;
	if (line == 1) {
		if (first_line(fs, p, n, &obj, &ev) < 0) {
			fs->stop = -1;
			return;
		}
		deliver(fs, ev, obj, line);
		json_decref(obj);
		return;
	}
	if (n == 0 || (n == 1 && p[0] == '\r'))
		return; /* blank lines are harmless */
	if (fs->ops->skip_heap && heap_line_start(p, n))
		return;
	if (fs->fast && !last && fl_flat_scan(p, n, &f) == 0) {
		if (f.ev == FL_E_HEAPCALLS) {
			/* version 3's columns are plain strings: no jansson */
			if ((fs->ops->flat_mask & (1u << FL_E_ALLOC)) &&
			    !fl_flat_get(&f, FL_K_DATA) && fl_flat_valid(fs->shapes, &f)) {
				deliver_hc_flat(fs, &f, line);
				return;
			}
		} else if (((fs->ops->flat_mask | fs->ops->fast_mask) & (1u << f.ev)) &&
			   fl_flat_valid(fs->shapes, &f)) {
			struct fl_reader_loc loc = {fs->path, line};
			fs->good++;
			if (fs->ops->flat(fs->ctx, &f, &loc) < 0)
				fs->stop = 1;
			return;
		}
	}
	obj = parse_line(p, n, &err);
	if (!obj) {
		if (last)
			/* What a process killed inside a write leaves (the kernel
			 * stops a file write between pages for a fatal signal):
			 * the end of the trace, not a wrong line, as for the
			 * compressed form's cut last frame (read/source.c). A
			 * report or check of an OOM-killed run keeps its exit
			 * status for what it found. */
			fl_warn_at(fs->path, line, "%s",
				   "truncated last line (the process was killed while writing?); "
				   "skipped");
		else
			line_error(fs, line, "not valid JSON: %s", err.text);
		return;
	}
	msg = fl_keys_validate(obj, &ev, msgbuf, sizeof(msgbuf));
	if (msg)
		line_error(fs, line, "%s; line skipped", msg);
	else if (ev == FL_E_HEADER)
		line_error(fs, line, "%s", "a second header; line skipped");
	else
		deliver(fs, ev, obj, line);
	json_decref(obj);
}

#define CHUNK (1 << 20)

/* Reads src in chunks and hands out complete lines; returns the last line number. */
static long read_lines(struct file_state *fs, struct fl_source *src)
{
	size_t cap = CHUNK, len = 0;
	char *buf = fl_xmalloc(cap);
	long line = 0;
	int eof = 0;
	while (!fs->stop && (!eof || len)) {
		size_t off = 0;
		if (!eof) {
			ssize_t r;
			if (cap - len < CHUNK / 2) {
				cap *= 2; /* a line longer than what is left: grow */
				buf = fl_xrealloc(buf, cap);
			}
			r = fl_source_read(src, buf + len, cap - len);
			if (r < 0)
				break; /* reported */
			eof = r == 0;
			len += (size_t)r;
		}
		while (!fs->stop && off < len) {
			char *nl = memchr(buf + off, '\n', len - off);
			if (!nl && !eof)
				break;
			one_line(fs, buf + off, nl ? (size_t)(nl - (buf + off)) : len - off, ++line,
				 !nl);
			off = nl ? (size_t)(nl - buf) + 1 : len;
		}
		memmove(buf, buf + off, len - off);
		len -= off;
		fl_progress_update(&fs->progress, fl_source_file_pos(src));
	}
	fl_progress_done(&fs->progress);
	free(buf);
	return line;
}

long fl_reader_read_file_ops(const char *path, const struct fl_reader_ops *ops, void *ctx)
{
	const char *nofast = getenv(FL_READER_NO_FAST_ENV);
	struct file_state fs = {path, 0, 0, ops, ctx, 0, 0, {0}, {{0}}, NULL};
	struct stat st;
	struct fl_source *src;
	long line;
	/*
	 * Not following a symlink and not waiting on a FIFO: a trace directory
	 * may be shared, and whoever planted "x.ndjson" there must not make us
	 * read another file (and quote it in an error) or hang on open.
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return fl_error("'%s' is a symbolic link: trace files are read only directly",
				path);
	if (fd < 0)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fl_error("'%s' is not a regular file", path);
	}
	if (st.st_size == 0) {
		/* Not an error: under strace -f a child killed at start leaves one. */
		close(fd);
		fl_warn("'%s' is empty: the process may have been killed at start; skipped", path);
		return 0;
	}
	fs.fast = ops->flat && !(nofast && *nofast && strcmp(nofast, "0"));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	fl_progress_init(&fs.progress, path, (uint64_t)st.st_size);
	src = fl_source_open(fd, path);
	line = read_lines(&fs, src);
	fl_source_free(src);
	fl_hc_free(fs.hc);
	if (fs.stop < 0)
		return -1;
	if (fs.bad > MAX_REPORTED_PER_FILE) {
		/* Not an error of its own: the lines were counted already. */
		fflush(stdout);
		fprintf(stderr, "faultline: %s:%ld: %lu more bad lines not shown\n", path, line,
			fs.bad - MAX_REPORTED_PER_FILE);
	}
	return fs.good;
}

long fl_reader_read_file(const char *path, fl_reader_fn fn, void *ctx)
{
	struct fl_reader_ops ops = {fn, NULL, 0, 0, NULL, 0};
	return fl_reader_read_file_ops(path, &ops, ctx);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long fl_reader_list(const char *path, char ***files)
{
	struct stat st;
	char **v = NULL;
	size_t n = 0, cap = 0, extlen = strlen(FL_TRACE_FILE_EXT),
	       zstlen = strlen(FL_TRACE_ZST_EXT);
	DIR *d;
	struct dirent *e;
	if (stat(path, &st) < 0)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		v = fl_xcalloc(2, sizeof(*v));
		v[0] = fl_xstrdup(path);
		*files = v;
		return 1;
	}
	d = opendir(path);
	if (!d)
		return fl_error("cannot open '%s': %s", path, strerror(errno));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *full;
		if ((len <= extlen || strcmp(e->d_name + len - extlen, FL_TRACE_FILE_EXT) != 0) &&
		    (len <= zstlen || strcmp(e->d_name + len - zstlen, FL_TRACE_ZST_EXT) != 0))
			continue;
		full = fl_xmalloc(strlen(path) + len + 2);
		sprintf(full, "%s/%s", path, e->d_name);
		FL_GROW(v, cap, n + 2);
		v[n++] = full;
	}
	closedir(d);
	if (!n) {
		free(v);
		return fl_error("'%s' holds no trace files (*%s or *%s)", path, FL_TRACE_FILE_EXT,
				FL_TRACE_ZST_EXT);
	}
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*files = v;
	return (long)n;
}

void fl_reader_list_free(char **files)
{
	if (!files)
		return;
	for (char **p = files; *p; p++)
		free(*p);
	free(files);
}
