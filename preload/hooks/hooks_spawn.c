/*
 * Following processes, part three: posix_spawn and the two libc calls that
 * spawn from inside libc, out of our reach (system, popen). The child's
 * environment links it to a fork line at the time and seq reserved before
 * the call.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "base/envp.h"
#include "base/fmt.h"
#include "base/sys.h"
#include "hooks/hooks.h"
#include "trace/clock.h"

extern char **environ;

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

static int spawn_common(spawn_fn fn, pid_t *pidp, const char *path,
			const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
			char *const argv[], char *const envp[])
{
	struct fl_envp e;
	char link[128];
	uint64_t t, seq;
	pid_t pid = 0;
	int r;

	if (!TRACING() || fl_proc_in_vfork_child()) {
		if (fl_state != FL_OFF || !fl_config.lib[0] || fl_config.follow ||
		    fl_proc_in_vfork_child())
			return fn(pidp, path, fa, attr, argv, envp);
		fl_proc_build_env(&e, envp, NULL);
		r = fn(pidp, path, fa, attr, argv, e.envp);
		fl_envp_release(&e);
		return r;
	}
	fl_tls_guard++;
	t = fl_now();
	seq = fl_seq_next();
	fl_init_link(link, "posix_spawn", t, seq);
	fl_proc_build_env(&e, envp, fl_config.follow ? link : NULL);
	r = fn(&pid, path, fa, attr, argv, e.envp);
	fl_envp_release(&e);
	if (r == 0)
		fl_proc_fork_line(pid, "posix_spawn", t, seq);
	if (pidp)
		*pidp = pid;
	fl_tls_guard--;
	return r;
}

FL_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_common(REAL(posix_spawn), pid, path, fa, attr, argv, envp);
}

FL_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_common(REAL(posix_spawnp), pid, file, fa, attr, argv, envp);
}

/* glibc's system() spawns /bin/sh from inside libc, out of our reach: this
 * is the same algorithm (sysdeps/posix/system.c) on our posix_spawn, so
 * that the shell is linked and its environment complete. */
static int do_system(const char *line)
{
	struct sigaction sa, intr, quit;
	sigset_t omask, reset;
	posix_spawnattr_t attr;
	pid_t pid;
	int status, ret;
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)line, NULL};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &intr);
	sigaction(SIGQUIT, &sa, &quit);
	sigaddset(&sa.sa_mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sa.sa_mask, &omask);
	sigemptyset(&reset);
	if (intr.sa_handler != SIG_IGN)
		sigaddset(&reset, SIGINT);
	if (quit.sa_handler != SIG_IGN)
		sigaddset(&reset, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &omask);
	posix_spawnattr_setsigdefault(&attr, &reset);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	ret = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (ret == 0) {
		pid_t w;
		while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (w != pid)
			status = -1;
	} else {
		status = 127 << 8;
	}
	sigaction(SIGINT, &intr, NULL);
	sigaction(SIGQUIT, &quit, NULL);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	if (ret != 0)
		errno = ret;
	return status;
}

FL_EXPORT int system(const char *line)
{
	if (!TRACING() || fl_proc_in_vfork_child())
		return REAL(system)(line);
	if (!line)
		return do_system("exit 0") == 0;
	return do_system(line);
}

/* The calling thread's children, as listed by the kernel. */
static size_t children(pid_t *out, size_t max)
{
	char path[64] = "/proc/self/task/", buf[4096];
	size_t n = 16, k = 0;
	const char *p = buf;
	n += fl_fmt_u64(path + n, (uint64_t)fl_sys_gettid());
	memcpy(path + n, "/children", 10);
	if (fl_sys_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	while (*p && k < max) {
		pid_t v = 0;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0');
		if (v > 0)
			out[k++] = v;
		p += strspn(p, " \n");
	}
	return k;
}

static int popen_busy;

/* popen also spawns from inside libc, with environ: lend it ours for the
 * call. The child's pid is the one new entry in our children list. */
FL_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	struct fl_envp e;
	char link[128], **saved;
	pid_t before[256], after[256];
	size_t nb, na;
	uint64_t t, seq;
	FILE *fp;
	int err;

	if (!TRACING() || fl_proc_in_vfork_child())
		return REAL(popen)(cmd, mode);
	while (__atomic_exchange_n(&popen_busy, 1, __ATOMIC_ACQUIRE))
		fl_sys_sleep_ns(100000);
	t = fl_now();
	seq = fl_seq_next();
	fl_init_link(link, "posix_spawn", t, seq);
	fl_tls_guard++;
	fl_proc_build_env(&e, environ, fl_config.follow ? link : NULL);
	nb = children(before, 256);
	fl_tls_guard--;
	saved = environ;
	environ = e.envp;
	fp = REAL(popen)(cmd, mode);
	err = errno;
	/* setenv() in another thread may have made a new array that points
	 * into ours: then ours must stay. */
	if (environ == e.envp) {
		environ = saved;
		fl_envp_release(&e);
	}
	__atomic_store_n(&popen_busy, 0, __ATOMIC_RELEASE);
	if (fp) {
		fl_tls_guard++;
		na = children(after, 256);
		for (size_t i = 0; i < na; i++) {
			size_t j = 0;
			while (j < nb && before[j] != after[i])
				j++;
			if (j == nb) {
				fl_proc_fork_line(after[i], "posix_spawn", t, seq);
				break;
			}
		}
		fl_tls_guard--;
	}
	errno = err;
	return fp;
}
