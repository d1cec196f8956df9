/* options.c: every spelling of an option yields the same value; sizes and
 * suggestions at their edges. Usage errors exit, so only accepted input is
 * parsed here; the shell tests (t7003, t7004) check the refusals. */
#include <stdlib.h>

#include "check.h"
#include "cmd/options.h"

enum { O_OUT = 1, O_QUIET, O_SIZE, O_TOP };

static const struct fl_option table[] = {
    {O_OUT, "output", 'o', FL_OPT_STRING, NULL},
    {O_QUIET, "quiet", 'q', FL_OPT_FLAG, NULL},
    {O_SIZE, "large", 0, FL_OPT_SIZE, NULL},
    {O_TOP, "top", 0, FL_OPT_INT, NULL},
    {0, NULL, 0, FL_OPT_FLAG, NULL},
};

/* Parses argv and returns "id=value" pairs, space-separated. */
static const char *parse(int argc, char **argv, int stop)
{
	static char out[512];
	struct fl_opts p;
	struct fl_opt_value v;
	size_t n = 0;
	int id;
	fl_opts_init(&p, "test", "usage\n", table, argc, argv);
	p.stop_at_operand = stop;
	out[0] = '\0';
	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d=%s/%llu", n ? " " : "", id,
				      v.str, (unsigned long long)v.num);
	return out;
}

#define ARGV(...) ((char *[]){"test", __VA_ARGS__})
#define NARGS(...) (int)(sizeof(ARGV(__VA_ARGS__)) / sizeof(char *))
#define PARSE(stop, ...) parse(NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), stop)

int main(void)
{
	uint64_t v = 0;

	CHECK_STR(PARSE(0, "--output=d"), "1=d/0");
	CHECK_STR(PARSE(0, "--output", "d"), "1=d/0");
	CHECK_STR(PARSE(0, "-od"), "1=d/0");
	CHECK_STR(PARSE(0, "-o", "d"), "1=d/0");
	CHECK_STR(PARSE(0, "-qod"), "2=/0 1=d/0");
	CHECK_STR(PARSE(0, "-qo", "d", "t"), "2=/0 1=d/0 0=t/0");
	CHECK_STR(PARSE(0, "t", "--top=3", "--large", "1M"), "0=t/0 4=3/3 3=1M/1048576");
	CHECK_STR(PARSE(0, "--", "-q", "-"), "0=-q/0 0=-/0");
	/* record: the program's own options are not ours */
	CHECK_STR(PARSE(1, "-q", "prog", "-q", "--top=1"), "2=/0 0=prog/0 0=-q/0 0=--top=1/0");

	CHECK(fl_parse_size("4096", &v) == 0 && v == 4096);
	CHECK(fl_parse_size("64K", &v) == 0 && v == 65536);
	CHECK(fl_parse_size("64k", &v) == 0 && v == 65536);
	CHECK(fl_parse_size("1MiB", &v) == 0 && v == 1048576);
	CHECK(fl_parse_size("2G", &v) == 0 && v == 2ULL << 30);
	CHECK(fl_parse_size("0", &v) == 0 && v == 0);
	CHECK(fl_parse_size("", &v) < 0);
	CHECK(fl_parse_size("-1", &v) < 0);
	CHECK(fl_parse_size("1X", &v) < 0);
	CHECK(fl_parse_size("1MM", &v) < 0);
	CHECK(fl_parse_size("17179869184G", &v) < 0); /* 2^64: overflows */
	CHECK(fl_parse_size("99999999999999999999", &v) < 0);

	{
		static const char *const cmds[] = {"record", "report", "compare", "addr",
						   "export", "help",   NULL};
		CHECK_STR(fl_did_you_mean("reprot", cmds), "report");
		CHECK_STR(fl_did_you_mean("recrod", cmds), "record");
		CHECK_STR(fl_did_you_mean("exprt", cmds), "export");
		CHECK_STR(fl_did_you_mean("comp", cmds), "compare");
		CHECK(fl_did_you_mean("xyz", cmds) == NULL);
		CHECK(fl_did_you_mean("a", cmds) == NULL);
	}
	return check_result();
}
