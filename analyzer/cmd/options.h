/*
 * The one option parser of every command, with git's habits: a table per
 * command, and every spelling a user may type:
 *
 *   --opt=value  --opt value  -oVALUE  -o VALUE  -qo VALUE (bundled flags)
 *
 * `--` ends the options; `--help`/`-h` print the command's usage and exit.
 * A value is checked against its kind before the command sees it: an int
 * is a non-negative decimal number, a size takes K, M, G or T (powers of
 * 1024) and an enum one of its choices. An unknown option is a usage error
 * (exit 2) with a did-you-mean suggestion.
 *
 * Usage: a loop over fl_opts_next(), switching on the returned id:
 *
 *	struct fl_opts p;
 *	struct fl_opt_value v;
 *	int id;
 *	fl_opts_init(&p, "report", cmd_report_usage, report_options, argc, argv);
 *	while ((id = fl_opts_next(&p, &v)) != FL_OPT_END)
 *		switch (id) { case FL_OPT_OPERAND: ...v.str...; case OPT_TOP: ...v.num... }
 */
#ifndef FL_OPTIONS_H
#define FL_OPTIONS_H

#include <stdint.h>

enum fl_opt_kind {
	FL_OPT_FLAG,   /* no value */
	FL_OPT_STRING, /* any value, in v.str */
	FL_OPT_INT,    /* non-negative decimal, in v.num */
	FL_OPT_SIZE,   /* bytes with an optional K/M/G/T suffix, in v.num */
	FL_OPT_ENUM,   /* one of choices, its index in v.num */
};

struct fl_option {
	int id;		  /* > 0: what fl_opts_next() returns for it */
	const char *name; /* long name without "--"; NULL ends the table */
	char letter;	  /* short name, or 0 */
	enum fl_opt_kind kind;
	const char *const *choices; /* FL_OPT_ENUM: NULL-terminated */
};

/* Returned by fl_opts_next() besides an option's id. */
enum {
	FL_OPT_END = -1,    /* no more arguments */
	FL_OPT_OPERAND = 0, /* a non-option argument, in v.str */
};

struct fl_opts {
	const char *command;
	const char *usage; /* printed by --help */
	const struct fl_option *table;
	int argc;
	char **argv;
	int next;	     /* index of the next argv element */
	const char *bundle;  /* rest of a short-flag bundle, or NULL */
	int stop_at_operand; /* the first operand ends the options (record) */
	int only_operands;   /* after `--` or the first operand with stop_at_operand */
};

struct fl_opt_value {
	const char *str; /* the value as typed (operand, string, any kind) */
	uint64_t num;	 /* int, size, or enum index */
};

/* argv[0] is the command's name; parsing starts at argv[1]. */
void fl_opts_init(struct fl_opts *p, const char *command, const char *usage,
		  const struct fl_option *table, int argc, char **argv);
/* The next option's id, FL_OPT_OPERAND or FL_OPT_END; exits 2 on a usage error. */
int fl_opts_next(struct fl_opts *p, struct fl_opt_value *v);
/* Index in argv of the first argument not yet consumed (after FL_OPT_OPERAND: the
 * operand's own index + 1). */
int fl_opts_index(const struct fl_opts *p);

/*
 * A process as the reports name it: "31127" (every exec image of that pid)
 * or "31127.6" (one image, the trace file's name). *image is NULL for the
 * former and s itself for the latter. Exits 2 on anything else.
 */
void fl_opt_pid(const char *spelled, const char *s, int32_t *pid, const char **image);

/* "64K" -> 65536; -1 if s is not a size. Shared with anything that reads sizes. */
int fl_parse_size(const char *s, uint64_t *out);

/* The closest of candidates (NULL-terminated) to word, or NULL when none is close. */
const char *fl_did_you_mean(const char *word, const char *const *candidates);

#endif
