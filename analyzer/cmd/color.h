/*
 * Colour for the text report on a terminal, in git's manner: --color=auto
 * (the default) colours only when standard output is a terminal and
 * NO_COLOR (https://no-color.org) is unset or empty; never and always
 * override that. Headings are bold and warning findings red, so that the
 * findings to act on stand out of a long report.
 */
#ifndef FL_COLOR_H
#define FL_COLOR_H

#include <stdio.h>

enum fl_color_when { FL_COLOR_AUTO, FL_COLOR_NEVER, FL_COLOR_ALWAYS };

/* The values of --color, in enum fl_color_when order, NULL-terminated. */
extern const char *const fl_color_choices[];

/* Whether to colour what is written to fd. */
int fl_color_wanted(enum fl_color_when when, int fd);

/*
 * A stream that writes the text renderer's lines to out, with headings
 * ("== Title ==") and warnings ("  ! ...") coloured. The renderers stay
 * free of escape codes. fl_color_close() flushes it; returns -1 on a
 * write error.
 */
FILE *fl_color_open(FILE *out);
int fl_color_close(FILE *f);

#endif
