/* The reader: valid lines reach the callback, bad ones are skipped with a count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "faultline/schema.h"
#include "util/diag.h"
#include "read/reader.h"

struct seen {
	int n[FL_E_COUNT];
	long last_line;
};

static int on_ev(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	struct seen *s = ctx;
	(void)o;
	s->n[ev]++;
	s->last_line = loc->line;
	return 0;
}

static char dir[] = "/tmp/fl_t_reader.XXXXXX";

static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

#define HDR "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":10}\n"

static long read_text(const char *text, struct seen *s, unsigned long *errs)
{
	unsigned long before = fl_error_count;
	long r;
	memset(s, 0, sizeof(*s));
	r = fl_reader_read_file(write_file("x.ndjson", text, strlen(text)), on_ev, s);
	*errs = fl_error_count - before;
	return r;
}

/* ---- the fast path and jansson agree on every line ---- */

struct rec {
	long line;
	int ev;
	long long t, seq, size, stack, weight;
	unsigned long long addr, old;
	char fn[16];
};

struct recs {
	struct rec r[4096];
	int n;
};

static void add_rec(struct recs *rs, const struct fl_flat *f, long line)
{
	struct rec *r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->ev = f->ev;
	r->t = fl_flat_int(f, "t", -1);
	r->seq = fl_flat_int(f, "seq", -1);
	r->size = fl_flat_int(f, "size", -1);
	r->stack = fl_flat_int(f, "stack", -1);
	r->weight = fl_flat_int(f, "weight", -1);
	r->addr = fl_flat_addr(f, "addr");
	r->old = fl_flat_addr(f, "old_addr");
	fl_flat_str(f, "fn", r->fn, sizeof(r->fn));
}

static int on_flat(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	add_rec(ctx, f, loc->line);
	return 0;
}

static int on_json(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	struct fl_flat f;
	if (ev != FL_E_ALLOC && ev != FL_E_FREE && ev != FL_E_REALLOC)
		return 0;
	fl_flat_from_json(o, ev, &f);
	add_rec(ctx, &f, loc->line);
	return 0;
}

static const char *const variants[] = {
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"tid\":1,\"fn\":\"malloc\",\"addr\":\"0x%x\",\"size\":%d,\"stack\":3,\"weight\":%d}",
	"{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",
	"{\"e\":\"realloc\",\"t\":%d,\"seq\":%d,\"old_addr\":\"0x10\",\"addr\":\"0x%x\",\"size\":%d,\"weight\":%d}",
	"{\"e\": \"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",            /* space */
	"{\"e\":\"alloc\",\"t\":0%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",             /* leading 0 */
	"{\"e\":\"alloc\",\"t\":%d.5,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d}",            /* real */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":-%d}",             /* negative size */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%xg\",\"size\":%d}",             /* bad hex */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d,\"x\":[1]}", /* nested */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d,\"size\":7}", /* duplicate */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\"}%d",                          /* trailing */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"fn\":\"m\\u0061lloc\",\"addr\":\"0x%x\",\"size\":%d}", /* escape */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d99999999999999999999}", /* huge */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":null,\"w\":%d}", /* null size */
	"{\"e\":\"free\",\"t\":%d,\"seq\":%d,\"addr\":%d,\"size\":%d}",                     /* int addr */
	"{\"e\":\"alloc\",\"t\":%d,\"seq\":%d,\"addr\":\"0x%x\",\"size\":%d,}",            /* comma */
};

/* A trace of the header and then lines lines, each one of the formats
 * picked by a seeded generator and filled with (i, i, address, size, n): a
 * format takes what it needs from the front. Written to name; its path. */
static const char *variants_file(const char *name, const char *const *fmts, size_t nfmts,
				 int lines, unsigned seed)
{
	static char text[1 << 20];
	size_t len = (size_t)sprintf(text, "%s", HDR);
	for (int i = 0; i < lines; i++) {
		int v = (int)((seed = seed * 1103515245 + 12345) >> 16) % (int)nfmts;
		len += (size_t)sprintf(text + len, fmts[v], i, i, 0x1000 + i * 16, i % 500, i * 3);
		text[len++] = '\n';
	}
	return write_file(name, text, len);
}

static void fast_path_agrees(void)
{
	static struct recs a, b;
	struct fl_reader_ops ops = { on_json, on_flat,
				     1u << FL_E_ALLOC | 1u << FL_E_FREE | 1u << FL_E_REALLOC, 0, NULL, 0 };
	const char *path =
	    variants_file("fast.ndjson", variants, sizeof(variants) / sizeof(*variants), 3000, 7);
	a.n = b.n = 0;
	CHECK(fl_reader_read_file_ops(path, &ops, &a) > 1000);
	CHECK(fl_reader_read_file(path, on_json, &b) > 1000);
	CHECK_EQ_U64(a.n, b.n);
	CHECK(a.n == b.n && memcmp(a.r, b.r, sizeof(a.r[0]) * (size_t)a.n) == 0);
}

/* ---- periodic events: the fast path's rows equal jansson's arrays ---- */

static const char *const pkeys[] = { "t", "seq", "period", "lost", "samples", "minflt",
				     "dtlb_load_misses", "method", "regions", "fds" };

static void ser_flat_val(char *out, size_t len, const struct fl_flat_val *v)
{
	size_t o = strlen(out);
	if (!v)
		snprintf(out + o, len - o, "-|");
	else if (v->type == 'i')
		snprintf(out + o, len - o, "%lld|", (long long)v->i);
	else if (v->type == 's')
		snprintf(out + o, len - o, "s:%.*s|", (int)v->slen, v->s);
	else if (v->type == 'n')
		snprintf(out + o, len - o, "null|");
	else {
		struct fl_flat_row r;
		size_t pos = 0;
		while (fl_flat_row_next(v, &pos, &r)) {
			for (size_t c = 0; c < r.n; c++)
				ser_flat_val(out, len, &r.v[c]);
			o = strlen(out);
			snprintf(out + o, len - o, ";");
		}
		o = strlen(out);
		snprintf(out + o, len - o, "]|");
	}
}

static void ser_json_val(char *out, size_t len, json_t *v)
{
	size_t o = strlen(out), i, c;
	json_t *row, *x;
	if (!v)
		snprintf(out + o, len - o, "-|");
	else if (json_is_integer(v))
		snprintf(out + o, len - o, "%lld|", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(out + o, len - o, "s:%s|", json_string_value(v));
	else if (json_is_null(v))
		snprintf(out + o, len - o, "null|");
	else {
		json_array_foreach(v, i, row) {
			json_array_foreach(row, c, x)
				ser_json_val(out, len, x);
			o = strlen(out);
			snprintf(out + o, len - o, ";");
		}
		o = strlen(out);
		snprintf(out + o, len - o, "]|");
	}
}

struct sers {
	char s[600][512];
	int n;
};

static int ser_flat(void *ctx, const struct fl_flat *f, const struct fl_reader_loc *loc)
{
	struct sers *z = ctx;
	char *out = z->s[z->n++];
	snprintf(out, 512, "%ld:%d:", loc->line, f->ev);
	for (size_t k = 0; k < sizeof(pkeys) / sizeof(*pkeys); k++)
		ser_flat_val(out, 512, fl_flat_get(f, pkeys[k]));
	return 0;
}

static int ser_json(void *ctx, enum fl_ev ev, json_t *o, const struct fl_reader_loc *loc)
{
	struct sers *z = ctx;
	char *out;
	if (ev == FL_E_HEADER)
		return 0;
	out = z->s[z->n++];
	snprintf(out, 512, "%ld:%d:", loc->line, ev);
	for (size_t k = 0; k < sizeof(pkeys) / sizeof(*pkeys); k++)
		ser_json_val(out, 512, json_object_get(o, pkeys[k]));
	return 0;
}

static const char *const pvariants[] = {
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"period\":1,\"lost\":0,\"samples\":[[\"0x1000\",\"0x400\",7,%d,0],[\"0x2000\",\"0x401\",7,5,1]]}",
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[]}",
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[\"0x1000\",\"0x400\",7,%d]]}",        /* short row */
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[\"0x1000\",\"0x400\",7,%d,0] ]}",    /* space */
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[\"0x1000\",\"0x400\",\"7\",%d,0]]}", /* type */
	"{\"e\":\"faults\",\"t\":%d,\"seq\":%d,\"samples\":[[[1],\"0x400\",7,%d,0]]}",              /* deeper */
	"{\"e\":\"counters\",\"t\":%d,\"seq\":%d,\"minflt\":%d,\"dtlb_load_misses\":null}",
	"{\"e\":\"counters\",\"t\":%d,\"seq\":%d,\"minflt\":%d,\"dtlb_load_misses\":true}",         /* bool */
	"{\"e\":\"residency\",\"t\":%d,\"seq\":%d,\"method\":\"pagemap\",\"regions\":[[\"0x1000\",\"0x9000\",%d,0,0,1,0,0,-1,-1]]}",
	"{\"e\":\"residency\",\"t\":%d,\"seq\":%d,\"regions\":[[\"0x1000\",\"0x9000\",%d,0,0,1,0,0,-1]]}", /* short */
	"{\"e\":\"io\",\"t\":%d,\"seq\":%d,\"fds\":[[3,\"/data/f\",%d,4096],[4,null,1,2]]}",
	"{\"e\":\"io\",\"t\":%d,\"seq\":%d,\"fds\":[[3,\"/d\\u00e9j\u00e0\",%d,4096]]}",          /* escapes, UTF-8 */
	"{\"e\":\"io\",\"t\":%d,\"seq\":%d,\"fds\":[[3,\"/data/f\",%d,4096],]}",                  /* comma */
};

static void periodic_agrees(void)
{
	static struct sers a, b;
	struct fl_reader_ops ops = { ser_json, ser_flat, 0,
				     1u << FL_E_FAULTS | 1u << FL_E_COUNTERS | 1u << FL_E_RESIDENCY |
					     1u << FL_E_IO, NULL, 0 };
	const char *path = variants_file("periodic.ndjson", pvariants,
					 sizeof(pvariants) / sizeof(*pvariants), 500, 11);
	a.n = b.n = 0;
	CHECK(fl_reader_read_file_ops(path, &ops, &a) > 200);
	CHECK(fl_reader_read_file(path, ser_json, &b) > 200);
	CHECK_EQ_U64(a.n, b.n);
	for (int i = 0; i < a.n && i < b.n; i++)
		if (strcmp(a.s[i], b.s[i])) {
			CHECK_STR(a.s[i], b.s[i]);
			break;
		}
}

int main(void)
{
	struct seen s;
	unsigned long errs;
	uint64_t a;
	char **files;
	char newer[128];
	if (!mkdtemp(dir))
		return 1;

	CHECK(fl_parse_addr("0x7fff0000", &a) == 0 && a == 0x7fff0000);
	CHECK(fl_parse_addr("0xffffffffffffffff", &a) == 0 && a == UINT64_MAX);
	CHECK(fl_parse_addr("0x1ffffffffffffffff", &a) < 0);
	CHECK(fl_parse_addr("12", &a) < 0);
	CHECK(fl_parse_addr("0x", &a) < 0);
	CHECK(fl_parse_addr("0xg", &a) < 0);
	CHECK(fl_parse_addr("0x0000000000000000000000ABCdef", &a) == 0 && a == 0xabcdef);
	CHECK(fl_parse_addr("0X00000000000000001ffffffffffffffff", &a) < 0);
	CHECK(fl_parse_addr("0x10000000000000000", &a) < 0);
	CHECK(fl_reader_event("alloc") == FL_E_ALLOC);
	CHECK(fl_reader_event("header") == FL_E_HEADER);
	CHECK(fl_reader_event("allocx") == FL_E_UNKNOWN);

	/* A good file with an unknown event and an unknown key. */
	CHECK(read_text(HDR "{\"e\":\"alloc\",\"t\":5,\"seq\":1,\"addr\":\"0x10\",\"size\":3,\"new\":1}\n"
			    "{\"e\":\"future\",\"t\":6,\"seq\":2}\n",
			&s, &errs) == 3);
	CHECK_EQ_U64(errs, 0);
	CHECK(s.n[FL_E_ALLOC] == 1 && s.n[FL_E_UNKNOWN] == 1 && s.n[FL_E_HEADER] == 1);

	/* Wrong types and broken JSON: skipped, counted, rest read; a truncated
	 * last line is skipped with a warning, not counted (the end of a trace
	 * whose writer was killed). */
	CHECK(read_text(HDR "{\"e\":\"alloc\",\"t\":5,\"addr\":16,\"size\":3}\n"
			    "{\"e\":\"free\",\"t\":5,\"addr\":\"0x10\",\"size\":\"3\"}\n"
			    "{\"e\":\"alloc\",\"t\":\n"
			    "{\"e\":\"stack\",\"t\":7,\"id\":1,\"frames\":[\"0x1\",2]}\n"
			    "{\"e\":\"maps\",\"t\":7,\"vmas\":[[\"0x1\",\"0x2\",\"r--p\"]]}\n"
			    "{\"e\":\"free\",\"t\":8,\"addr\":\"0x10\"}\n"
			    "{\"e\":\"free\",\"t\":9,\"ad",
			&s, &errs) == 2);
	CHECK_EQ_U64(errs, 5);
	CHECK(s.n[FL_E_FREE] == 1 && s.n[FL_E_ALLOC] == 0 && s.last_line == 7);

	/* Unusable files. */
	CHECK(read_text("", &s, &errs) == 0 && errs == 0); /* empty: a warning */
	CHECK(read_text("\x7f" "ELF\x01\x02\x03\n\x00\xff", &s, &errs) < 0 && errs == 1);
	CHECK(read_text("{\"e\":\"alloc\",\"t\":5,\"addr\":\"0x10\",\"size\":3}\n", &s, &errs) < 0);
	/* a version newer than this reader knows */
	snprintf(newer, sizeof(newer), "{\"e\":\"header\",\"t\":0,\"v\":%d,\"pid\":10}\n",
		 FL_TRACE_VERSION + 1);
	CHECK(read_text(newer, &s, &errs) < 0 && errs == 1);
	CHECK(read_text("{\"e\":\"header\",\"t\":0,\"v\":\"1\",\"pid\":10}\n", &s, &errs) < 0);
	CHECK(read_text("{\"e\":\"header\",\"t\":0,\"v\":1}\n", &s, &errs) < 0);

	fast_path_agrees();
	periodic_agrees();

	/* Listing: only *.ndjson, sorted. */
	write_file("20.ndjson", HDR, strlen(HDR));
	write_file("3.ndjson.tmp", HDR, strlen(HDR));
	CHECK(fl_reader_list(dir, &files) == 4);
	CHECK(strstr(files[0], "/20.ndjson") && strstr(files[1], "/fast.ndjson") &&
	      strstr(files[2], "/periodic.ndjson") && strstr(files[3], "/x.ndjson") && !files[4]);
	fl_reader_list_free(files);
	CHECK(fl_reader_list("/nonexistent/dir", &files) < 0);

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
