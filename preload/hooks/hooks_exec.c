/*
 * Following processes, part two: exec. exec flushes, writes the exec and
 * exit lines and keeps the writer locked across the call
 * (fl_init_exec_begin); a failure is written and tracing goes on. The new
 * program gets LD_PRELOAD, our options and the link back in its
 * environment (base/envp.c); a vfork child builds it too, for its parent
 * to unmap.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/config.h"
#include "base/envp.h"
#include "base/fmt.h"
#include "hooks/hooks.h"
#include "trace/clock.h"

extern char **environ;

enum exec_how { EXEC_VE, EXEC_VPE, EXEC_FD, EXEC_AT };

struct exec_call {
	enum exec_how how;
	const char *path;
	int fd, flags;
	char *const *argv;
};

static int exec_real(const struct exec_call *c, char *const *envp)
{
	switch (c->how) {
	case EXEC_VPE:
		return REAL(execvpe)(c->path, c->argv, envp);
	case EXEC_FD:
		return REAL(fexecve)(c->fd, c->argv, envp);
	case EXEC_AT:
		if (REAL(execveat))
			return fl_real.execveat(c->fd, c->path, c->argv, envp, c->flags);
		return (int)syscall(SYS_execveat, c->fd, c->path, c->argv, envp, c->flags);
	default:
		return REAL(execve)(c->path, c->argv, envp);
	}
}

int fl_proc_build_env(struct fl_envp *e, char *const *envp, const char *link)
{
	return fl_envp_build(e, envp, link, fl_config.lib, fl_config.env, fl_config.env_len,
			     fl_config.out_dir);
}

/* Not traced here: a vfork child, or tracing is off. A vfork child of a
 * followed parent links its exec to the parent's reserved fork event. */
static int exec_untraced(const struct exec_call *c, char *const *envp)
{
	struct fl_envp e;
	char link[128];
	int r, err;

	if (fl_proc_in_vfork_child()) {
		if (!fl_proc_vfork_link(link))
			return exec_real(c, envp);
		fl_proc_build_env(&e, envp, fl_config.follow ? link : NULL);
		fl_proc_vfork_lend_env(e.mem, e.len);
	} else if (fl_state == FL_OFF && fl_config.lib[0] && !fl_config.follow) {
		fl_proc_build_env(&e, envp, NULL);
	} else {
		return exec_real(c, envp);
	}
	r = exec_real(c, e.envp);
	err = errno;
	fl_envp_release(&e);
	fl_proc_vfork_lend_env(NULL, 0);
	errno = err;
	return r;
}

static int exec_common(const struct exec_call *c, char *const *envp)
{
	struct fl_envp e;
	char link[128], fdpath[32] = "/dev/fd/";
	const char *path = c->path;
	uint64_t t, seq;
	int r, err;

	if (fl_state != FL_READY || fl_tls_guard || fl_proc_in_vfork_child())
		return exec_untraced(c, envp);
	fl_tls_guard++;
	if (c->how == EXEC_FD) {
		fdpath[8 + fl_fmt_u64(fdpath + 8, (uint64_t)c->fd)] = '\0';
		path = fdpath;
	}
	t = fl_now();
	seq = fl_seq_next();
	fl_init_link(link, "exec", t, seq);
	fl_proc_build_env(&e, envp, link);
	fl_init_exec_begin(path, c->argv, t, seq);
	r = exec_real(c, e.envp);
	err = errno;
	fl_init_exec_failed(path, c->argv, err);
	fl_envp_release(&e);
	fl_tls_guard--;
	errno = err;
	return r;
}

FL_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	struct exec_call c = {EXEC_VE, path, -1, 0, argv};
	return exec_common(&c, envp);
}

FL_EXPORT int execv(const char *path, char *const argv[])
{
	struct exec_call c = {EXEC_VE, path, -1, 0, argv};
	return exec_common(&c, environ);
}

FL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_call c = {EXEC_VPE, file, -1, 0, argv};
	return exec_common(&c, envp);
}

FL_EXPORT int execvp(const char *file, char *const argv[])
{
	struct exec_call c = {EXEC_VPE, file, -1, 0, argv};
	return exec_common(&c, environ);
}

FL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct exec_call c = {EXEC_FD, NULL, fd, 0, argv};
	return exec_common(&c, envp);
}

FL_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		       int flags)
{
	struct exec_call c = {EXEC_AT, path, dirfd, flags, argv};
	return exec_common(&c, envp);
}

/* execl, execlp, execle: gather the list (and execle's envp after it),
 * then as execve/execvpe. */
#define GATHER(argv, arg, ap)                                                                      \
	size_t n_ = 1;                                                                             \
	va_start(ap, arg);                                                                         \
	while (va_arg(ap, char *))                                                                 \
		n_++;                                                                              \
	va_end(ap);                                                                                \
	char *argv[n_ + 1];                                                                        \
	argv[0] = (char *)arg;                                                                     \
	va_start(ap, arg);                                                                         \
	for (size_t i_ = 1; i_ <= n_; i_++)                                                        \
	argv[i_] = va_arg(ap, char *)

FL_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	GATHER(argv, arg, ap);
	va_end(ap);
	return execve(path, argv, environ);
}

FL_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	GATHER(argv, arg, ap);
	va_end(ap);
	return execvpe(file, argv, environ);
}

FL_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char **envp;
	GATHER(argv, arg, ap);
	envp = va_arg(ap, char **);
	va_end(ap);
	return execve(path, argv, envp);
}
