/* The reader: valid lines reach the callback, bad ones are skipped with a count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../analyzer/diag.h"
#include "../../analyzer/reader.h"

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

int main(void)
{
	struct seen s;
	unsigned long errs;
	uint64_t a;
	char **files;
	if (!mkdtemp(dir))
		return 1;

	CHECK(fl_parse_addr("0x7fff0000", &a) == 0 && a == 0x7fff0000);
	CHECK(fl_parse_addr("0xffffffffffffffff", &a) == 0 && a == UINT64_MAX);
	CHECK(fl_parse_addr("0x1ffffffffffffffff", &a) < 0);
	CHECK(fl_parse_addr("12", &a) < 0);
	CHECK(fl_parse_addr("0x", &a) < 0);
	CHECK(fl_parse_addr("0xg", &a) < 0);
	CHECK(fl_reader_event("alloc") == FL_E_ALLOC);
	CHECK(fl_reader_event("header") == FL_E_HEADER);
	CHECK(fl_reader_event("allocx") == FL_E_UNKNOWN);

	/* A good file with an unknown event and an unknown key. */
	CHECK(read_text(HDR "{\"e\":\"alloc\",\"t\":5,\"seq\":1,\"addr\":\"0x10\",\"size\":3,\"new\":1}\n"
			    "{\"e\":\"future\",\"t\":6,\"seq\":2}\n",
			&s, &errs) == 3);
	CHECK_EQ_U64(errs, 0);
	CHECK(s.n[FL_E_ALLOC] == 1 && s.n[FL_E_UNKNOWN] == 1 && s.n[FL_E_HEADER] == 1);

	/* Wrong types, broken JSON and a truncated last line: skipped, counted, rest read. */
	CHECK(read_text(HDR "{\"e\":\"alloc\",\"t\":5,\"addr\":16,\"size\":3}\n"
			    "{\"e\":\"free\",\"t\":5,\"addr\":\"0x10\",\"size\":\"3\"}\n"
			    "{\"e\":\"alloc\",\"t\":\n"
			    "{\"e\":\"stack\",\"t\":7,\"id\":1,\"frames\":[\"0x1\",2]}\n"
			    "{\"e\":\"maps\",\"t\":7,\"vmas\":[[\"0x1\",\"0x2\",\"r--p\"]]}\n"
			    "{\"e\":\"free\",\"t\":8,\"addr\":\"0x10\"}\n"
			    "{\"e\":\"free\",\"t\":9,\"ad",
			&s, &errs) == 2);
	CHECK_EQ_U64(errs, 6);
	CHECK(s.n[FL_E_FREE] == 1 && s.n[FL_E_ALLOC] == 0 && s.last_line == 7);

	/* Unusable files. */
	CHECK(read_text("", &s, &errs) < 0);
	CHECK(read_text("\x7f" "ELF\x01\x02\x03\n\x00\xff", &s, &errs) < 0 && errs == 1);
	CHECK(read_text("{\"e\":\"alloc\",\"t\":5,\"addr\":\"0x10\",\"size\":3}\n", &s, &errs) < 0);
	CHECK(read_text("{\"e\":\"header\",\"t\":0,\"v\":2,\"pid\":10}\n", &s, &errs) < 0 && errs == 1);
	CHECK(read_text("{\"e\":\"header\",\"t\":0,\"v\":\"1\",\"pid\":10}\n", &s, &errs) < 0);
	CHECK(read_text("{\"e\":\"header\",\"t\":0,\"v\":1}\n", &s, &errs) < 0);

	/* Listing: only *.ndjson, sorted. */
	write_file("20.ndjson", HDR, strlen(HDR));
	write_file("3.ndjson.tmp", HDR, strlen(HDR));
	CHECK(fl_reader_list(dir, &files) == 2);
	CHECK(strstr(files[0], "/20.ndjson") && strstr(files[1], "/x.ndjson") && !files[2]);
	fl_reader_list_free(files);
	CHECK(fl_reader_list("/nonexistent/dir", &files) < 0);

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return check_result();
}
