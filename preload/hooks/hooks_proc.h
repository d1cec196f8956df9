/*
 * Following processes: the fork, vfork, clone, posix_spawn, system, popen,
 * exec, wait and exit families (hooks_proc.c), and the fatal-signal
 * recorder (hooks_signal.c).
 */
#ifndef FL_HOOKS_PROC_H
#define FL_HOOKS_PROC_H

/* Constructor: resolves the real functions, installs the signal recorder. */
void fl_proc_init(void);
/* Whether the caller runs in a vfork child (or a CLONE_VM|CLONE_VFORK one)
 * that shares this process's memory: the shim must not touch its state. */
int fl_proc_in_vfork_child(void);

/* hooks_signal.c: installs the recorder where the program's disposition of a
 * fatal signal is SIG_DFL. */
void fl_signal_init(void);

#endif
