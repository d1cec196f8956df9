/*
 * Every integer the schema defines, at its extremes (0, -1, INT64_MAX,
 * 2^64-1, INT64_MIN, beyond 2^64), in every event and row column: the
 * reader keeps the line (clamping what is beyond int64, refusing a negative
 * where the schema says non-negative) and the model, every report section
 * and the HTML page take the value without tripping a sanitizer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/model.h"
#include "read/keys.h"
#include "read/reader.h"
#include "render/render_html.h"
#include "reports/registry.h"
#include "util/diag.h"

static const struct {
	const char *text;
	long long want; /* as read */
	int negative;
} values[] = {
    {"0", 0, 0},
    {"-1", -1, 1},
    {"9223372036854775807", INT64_MAX, 0},
    {"18446744073709551615", INT64_MAX, 0},
    {"-9223372036854775808", INT64_MIN, 1},
    {"-99999999999999999999", INT64_MIN, 1},
    {"340282366920938463463374607431768211456", INT64_MAX, 0},
};

static int is_int_type(char t)
{
	return t == 'i' || t == 'u' || t == 'n' || t == 'A';
}

static const char *default_of(char t)
{
	switch (t) {
	case 'a':
	case 'A':
		return "\"0x1000\"";
	case 's':
	case 'S':
		return "\"x\"";
	case 'o':
	case 'O':
		return "{}";
	case 'b':
		return "true";
	}
	return "1";
}

/* A row of defaults with column col (or none: -1) set to v. */
static void put_row(char *out, size_t len, const char *row, int col, const char *v)
{
	size_t n = strlen(out);
	if (row[0] == '*') {
		snprintf(out + n, len - n, "[%s]", col == 0 ? v : default_of(row[1]));
		return;
	}
	snprintf(out + n, len - n, "[[");
	for (size_t c = 0; row[c]; c++) {
		n = strlen(out);
		snprintf(out + n, len - n, "%s%s", c ? "," : "", (int)c == col ? v : default_of(row[c]));
	}
	n = strlen(out);
	snprintf(out + n, len - n, "]]");
}

/* One line of event ev: its required keys with defaults, then key k (column col) set to v. */
static void make_line(char *out, size_t len, enum fl_ev ev, const struct fl_key_spec *k, int col,
		      const char *v)
{
	const struct fl_key_spec *ks = fl_keys_of(ev);
	size_t n;
	snprintf(out, len, "{\"e\":\"%s\"", fl_reader_event_name(ev));
	if (ev == FL_E_HEADER)
		strncat(out, ",\"v\":1,\"pid\":100", len - strlen(out) - 1);
	if (k != &fl_keys_common[0])
		strncat(out, ",\"t\":1", len - strlen(out) - 1);
	for (const struct fl_key_spec *r = ks; r->key; r++) {
		if (r == k || !r->required || !strcmp(r->key, "v") || !strcmp(r->key, "pid"))
			continue;
		n = strlen(out);
		snprintf(out + n, len - n, ",\"%s\":", r->key);
		if (r->type == 'r')
			put_row(out, len, r->row, -1, NULL);
		else
			strncat(out, default_of(r->type), len - strlen(out) - 1);
	}
	n = strlen(out);
	snprintf(out + n, len - n, ",\"%s\":", k->key);
	if (k->type == 'r')
		put_row(out, len, k->row, col, v);
	else
		strncat(out, v, len - strlen(out) - 1);
	strncat(out, "}\n", len - strlen(out) - 1);
}

struct expect {
	const char *key;
	int col;
	long long want;
	int header; /* the key is the header's: line 1 */
	int seen;
};

static int on_ev(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	struct expect *x = ctx;
	json_t *v = json_object_get(o, x->key);
	if (loc->line != (x->header ? 1 : 2) || (ev == FL_E_HEADER) != x->header)
		return 0;
	if (x->col >= 0) {
		v = json_array_get(v, 0);
		v = json_is_array(v) ? json_array_get(v, (size_t)x->col) : v;
	}
	if (json_is_integer(v) && json_integer_value(v) == x->want)
		x->seen++;
	return 0;
}

static const char *write_trace(const char *dir, const char *hdr, const char *line)
{
	static char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/100.ndjson", dir);
	f = fopen(path, "w");
	fputs(hdr, f);
	fputs(line, f);
	fclose(f);
	return path;
}

static void analyse(const char *dir, FILE *sink)
{
	struct fl_model m;
	struct fl_report_opts o;
	json_t *r;
	if (fl_model_load(&m, dir) == 0) {
		fl_report_opts_init(&o);
		o.syms = NULL;
		r = fl_report_run(&m, &o, NULL, 0);
		fl_report_render_text(r, sink);
		fl_render_html(sink, r, &m, &o);
		json_decref(r);
	}
	fl_model_release(&m);
}

/* Key k (column col of a row key) of event ev at every extreme value. */
static void one_key(const char *dir, FILE *sink, enum fl_ev ev, const struct fl_key_spec *k,
		    int col, char type)
{
	static const char hdr[] = "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":100}\n";
	char line[2048];
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct expect x = {k->key, col, values[i].want, ev == FL_E_HEADER, 0};
		unsigned long before = fl_error_count;
		int refused = type == 'u' && values[i].negative;
		make_line(line, sizeof(line), ev, k, col, values[i].text);
		if (ev == FL_E_HEADER && (!strcmp(k->key, "v") || !strcmp(k->key, "pid")))
			continue; /* the version is checked first; pid names the process */
		fl_reader_read_file(write_trace(dir, ev == FL_E_HEADER ? "" : hdr, line), on_ev, &x);
		if (refused) {
			CHECK(fl_error_count == before + 1);
		} else if (fl_error_count != before || x.seen != 1) {
			fprintf(stderr, "not read back as %lld: %s", values[i].want, line);
			CHECK(0);
		}
		analyse(dir, sink);
	}
}

int main(void)
{
	char dir[] = "/tmp/fl_t_extremes.XXXXXX";
	FILE *sink = fopen("/dev/null", "w");
	char cmd[64];
	if (!mkdtemp(dir) || !sink)
		return 1;
	for (int ev = FL_E_HEADER; ev < FL_E_COUNT; ev++) {
		for (const struct fl_key_spec *k = fl_keys_common; k->key; k++)
			if (is_int_type(k->type))
				one_key(dir, sink, ev, k, -1, k->type);
		for (const struct fl_key_spec *k = fl_keys_of(ev); k->key; k++) {
			if (is_int_type(k->type))
				one_key(dir, sink, ev, k, -1, k->type);
			if (k->type != 'r')
				continue;
			if (k->row[0] == '*') {
				if (is_int_type(k->row[1]))
					one_key(dir, sink, ev, k, 0, k->row[1]);
				continue;
			}
			for (size_t c = 0; k->row[c]; c++)
				if (is_int_type(k->row[c]))
					one_key(dir, sink, ev, k, (int)c, k->row[c]);
		}
	}
	fclose(sink);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_result();
}
