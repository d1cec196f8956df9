/*
 * Plain-text layout for the text reports: wrapping, fitting long names
 * into table columns, and keeping names from driving the terminal.
 */
#ifndef FL_TEXT_H
#define FL_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Prints text wrapped at word boundaries to fit width columns: the first
 * line starts with prefix, the next ones with indent (a string of spaces).
 */
void fl_text_wrap(FILE *f, const char *prefix, const char *indent, const char *text, int width);

/* printf, wrapped at 100 columns with indent on the continuation lines
 * (a trailing newline in fmt is not needed). */
void fl_text_printf(FILE *f, const char *indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A code location ("func (file:line)", "func+0x1c (obj)") fitted into width
 * columns for a text table, keeping what tells sites apart: C++ template
 * arguments become "<...>", then parameter lists "(...)", then the front of the
 * name gives way to "..." so that the end of the name and the file:line stay.
 * Returns buf.
 */
const char *fl_fit_site(char *buf, size_t len, const char *text, int width);

/* A path fitted into width columns: its front gives way to "..." so that
 * the file name stays. Returns buf. */
const char *fl_fit_path(char *buf, size_t len, const char *path, int width);

/*
 * Writes n bytes of s to f with the terminal's control characters made
 * visible, so that a name taken from a trace (a path, argv, a function)
 * cannot set the window title or clear the screen: C0 controls and DEL as
 * "\x1b", C1 controls (U+0080..U+009F, which some terminals obey) as
 * "\u009b", and bytes that are not UTF-8 as "\xff". Tabs pass, and newlines
 * when keep_newlines (a rendered report; not one message line).
 */
void fl_text_write_safe(FILE *f, const char *s, size_t n, int keep_newlines);

#endif
