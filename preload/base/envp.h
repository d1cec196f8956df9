/*
 * The environment a followed child starts with. A program may hand exec or
 * posix_spawn a clean envp without LD_PRELOAD or our FAULTLINE_* options:
 * the shim builds a copy that puts them back, plus the FAULTLINE_PARENT
 * link to the event that created the child; the shim goes back into
 * LD_PRELOAD where it was when it started (after the objects the user put
 * before it), so that their hooks stay in front of its own. With following
 * off it builds the opposite: a copy without our library in LD_PRELOAD.
 *
 * The copy lives in its own anonymous mapping (raw mmap, no malloc), so it
 * can be built in a vfork child and right before exec. The caller releases
 * it after a failed exec (a successful one discards the address space).
 */
#ifndef FL_ENVP_H
#define FL_ENVP_H

#include <stddef.h>

struct fl_envp {
	char **envp; /* the environment to pass */
	void *mem;   /* its mapping, NULL when envp is the caller's own */
	size_t len;
};

/* Builds e from envp (NULL = empty). link: the FAULTLINE_PARENT value to
 * set ("<pid>:<kind>:<t>:<seq>"), or NULL to build the "not followed"
 * environment. lib: the shim's path; vars: "NAME=value\0..." (vars_len
 * bytes) to put back; out_dir: FAULTLINE_OUT's absolute value. On failure
 * (no memory) e->envp is the caller's envp and -1 is returned. */
int fl_envp_build(struct fl_envp *e, char *const *envp, const char *link, const char *lib,
		  const char *vars, size_t vars_len, const char *out_dir);
void fl_envp_release(struct fl_envp *e);

/* Takes the shim's own variables out of envp, in place, so that the program
 * never sees them (env, getenv, a child spawned with a copy of environ):
 * every FAULTLINE_* entry, and lib from LD_PRELOAD (the entry goes if
 * nothing else is left in it). Children still get them back: every exec
 * and spawn goes through fl_envp_build. Call once the options are read. */
void fl_envp_hide(char **envp, const char *lib);

/* Whether the colon/space-separated list s names lib (same path). */
int fl_envp_list_has(const char *s, const char *lib);

#endif
