/*
 * The section registry and the helpers every section shares: findings,
 * number formatting, frames and stacks as JSON.
 */
#include "reports/report.h"

#include <stdarg.h>
#include <string.h>

#include "reports/report_cow.h"
#include "reports/report_faults.h"
#include "reports/report_io.h"
#include "reports/report_overcommit.h"
#include "reports/report_ws.h"
#include "util/xalloc.h"

const struct fl_report_section fl_report_sections[] = {
    {"summary", "Summary", fl_report_summary, fl_report_summary_text},
    {"tree", "Processes", fl_report_tree, fl_report_tree_text},
    {"heap", "Heap", fl_report_heap, fl_report_heap_text},
    {"faults", "Page faults", fl_report_faults, fl_report_faults_text},
    {"ws", "Working set", fl_report_ws, fl_report_ws_text},
    {"overcommit", "Overcommit", fl_report_overcommit, fl_report_overcommit_text},
    {"cow", "Copy-on-write", fl_report_cow, fl_report_cow_text},
    {"io", "File I/O", fl_report_io, fl_report_io_text},
    {NULL, NULL, NULL, NULL},
};

const struct fl_report_section *fl_report_find(const char *name)
{
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

void fl_report_opts_init(struct fl_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = -1;
	o->top = 10;
}

int fl_report_selected(const struct fl_report_opts *o, const struct fl_proc *p)
{
	return (o->pid < 0 || p->pid == o->pid) && (!o->image || !strcmp(p->key, o->image));
}

#define TOP_FINDINGS 8
#define PER_SECTION 2

static int has_text(json_t *arr, json_t *text)
{
	json_t *fd;
	size_t i;
	json_array_foreach(arr, i, fd) if (json_equal(json_object_get(fd, "text"), text)) return 1;
	return 0;
}

/*
 * The summary names the most important findings of the other sections that
 * were computed: warnings first, then the rest, in registry order.
 */
static void collect_top_findings(json_t *secs)
{
	json_t *summary = json_object_get(secs, "summary"), *top;
	if (!summary)
		return;
	top = json_array();
	for (int pass = 0; pass < 2; pass++)
		for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
			json_t *fd,
			    *arr = json_object_get(json_object_get(secs, s->name), "findings");
			size_t i, taken = 0;
			if (!strcmp(s->name, "summary"))
				continue;
			json_array_foreach(arr, i, fd)
			{
				const char *sev =
				    json_string_value(json_object_get(fd, "severity"));
				json_t *c;
				if ((pass == 0) != (sev && !strcmp(sev, "warn")))
					continue;
				/* No section may crowd out the others; no repeats. */
				if (json_array_size(top) >= TOP_FINDINGS || ++taken > PER_SECTION)
					break;
				if (has_text(top, json_object_get(fd, "text")))
					continue;
				c = json_deep_copy(fd);
				json_object_set_new(c, "section", json_string(s->name));
				json_array_append_new(top, c);
			}
		}
	json_object_set_new(summary, "top_findings", top);
}

json_t *fl_report_run(const struct fl_model *m, const struct fl_report_opts *o,
		      const char *const *names, size_t nnames)
{
	json_t *r = json_object(), *secs = json_object();
	size_t nsel = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		nsel += fl_report_selected(o, m->procs[i]);
	json_object_set_new(r, "trace", json_string(m->path));
	json_object_set_new(r, "processes", json_integer((json_int_t)nsel));
	json_object_set_new(r, "events", json_integer((json_int_t)m->nevents));
	json_object_set_new(r, "errors", json_integer((json_int_t)m->nerrors));
	if (o->pid >= 0)
		json_object_set_new(r, "pid", json_integer(o->pid));
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
		int want = !names;
		for (size_t i = 0; !want && i < nnames; i++)
			want = !strcmp(names[i], s->name);
		if (want)
			json_object_set_new(secs, s->name, s->compute(m, o));
	}
	json_object_set_new(r, "sections", secs);
	collect_top_findings(secs);
	return r;
}

void fl_report_render_text(json_t *report, FILE *f)
{
	json_t *secs = json_object_get(report, "sections");
	int first = 1;
	/* Registry order, not the object's key order. */
	for (const struct fl_report_section *s = fl_report_sections; s->name; s++) {
		json_t *sec = json_object_get(secs, s->name);
		if (!sec)
			continue;
		if (!first)
			fputc('\n', f);
		first = 0;
		fprintf(f, "== %s ==\n", s->title);
		s->render_text(sec, f);
	}
}

void fl_finding_add(json_t *obj, const char *id, const char *severity, const char *explain,
		    const char *fmt, ...)
{
	json_t *arr = json_object_get(obj, "findings"), *fd = json_object();
	char text[1024];
	va_list ap;
	if (!arr) {
		arr = json_array();
		json_object_set_new(obj, "findings", arr);
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_set_new(fd, "id", json_string(id));
	json_object_set_new(fd, "severity", json_string(severity));
	json_object_set_new(fd, "text", json_string(text));
	json_object_set_new(fd, "explain", json_string(explain));
	json_array_append_new(arr, fd);
}

void fl_findings_render(json_t *obj, FILE *f)
{
	json_t *arr = json_object_get(obj, "findings"), *fd;
	size_t i;
	if (!json_array_size(arr))
		return;
	fprintf(f, "\nFindings:\n");
	json_array_foreach(arr, i, fd)
	{
		const char *sev = json_string_value(json_object_get(fd, "severity"));
		fl_text_wrap(f, sev && !strcmp(sev, "warn") ? "  ! " : "  - ", "    ",
			     json_string_value(json_object_get(fd, "text")), 100);
		fl_text_wrap(f, "      why: ", "           ",
			     json_string_value(json_object_get(fd, "explain")), 100);
	}
}

void fl_text_wrap(FILE *f, const char *prefix, const char *indent, const char *text, int width)
{
	const char *p = text ? text : "";
	int first = 1;
	while (*p) {
		const char *lead = first ? prefix : indent;
		int room = width - (int)strlen(lead), n = 0, cut = -1;
		if (room < 20)
			room = 20;
		while (n < room && p[n]) {
			if (p[n] == ' ')
				cut = n;
			n++;
		}
		if (!p[n])
			cut = n;
		else if (cut <= 0)
			cut = n; /* one long word: break it */
		fprintf(f, "%s%.*s\n", lead, cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = 0;
	}
	if (first)
		fprintf(f, "%s\n", prefix);
}

/* Copies src to dst replacing what is inside each outermost open..close
 * pair by "..."; from keep_from on, src is copied as it is. */
static void collapse(char *dst, size_t len, const char *src, char open, char close,
		     const char *keep_from)
{
	size_t o = 0;
	int depth = 0;
	for (const char *p = src; *p && o + 5 < len; p++) {
		if (p >= keep_from) {
			snprintf(dst + o, len - o, "%s", p);
			return;
		}
		if (*p == open && depth++ == 0) {
			memcpy(dst + o, (char[]){open, '.', '.', '.'}, 4);
			o += 4;
		} else if (*p == close && depth > 0 && --depth == 0) {
			dst[o++] = close;
		} else if (depth == 0) {
			dst[o++] = *p;
		}
	}
	dst[o] = '\0';
}

/* Where the trailing " (file:line)" or " (object)" of a site's text
 * starts (at its space), or the end of s. */
static const char *location_of(const char *s)
{
	const char *loc = strrchr(s, '(');
	size_t n = strlen(s);
	if (!loc || loc == s || loc[-1] != ' ' || s[n - 1] != ')')
		return s + n;
	return loc - 1;
}

/* The last keep characters of s (length n), moved on to a "::" close by
 * so that a C++ name is cut between its parts. */
static const char *tail_of(const char *s, size_t n, size_t keep)
{
	const char *p = s + n - keep, *q = strstr(p, "::");
	if (q && q - p < 16 && q < location_of(p))
		return q;
	return p;
}

const char *fl_fit_site(char *buf, size_t len, const char *text, int width)
{
	char a[1024], b[1024];
	size_t n;
	snprintf(buf, len, "%s", text);
	if ((int)strlen(buf) <= width || width < 8)
		return buf;
	collapse(a, sizeof(a), text, '<', '>', location_of(text));
	collapse(b, sizeof(b), a, '(', ')', location_of(a));
	n = strlen(b);
	if ((int)strlen(a) <= width)
		snprintf(buf, len, "%s", a);
	else if ((int)n <= width)
		snprintf(buf, len, "%s", b);
	else
		snprintf(buf, len, "...%s", tail_of(b, n, (size_t)(width - 3)));
	return buf;
}

void fl_text_printf(FILE *f, const char *indent, const char *fmt, ...)
{
	char buf[2048];
	size_t n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	fl_text_wrap(f, "", indent, buf, 100);
}

const char *fl_fit_path(char *buf, size_t len, const char *path, int width)
{
	size_t n = strlen(path);
	if ((int)n <= width || width < 8)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "...%s", path + n - (size_t)(width - 3));
	return buf;
}

const char *fl_fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int u = 0;
	double a = b < 0 ? -b : b;
	while (a >= 1024 && u < 5) {
		a /= 1024;
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", b);
	else
		snprintf(buf, len,
			 a >= 100  ? "%.0f %s"
			 : a >= 10 ? "%.1f %s"
				   : "%.2f %s",
			 b, units[u]);
	return buf;
}

const char *fl_fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

const char *fl_fmt_count(char *buf, size_t len, uint64_t n)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n), o = 0;
	for (int i = 0; i < l && (size_t)o + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

const char *fl_fmt_addr(char *buf, size_t len, uint64_t a)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)a);
	return buf;
}

json_t *fl_report_frame_json(const struct fl_report_opts *o, const struct fl_proc *p, uint64_t addr,
			     uint64_t t, int is_return)
{
	struct fl_sym sym;
	char buf[512];
	json_t *j = json_object();
	fl_symbols_lookup(o->syms, p, addr, t, is_return, &sym);
	json_object_set_new(j, "addr", json_string(fl_fmt_addr(buf, sizeof(buf), addr)));
	json_object_set_new(j, "func", sym.func ? json_string(sym.func) : json_null());
	json_object_set_new(j, "object", sym.object ? json_string(sym.object) : json_null());
	json_object_set_new(j, "file", sym.file ? json_string(sym.file) : json_null());
	json_object_set_new(j, "line", sym.line ? json_integer(sym.line) : json_null());
	json_object_set_new(j, "text",
			    json_string(fl_symbols_format(&sym, addr, buf, sizeof(buf))));
	return j;
}

json_t *fl_report_stack_json(const struct fl_report_opts *o, const struct fl_proc *p,
			     uint32_t stack_id, uint64_t t, int depth)
{
	const struct fl_stack *st = fl_proc_stack(p, stack_id);
	json_t *j = json_object(), *frames = json_array();
	int site = st ? fl_symbols_site_frame(o->syms, p, st, t) : 0;
	json_object_set_new(j, "stack", json_integer(stack_id));
	if (st && st->nframes) {
		json_object_set_new(j, "site", fl_report_frame_json(o, p, st->frames[site], t, 1));
		for (uint32_t i = (uint32_t)site;
		     i < st->nframes && (int)(i - (uint32_t)site) < depth; i++)
			json_array_append_new(frames,
					      fl_report_frame_json(o, p, st->frames[i], t, 1));
	} else {
		json_t *unknown = json_object();
		json_object_set_new(unknown, "addr", json_null());
		json_object_set_new(unknown, "func", json_null());
		json_object_set_new(unknown, "object", json_null());
		json_object_set_new(unknown, "file", json_null());
		json_object_set_new(unknown, "line", json_null());
		json_object_set_new(unknown, "text", json_string("(no backtrace)"));
		json_object_set_new(j, "site", unknown);
	}
	json_object_set_new(j, "frames", frames);
	return j;
}
