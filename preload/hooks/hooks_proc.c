/*
 * Following processes. fork runs our atfork trio (init.c); here the parent
 * writes the fork line at the time and seq reserved in prepare, which the
 * child's header links to. vfork and posix_spawn children share our memory
 * until they exec: nothing of ours runs in them but the environment builder
 * (envp.c), which gives the exec'd program LD_PRELOAD, our options and the
 * link back. exec flushes, writes exec and exit lines and keeps the writer
 * locked across the call; a failure is written and tracing goes on.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "base/envp.h"
#include "faultline/compiler.h"
#include "hooks/hooks_proc.h"
#include "session/init.h"
#include "trace/out.h"
#include "base/sys.h"
#include "record/thread.h"
#include "trace/writer.h"

extern char **environ;

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

static struct {
	pid_t (*fork)(void);
	pid_t (*_Fork)(void);
	int (*clone)(int (*)(void *), void *, int, void *, ...);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	spawn_fn posix_spawn, posix_spawnp;
	FILE *(*popen)(const char *, const char *);
	int (*system)(const char *);
	pid_t (*waitpid)(pid_t, int *, int);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	int (*waitid)(idtype_t, id_t, siginfo_t *, int);
	void (*_exit)(int);
	void (*_Exit)(int);
} real;

static void resolve(void)
{
#define R(name) (*(void **)&real.name = dlsym(RTLD_NEXT, #name))
	R(fork);
	R(_Fork);
	R(clone);
	R(execve);
	R(execvpe);
	R(fexecve);
	R(execveat);
	R(posix_spawn);
	R(posix_spawnp);
	R(popen);
	R(system);
	R(waitpid);
	R(wait4);
	R(waitid);
	R(_exit);
	R(_Exit);
#undef R
}

/* Hooks may run before our constructor (another library's). */
#define REAL(name) (FL_LIKELY(real.name) ? real.name : (lazy_resolve(), real.name))

static void lazy_resolve(void)
{
	int g = fl_tls_guard;
	fl_tls_guard = 1;
	fl_init_resolve();
	resolve();
	fl_tls_guard = g;
}

void fl_proc_init(void)
{
	resolve();
	fl_signal_init();
}

#define TRACING() FL_LIKELY(fl_state == FL_READY && !fl_tls_guard)

/* ---- vfork: the child borrows our memory, stack and TLS until exec ---- */

struct vfork_state {
	int depth;	 /* vfork calls under way in this thread */
	int active;	 /* the outermost one is followed */
	uint64_t t, seq; /* the parent's reserved fork event */
	const char *kind;
	void *env_mem; /* the child's exec environment, unmapped by the parent */
	size_t env_len;
};
static __thread struct vfork_state vf __attribute__((tls_model("initial-exec")));

int fl_proc_in_vfork_child(void)
{
	return vf.depth > 0 && fl_sys_getpid() != fl_trace.pid;
}

/* Before the vfork syscall: reserve the fork event and raise the guard, so
 * that the child (running on our TLS) passes every hook through. */
FL_UNUSED void fl_proc_vfork_prepare(void);
void fl_proc_vfork_prepare(void)
{
	if (vf.depth++ > 0)
		return;
	vf.active = 0;
	vf.env_mem = NULL;
	if (fl_state != FL_READY || fl_tls_guard)
		return;
	fl_tls_guard++;
	vf.active = 1;
	vf.kind = "vfork";
	vf.t = fl_now();
	vf.seq = fl_seq_next();
}

static void fork_line(pid_t child, const char *kind, uint64_t t, uint64_t seq)
{
	fl_writer_lock();
	fl_writer_fork_line(child, kind, t, seq);
	fl_writer_unlock();
}

/* The parent, once the child has exec'd or exited: r is the syscall's. */
FL_UNUSED long fl_proc_vfork_parent(long r);
long fl_proc_vfork_parent(long r)
{
	int err = r < 0 ? (int)-r : 0;
	if (--vf.depth == 0 && vf.active) {
		vf.active = 0;
		if (vf.env_mem)
			fl_sys_munmap(vf.env_mem, vf.env_len);
		vf.env_mem = NULL;
		if (r > 0)
			fork_line((pid_t)r, vf.kind, vf.t, vf.seq);
		fl_tls_guard--;
	}
	if (err) {
		errno = err;
		return -1;
	}
	return r;
}

/* vfork itself cannot be a C function that returns twice on a shared stack:
 * like glibc's, it keeps its return address in a register across the
 * syscall. The child returns 0 straight away. */
__asm__(".text\n"
	".globl vfork\n"
	".type vfork,@function\n"
	"vfork:\n"
	"	.cfi_startproc\n"
	"	sub $8, %rsp\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	call fl_proc_vfork_prepare@PLT\n"
	"	add $8, %rsp\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %rdi\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_register %rip, %rdi\n"
	"	mov $58, %eax\n"
	"	syscall\n"
	"	push %rdi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %rip, 0\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	mov %rax, %rdi\n"
	"	jmp fl_proc_vfork_parent@PLT\n"
	"1:	ret\n"
	"	.cfi_endproc\n"
	".size vfork, .-vfork\n");

/* ---- fork, _Fork, clone ---- */

FL_EXPORT pid_t fork(void)
{
	pid_t pid = REAL(fork)(); /* runs init.c's atfork handlers */
	if (pid > 0 && fl_tls_fork_armed)
		fork_line(pid, "fork", fl_tls_fork_t, fl_tls_fork_seq);
	fl_tls_fork_armed = 0;
	return pid;
}

/* _Fork runs no atfork handlers: run ours. */
FL_EXPORT pid_t _Fork(void)
{
	pid_t pid;
	fl_init_fork_prepare();
	pid = REAL(_Fork)();
	if (pid == 0) {
		fl_init_fork_child("fork");
		return 0;
	}
	fl_init_fork_parent();
	if (pid > 0 && fl_tls_fork_armed)
		fork_line(pid, "fork", fl_tls_fork_t, fl_tls_fork_seq);
	fl_tls_fork_armed = 0;
	return pid;
}

struct clone_call {
	int (*fn)(void *);
	void *arg;
};

/* When fn returns, glibc ends the child with the exit syscall, which ends
 * one thread: our ticker would keep the process alive. The child had one
 * thread of the program, so exit_group is the same ending.
 * NEEDSWORK: a child whose fn started threads of its own and returns
 * would end them too. */
static int clone_child(void *p)
{
	struct clone_call c = *(struct clone_call *)p;
	int r;
	fl_init_fork_child("clone");
	r = c.fn(c.arg);
	fl_init_finish("exit", r & 0xff, 0, 0, 0);
	syscall(SYS_exit_group, r);
	return r;
}

/* clone without CLONE_VM makes a process that runs no atfork handler: the
 * child starts in a trampoline that does the fork-child work. With CLONE_VM
 * (threads, vfork-like) only CLONE_VFORK children are followed, as vfork. */
FL_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid;
	void *tls;
	pid_t *ctid;
	struct clone_call c = {fn, arg};
	int r;

	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	if ((flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK)) {
		fl_proc_vfork_prepare();
		vf.kind = "clone";
		r = REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
		return (int)fl_proc_vfork_parent(r < 0 ? -errno : r);
	}
	if ((flags & CLONE_VM) || !TRACING())
		return REAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
	fl_init_fork_prepare();
	r = REAL(clone)(clone_child, stack, flags, &c, ptid, tls, ctid);
	fl_init_fork_parent();
	if (r > 0 && fl_tls_fork_armed)
		fork_line(r, "clone", fl_tls_fork_t, fl_tls_fork_seq);
	fl_tls_fork_armed = 0;
	return r;
}

/* ---- exec ---- */

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
		if (real.execveat || (lazy_resolve(), real.execveat))
			return real.execveat(c->fd, c->path, c->argv, envp, c->flags);
		return (int)syscall(SYS_execveat, c->fd, c->path, c->argv, envp, c->flags);
	default:
		return REAL(execve)(c->path, c->argv, envp);
	}
}

static int build_env(struct fl_envp *e, char *const *envp, const char *link)
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
		if (!vf.active)
			return exec_real(c, envp);
		fl_init_link(link, vf.kind, vf.t, vf.seq);
		build_env(&e, envp, fl_config.follow ? link : NULL);
		vf.env_mem = e.mem;
		vf.env_len = e.len;
	} else if (fl_state == FL_OFF && fl_config.lib[0] && !fl_config.follow) {
		build_env(&e, envp, NULL);
	} else {
		return exec_real(c, envp);
	}
	r = exec_real(c, e.envp);
	err = errno;
	fl_envp_release(&e);
	vf.env_mem = NULL;
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
	build_env(&e, envp, link);
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

/* ---- posix_spawn, system, popen ---- */

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
		build_env(&e, envp, NULL);
		r = fn(pidp, path, fa, attr, argv, e.envp);
		fl_envp_release(&e);
		return r;
	}
	fl_tls_guard++;
	t = fl_now();
	seq = fl_seq_next();
	fl_init_link(link, "posix_spawn", t, seq);
	build_env(&e, envp, fl_config.follow ? link : NULL);
	r = fn(&pid, path, fa, attr, argv, e.envp);
	fl_envp_release(&e);
	if (r == 0)
		fork_line(pid, "posix_spawn", t, seq);
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
	build_env(&e, environ, fl_config.follow ? link : NULL);
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
				fork_line(after[i], "posix_spawn", t, seq);
				break;
			}
		}
		fl_tls_guard--;
	}
	errno = err;
	return fp;
}

/* ---- wait: how each child ended, as its parent saw it (SIGKILL too) ---- */

static void reaped(pid_t pid, int status)
{
	if (pid <= 0 || !TRACING() || fl_proc_in_vfork_child() ||
	    !(WIFEXITED(status) || WIFSIGNALED(status)))
		return;
	fl_tls_guard++;
	fl_writer_lock();
	fl_writer_wait_line(pid, status);
	fl_writer_unlock();
	fl_tls_guard--;
}

FL_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
	int st = 0;
	pid_t r = REAL(waitpid)(pid, &st, options);
	int err = errno;
	if (status && r > 0)
		*status = st;
	reaped(r, st);
	errno = err;
	return r;
}

FL_EXPORT pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

FL_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int st = 0;
	pid_t r = REAL(wait4)(pid, &st, options, ru);
	int err = errno;
	if (status && r > 0)
		*status = st;
	reaped(r, st);
	errno = err;
	return r;
}

FL_EXPORT pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}

FL_EXPORT int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	int r = REAL(waitid)(type, id, info, options);
	int err = errno, st;
	if (r == 0 && info && info->si_pid > 0 && !(options & WNOWAIT)) {
		if (info->si_code == CLD_EXITED)
			st = (info->si_status & 0xff) << 8;
		else if (info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED)
			st = (info->si_status & 0x7f) | (info->si_code == CLD_DUMPED ? 0x80 : 0);
		else
			st = 0x7f; /* stopped: not an end */
		reaped(info->si_pid, st);
	}
	errno = err;
	return r;
}

/* ---- the ways out that skip exit handlers ---- */

FL_EXPORT void _exit(int status)
{
	if (!fl_proc_in_vfork_child())
		fl_init_finish("_exit", status, 0, 0, 0);
	REAL(_exit)(status);
	__builtin_unreachable();
}

FL_EXPORT void _Exit(int status)
{
	if (!fl_proc_in_vfork_child())
		fl_init_finish("_exit", status, 0, 0, 0);
	REAL(_Exit)(status);
	__builtin_unreachable();
}

static long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* syscall(): exit_group and execve through it are ways out too. The shim's
 * own raw syscalls (sys.c) land here as well, and pass straight on. */
FL_EXPORT long syscall(long n, ...)
{
	va_list ap;
	long a, b, c, d, e, f, r;
	va_start(ap, n);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	f = va_arg(ap, long);
	va_end(ap);
	if (FL_UNLIKELY(n == SYS_exit_group) && !fl_tls_guard && !fl_proc_in_vfork_child())
		fl_init_finish("exit_group", (int)a, 0, 0, 0);
	else if (FL_UNLIKELY(n == SYS_execve) && !fl_tls_guard)
		return execve((const char *)a, (char *const *)b, (char *const *)c);
	r = raw_syscall(n, a, b, c, d, e, f);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- hostile programs ---- */

FL_EXPORT int prctl(int op, ...)
{
	va_list ap;
	unsigned long a, b, c, d;
	int r, err;
	va_start(ap, op);
	a = va_arg(ap, unsigned long);
	b = va_arg(ap, unsigned long);
	c = va_arg(ap, unsigned long);
	d = va_arg(ap, unsigned long);
	va_end(ap);
	r = (int)syscall(SYS_prctl, op, a, b, c, d);
	err = errno;
	if (r == 0 && (op == PR_TASK_PERF_EVENTS_DISABLE || op == PR_TASK_PERF_EVENTS_ENABLE) &&
	    TRACING() && !fl_proc_in_vfork_child()) {
		fl_tls_guard++;
		fl_writer_lock();
		fl_writer_note(op == PR_TASK_PERF_EVENTS_DISABLE ? "perf_disabled" : "perf_enabled",
			       op == PR_TASK_PERF_EVENTS_DISABLE
				   ? "the program disabled its perf events: fault counts and "
				     "samples stop from here"
				   : "the program re-enabled its perf events",
			       0);
		fl_writer_unlock();
		fl_tls_guard--;
	}
	errno = err;
	return r;
}
