/*
 * What the hook families share: the guard tests every hook starts with, the
 * way to the real function, and the process hooks' vfork bookkeeping that
 * the other families consult. Only the hooks/ files define libc symbols.
 */
#ifndef FL_HOOKS_H
#define FL_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "base/state.h"
#include "faultline/compiler.h"
#include "record/resolve.h"
#include "record/thread.h"
#include "session/init.h"

/* The program's call, to be traced: the shim is READY and not at work in
 * this thread (a hook, a signal handler inside the shim, the shim's own
 * calls). */
#define TRACING() FL_LIKELY(fl_state == FL_READY && !fl_tls_guard && !fl_on_altstack())

/* Whether the caller runs on the alternate signal stack the program gave
 * this thread (fl_tls.alt_*, kept by hooks_signal.c). A handler running
 * there may have as little as MINSIGSTKSZ: the shim records nothing on it
 * (an unwind alone takes several KiB), its calls pass straight through. */
static inline int fl_on_altstack(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return FL_UNLIKELY(sp - fl_tls.alt_lo < fl_tls.alt_size);
}

/* The real function (resolved on first use: hooks may run before our
 * constructor, from the loader or another library's constructor). */
#define REAL(name) (FL_LIKELY(fl_real.name) ? fl_real.name : (fl_init_resolve(), fl_real.name))

/* hooks_fork.c: whether the caller runs in a vfork child (or a
 * CLONE_VM|CLONE_VFORK one) that shares this process's memory: the shim
 * must not touch its state. */
int fl_proc_in_vfork_child(void);
/* In a vfork child: if its parent's vfork is followed, writes the link to
 * the parent's reserved fork event into link (cap >= 96) and returns 1. */
int fl_proc_vfork_link(char *link);
/* In a vfork child: the exec environment it built (NULL: none), which the
 * parent unmaps once the child has exec'd or exited. */
void fl_proc_vfork_lend_env(void *mem, size_t len);
struct fl_envp;
/* hooks_exec.c: the environment of a child or new program: envp with
 * LD_PRELOAD, our options and link (NULL: not followed). */
int fl_proc_build_env(struct fl_envp *e, char *const *envp, const char *link);
/* The fork line of a child made by any of the process hooks (takes the
 * writer lock). */
void fl_proc_fork_line(pid_t child, const char *kind, uint64_t t, uint64_t seq);

#endif
