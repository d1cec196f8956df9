/*
 * Opens this process's trace file and writes what every trace file starts
 * with: the header line and a maps snapshot.
 */
#ifndef FL_HEADER_H
#define FL_HEADER_H

/* parent_kind: "none" (a first process, its parent untraced), or "link"
 * (FAULTLINE_PARENT names the parent's event). 0, or -1: no file. Called
 * with the writer lock held, or before anything else can write. */
int fl_header_open(const char *parent_kind);

#endif
