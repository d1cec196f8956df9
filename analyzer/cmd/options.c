/*
 * The option parser (see options.h). Usage errors exit 2 here, through
 * fl_usage(), so that every command words them the same way.
 */
#include "cmd/options.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"

void fl_opts_init(struct fl_opts *p, const char *command, const char *usage,
		  const struct fl_option *table, int argc, char **argv)
{
	memset(p, 0, sizeof(*p));
	p->command = command;
	p->usage = usage;
	p->table = table;
	p->argc = argc;
	p->argv = argv;
	p->next = 1;
}

int fl_opts_index(const struct fl_opts *p)
{
	return p->next;
}

int fl_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v;
	const char *u;
	int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end && (u = strchr(units, *end >= 'a' ? *end - 'a' + 'A' : *end))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (end[0] == 'i' && end[1] == 'B')
			end += 2;
		else if (end[0] == 'B')
			end++;
	} else if (*end == 'B') {
		end++;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void fl_opt_pid(const char *spelled, const char *s, int32_t *pid, const char **image)
{
	char *end;
	unsigned long v;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !errno && v <= INT32_MAX &&
	    (!*end || (end[0] == '.' && end[1] >= '0' && end[1] <= '9' &&
		       strspn(end + 1, "0123456789") == strlen(end + 1)))) {
		*pid = (int32_t)v;
		*image = *end ? s : NULL;
		return;
	}
	fl_usage("option '%s' needs a process id as the report prints it (1234 or 1234.2), "
		 "not '%s'",
		 spelled, s);
}

/* Edit distance with transpositions (optimal string alignment): "reprot" is
 * one step from "report", as a typist would count it. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[64][64];
	if (la >= 64 || lb >= 64)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *fl_did_you_mean(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, len = strlen(word);
	for (const char *const *c = candidates; *c; c++) {
		size_t d = edit_distance(word, *c);
		/* A prefix of a long name is what a user who half-remembers it types. */
		if (len >= 3 && !strncmp(word, *c, len))
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = *c;
		}
	}
	/* Beyond a third of the word, the suggestion is a guess, not a correction. */
	return best && best_d <= 2 && best_d * 3 <= len ? best : NULL;
}

static FL_NORETURN void unknown_option(const struct fl_opts *p, const char *typed, const char *name)
{
	const char *names[64], *guess;
	size_t n = 0;
	for (const struct fl_option *o = p->table; o->name && n < 63; o++)
		names[n++] = o->name;
	names[n] = NULL;
	guess = name ? fl_did_you_mean(name, names) : NULL;
	if (guess)
		fl_usage("unknown option '%s'; did you mean '--%s'?", typed, guess);
	fl_usage("unknown option '%s'; see 'faultline %s --help'", typed, p->command);
}

static FL_NORETURN void help(const struct fl_opts *p)
{
	fputs(p->usage, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		fl_die("error writing standard output");
	exit(0);
}

/* Checks and converts the value of option o, as the user spelled it (spelled). */
static void convert(const struct fl_opts *p, const struct fl_option *o, const char *spelled,
		    const char *s, struct fl_opt_value *v)
{
	char *end;
	v->str = s;
	v->num = 0;
	switch (o->kind) {
	case FL_OPT_FLAG:
	case FL_OPT_STRING:
		if (o->kind == FL_OPT_STRING && !*s)
			fl_usage("option '%s' needs a value", spelled);
		return;
	case FL_OPT_INT:
		errno = 0;
		v->num = strtoull(s, &end, 10);
		if (*s < '0' || *s > '9' || *end || errno)
			fl_usage("option '%s' needs a non-negative number, not '%s'", spelled, s);
		return;
	case FL_OPT_SIZE:
		if (fl_parse_size(s, &v->num) < 0)
			fl_usage("option '%s' needs a size in bytes (e.g. 4096, 64K, 1M, 2G), "
				 "not '%s'",
				 spelled, s);
		return;
	case FL_OPT_ENUM:
		for (size_t i = 0; o->choices[i]; i++)
			if (!strcmp(o->choices[i], s)) {
				v->num = i;
				return;
			}
		{
			const char *guess = fl_did_you_mean(s, o->choices);
			if (guess)
				fl_usage("option '%s' does not take '%s'; did you mean '%s'?",
					 spelled, s, guess);
		}
		fl_usage("option '%s' does not take '%s'; see 'faultline %s --help'", spelled, s,
			 p->command);
	}
}

static const char *take_value(struct fl_opts *p, const char *spelled)
{
	if (p->next >= p->argc)
		fl_usage("option '%s' needs a value", spelled);
	return p->argv[p->next++];
}

static int long_option(struct fl_opts *p, const char *arg, struct fl_opt_value *v)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	char spelled[80];

	snprintf(spelled, sizeof(spelled), "--%.*s", (int)len, name);
	if (len == 4 && !strncmp(name, "help", 4))
		help(p);
	for (const struct fl_option *o = p->table; o->name; o++) {
		if (strlen(o->name) != len || strncmp(o->name, name, len))
			continue;
		if (o->kind == FL_OPT_FLAG) {
			if (eq)
				fl_usage("option '%s' takes no value", spelled);
			convert(p, o, spelled, "", v);
		} else {
			convert(p, o, spelled, eq ? eq + 1 : take_value(p, spelled), v);
		}
		return o->id;
	}
	{
		char typed[80];
		snprintf(typed, sizeof(typed), "%.*s", (int)len, name);
		unknown_option(p, spelled, typed);
	}
}

/* The next letter of a bundle like "-qoDIR": a flag, or an option whose value
 * is the rest of the bundle or else the next argument. */
static int short_option(struct fl_opts *p, struct fl_opt_value *v)
{
	char letter = *p->bundle++, spelled[3] = {'-', letter, 0};
	if (letter == 'h')
		help(p);
	for (const struct fl_option *o = p->table; o->name; o++) {
		if (!o->letter || o->letter != letter)
			continue;
		if (o->kind == FL_OPT_FLAG) {
			convert(p, o, spelled, "", v);
		} else {
			const char *value = *p->bundle ? p->bundle : take_value(p, spelled);
			p->bundle = "";
			convert(p, o, spelled, value, v);
		}
		if (!*p->bundle)
			p->bundle = NULL;
		return o->id;
	}
	unknown_option(p, spelled, NULL);
}

int fl_opts_next(struct fl_opts *p, struct fl_opt_value *v)
{
	const char *arg;
	if (p->bundle)
		return short_option(p, v);
	if (p->next >= p->argc)
		return FL_OPT_END;
	arg = p->argv[p->next++];
	if (!p->only_operands && !strcmp(arg, "--")) {
		p->only_operands = 1;
		return fl_opts_next(p, v);
	}
	if (p->only_operands || arg[0] != '-' || !arg[1]) {
		/* record's program takes its own options: they are not ours. */
		if (p->stop_at_operand)
			p->only_operands = 1;
		v->str = arg;
		v->num = 0;
		return FL_OPT_OPERAND;
	}
	if (arg[1] == '-')
		return long_option(p, arg, v);
	p->bundle = arg + 1;
	return short_option(p, v);
}
