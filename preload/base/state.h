/*
 * The shim's state word: UNINIT → BOOT (resolving, opening the trace) →
 * READY → OFF (tracing disabled or finished: every hook passes straight
 * through). Written by the session (session/init.c); read by the hooks on
 * every call and by the ticker, with acquire loads where order matters.
 */
#ifndef FL_STATE_H
#define FL_STATE_H

#include "faultline/compiler.h"

enum fl_state { FL_UNINIT, FL_BOOT, FL_READY, FL_OFF };

extern int fl_state FL_HIDDEN;

#endif
