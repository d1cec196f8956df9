/*
 * Following processes, part one: the ways a child is made. fork runs our
 * atfork trio (session/init.c); here the parent writes the fork line at the
 * time and seq reserved in prepare, which the child's header links to.
 * _Fork and clone without CLONE_VM run no atfork handler: they run ours.
 * vfork (and clone with CLONE_VM|CLONE_VFORK) children share our memory
 * until they exec: nothing of ours runs in them but the exec hooks'
 * environment builder (hooks_exec.c).
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/sys.h"
#include "hooks/hooks.h"
#include "session/lines.h"
#include "trace/clock.h"
#include "trace/writer.h"

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

/* Under the guard: a SIGCHLD handler that lands here (the child may be
 * gone already) calls through untraced, but for its wait line. */
void fl_proc_fork_line(pid_t child, const char *kind, uint64_t t, uint64_t seq)
{
	fl_tls_guard++;
	fl_writer_lock();
	fl_lines_fork(child, kind, t, seq);
	fl_writer_unlock();
	fl_tls_guard--;
}

int fl_proc_vfork_link(char *link)
{
	if (!vf.active)
		return 0;
	fl_init_link(link, vf.kind, vf.t, vf.seq);
	return 1;
}

void fl_proc_vfork_lend_env(void *mem, size_t len)
{
	vf.env_mem = mem;
	vf.env_len = len;
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
			fl_proc_fork_line((pid_t)r, vf.kind, vf.t, vf.seq);
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

FL_EXPORT pid_t fork(void)
{
	pid_t pid = REAL(fork)(); /* runs init.c's atfork handlers */
	if (pid > 0 && fl_tls_fork_armed)
		fl_proc_fork_line(pid, "fork", fl_tls_fork_t, fl_tls_fork_seq);
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
		fl_proc_fork_line(pid, "fork", fl_tls_fork_t, fl_tls_fork_seq);
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
		fl_proc_fork_line(r, "clone", fl_tls_fork_t, fl_tls_fork_seq);
	fl_tls_fork_armed = 0;
	return r;
}
