/*
 * faultline: the command line. Global options, the commands[] table and
 * dispatch; every command lives in its own cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "util/diag.h"

#define FL_VERSION "0.1"

const struct fl_command fl_commands[] = {
    {"record", cmd_record, "run a program under the shim and write a trace", cmd_record_usage},
    {"report", cmd_report, "read a trace and print its reports", cmd_report_usage},
    {"compare", cmd_compare, "compare two traces, e.g. a read() run and an mmap() run",
     cmd_compare_usage},
    {"addr", cmd_addr, "decode an address: page-table indices, and what it was in a trace",
     cmd_addr_usage},
    {"export", cmd_export, "write a trace as folded stacks, Perfetto trace events or JSON",
     cmd_export_usage},
    {"check", cmd_check, "set a trace's figures against budgets; exit 1 when one is exceeded",
     cmd_check_usage},
    {"top", cmd_top, "record a program and show its memory live, refreshed every tick",
     cmd_top_usage},
    {NULL, NULL, NULL, NULL},
};

const struct fl_command *fl_command_find(const char *name)
{
	for (const struct fl_command *c = fl_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void fl_command_help(const struct fl_command *c, FILE *f)
{
	fputs(c->usage, f);
}

static void main_usage(FILE *f)
{
	fprintf(f, "usage: faultline [--version] [--help] COMMAND [ARGS]\n\n"
		   "faultline shows what a program's memory does at the page level.\n\n"
		   "commands:\n");
	for (const struct fl_command *c = fl_commands; c->name; c++)
		fprintf(f, "   %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'faultline help COMMAND' or 'faultline COMMAND --help' describes one.\n");
}

static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "faultline: error writing standard output\n");
		return status ? status : 1;
	}
	return status;
}

/* An unknown command or global option: a usage error, with the nearest name. */
static FL_NORETURN void unknown(const char *what, const char *typed)
{
	const char *names[16], *guess;
	size_t n = 0;
	if (typed[0] == '-') {
		static const char *const globals[] = {"--help", "--version", NULL};
		guess = fl_did_you_mean(typed, globals);
		if (guess)
			fl_usage("unknown option '%s'; did you mean '%s'?", typed, guess);
		fl_usage("unknown option '%s'; see 'faultline --help'", typed);
	}
	for (const struct fl_command *c = fl_commands; c->name && n < 14; c++)
		names[n++] = c->name;
	names[n++] = "help";
	names[n] = NULL;
	guess = fl_did_you_mean(typed, names);
	if (guess)
		fl_usage("unknown %s '%s'; did you mean '%s'?", what, typed, guess);
	fl_usage("'%s' is not a faultline command; see 'faultline --help'", typed);
}

int main(int argc, char **argv)
{
	const struct fl_command *c;
	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		main_usage(stdout);
		return finish(0);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("faultline %s (trace schema v1)\n", FL_VERSION);
		return finish(0);
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			main_usage(stdout);
			return finish(0);
		}
		c = fl_command_find(argv[2]);
		if (!c)
			unknown("command", argv[2]);
		fl_command_help(c, stdout);
		return finish(0);
	}
	c = fl_command_find(argv[1]);
	if (!c)
		unknown("command", argv[1]);
	/* COMMAND --help is handled by the option parser, wherever it appears. */
	return finish(c->run(argc - 1, argv + 1));
}
