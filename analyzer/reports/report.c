/*
 * The helpers every section shares: the options, findings, frames and
 * stacks as JSON.
 */
#include "reports/report.h"

#include <stdarg.h>
#include <string.h>

#include "util/xalloc.h"

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

void fl_findings_render_top(json_t *top, const char *heading, FILE *f)
{
	json_t *fd;
	size_t i;
	if (json_array_size(top))
		fprintf(f, "\n%s\n", heading);
	json_array_foreach(top, i, fd)
	{
		const char *sev = json_string_value(json_object_get(fd, "severity"));
		char lead[48];
		snprintf(lead, sizeof(lead), "  %s [%s] ", sev && !strcmp(sev, "warn") ? "!" : "-",
			 json_string_value(json_object_get(fd, "section")));
		fl_text_wrap(f, lead, "      ", json_string_value(json_object_get(fd, "text")),
			     100);
	}
}

/* Two findings say the same thing about different objects when they share
 * the id, the severity and the mechanism. */
static int alike(json_t *a, json_t *b)
{
	static const char *const keys[] = {"id", "severity", "mechanism"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!json_equal(json_object_get(a, keys[k]), json_object_get(b, keys[k])) &&
		    (json_object_get(a, keys[k]) || json_object_get(b, keys[k])))
			return 0;
	return 1;
}

/* The first finding of a group of FL_FINDINGS_FOLD_MIN or more alike ones
 * takes the others in: their count, and the first few texts as examples. */
static void fold_into(json_t *first, json_t *arr, size_t from)
{
	json_t *examples = json_array(), *fd;
	size_t count = 1, i;
	char text[1024];
	json_array_append(examples, json_object_get(first, "text"));
	for (i = from; i < json_array_size(arr);) {
		fd = json_array_get(arr, i);
		if (!alike(first, fd)) {
			i++;
			continue;
		}
		if (json_array_size(examples) < FL_FINDINGS_EXAMPLES)
			json_array_append(examples, json_object_get(fd, "text"));
		count++;
		json_array_remove(arr, i);
	}
	snprintf(text, sizeof(text), "×%zu: %s; and %zu more like it", count,
		 json_string_value(json_object_get(first, "text")), count - 1);
	json_object_set_new(first, "text", json_string(text));
	json_object_set_new(first, "count", json_integer((json_int_t)count));
	json_object_set_new(first, "examples", examples);
}

void fl_findings_fold(json_t *obj)
{
	json_t *arr = json_object_get(obj, "findings");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *first = json_array_get(arr, i);
		size_t alike_n = 1;
		for (size_t j = i + 1; j < json_array_size(arr); j++)
			alike_n += alike(first, json_array_get(arr, j));
		if (alike_n >= FL_FINDINGS_FOLD_MIN)
			fold_into(first, arr, i + 1);
	}
}

size_t fl_report_top_procs(json_t *procs, const char *key, size_t *idx, size_t max, size_t *rest_n,
			   long long *rest_sum)
{
	size_t n = json_array_size(procs), k = 0;
	char *used = fl_xcalloc(n + 1, 1);
	*rest_n = 0;
	*rest_sum = 0;
	while (k < max) {
		size_t best = n;
		json_int_t bv = 0;
		for (size_t i = 0; i < n; i++) {
			json_int_t v =
			    json_integer_value(json_object_get(json_array_get(procs, i), key));
			if (!used[i] && v > bv) {
				best = i;
				bv = v;
			}
		}
		if (best == n)
			break;
		used[best] = 1;
		idx[k++] = best;
	}
	for (size_t i = 0; i < n; i++)
		if (!used[i]) {
			json_int_t v =
			    json_integer_value(json_object_get(json_array_get(procs, i), key));
			if (v > 0) {
				(*rest_n)++;
				*rest_sum += v;
			}
		}
	free(used);
	return k;
}

long long fl_jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
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

/* ---- telling apart sites printed alike ---- */

static json_t *frame_at(json_t *stack, size_t k)
{
	return json_array_get(json_object_get(stack, "frames"), k);
}

static const char *frame_text(json_t *stack, size_t k)
{
	return json_string_value(json_object_get(frame_at(stack, k), "text"));
}

static const char *stack_site_text(json_t *stack)
{
	return json_string_value(json_object_get(json_object_get(stack, "site"), "text"));
}

/* Index of the site's own frame in its stack (plumbing frames come before
 * it); the stack's length if none has its text. */
static size_t site_index(json_t *stack, const char *text)
{
	size_t k, n = json_array_size(json_object_get(stack, "frames"));
	for (k = 0; k < n; k++)
		if (frame_text(stack, k) && !strcmp(frame_text(stack, k), text))
			break;
	return k;
}

static json_t *row_stack(json_t *rows, size_t i, const char *key)
{
	json_t *r = json_array_get(rows, i);
	return key ? json_object_get(r, key) : r;
}

const char *fl_report_parting_caller(json_t *rows, size_t i, const char *key)
{
	json_t *s = row_stack(rows, i, key);
	const char *text = stack_site_text(s);
	if (!text)
		return NULL;
	for (size_t j = 0; j < json_array_size(rows); j++) {
		json_t *o = row_stack(rows, j, key);
		if (j == i || !stack_site_text(o) || strcmp(stack_site_text(o), text))
			continue;
		size_t ks = site_index(s, text), ko = site_index(o, text);
		size_t n = json_array_size(json_object_get(s, "frames"));
		for (size_t m = 1; ks + m < n; m++) {
			const char *a = frame_text(s, ks + m), *b = frame_text(o, ko + m);
			if (a && (!b || strcmp(a, b))) {
				const char *fn =
				    json_string_value(json_object_get(frame_at(s, ks + m), "func"));
				return fn ? fn : a;
			}
		}
	}
	return NULL;
}
