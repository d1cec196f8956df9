/*
 * The subcommands. Each cmd_<name>.c declares its options for the one parser
 * (options.h) and runs one pipeline; main.c only dispatches. Return the process exit status.
 */
#ifndef FL_COMMANDS_H
#define FL_COMMANDS_H

#include <stdio.h>

struct fl_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for `faultline --help` */
	const char *usage;   /* full text for `faultline help NAME` and NAME --help */
};

int cmd_record(int argc, char **argv);
extern const char cmd_record_usage[];
int cmd_report(int argc, char **argv);
extern const char cmd_report_usage[];
int cmd_addr(int argc, char **argv);
extern const char cmd_addr_usage[];
int cmd_compare(int argc, char **argv);
extern const char cmd_compare_usage[];
int cmd_export(int argc, char **argv);
extern const char cmd_export_usage[];
int cmd_check(int argc, char **argv);
extern const char cmd_check_usage[];
int cmd_top(int argc, char **argv);
extern const char cmd_top_usage[];

/* Creates record's default trace directory for PROGRAM and returns its name
 * (free() it); `top` names its trace the same way. */
char *cmd_record_default_dir(const char *prog);
/* Exits with a usage error unless v is a --faults value: all, off or N. */
void cmd_record_check_faults(const char *v);

struct fl_model;
struct fl_report_opts;
/* Whether the process --pid selected (o->pid, o->image) is in m; says so with
 * fl_error() if not. Every command that reads a trace checks it the same way. */
int cmd_pid_in_trace(const struct fl_model *m, const struct fl_report_opts *o, const char *trace);

/* Every command, NULL-terminated; defined in main.c. */
extern const struct fl_command fl_commands[];
const struct fl_command *fl_command_find(const char *name);
/* Prints the usage of a command (for --help) to f. */
void fl_command_help(const struct fl_command *c, FILE *f);

#endif
