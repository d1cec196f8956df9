/*
 * What `faultline record` prints when the program ends: where the trace
 * went and a one-screen summary of it.
 */
#ifndef FL_RECORD_SUMMARY_H
#define FL_RECORD_SUMMARY_H

#include <stdio.h>

void fl_record_summary(const char *dir, FILE *f);

#endif
