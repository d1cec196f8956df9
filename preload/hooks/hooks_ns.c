/*
 * Namespaces. unshare(CLONE_NEWUSER) and setns() into a user or mount
 * namespace need a single-threaded caller (EINVAL otherwise): the shim's
 * ticker thread is stopped around them and started again after, so that
 * `unshare -U -r` works as it does natively. glibc's unshare and setns are
 * the bare syscalls: no real symbol is needed.
 */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks/hooks.h"

static int single_threaded(long (*call)(long, long), long a, long b)
{
	int restart = fl_state == FL_READY && !fl_proc_in_vfork_child() && fl_init_stop_ticker();
	int r = (int)call(a, b);
	if (restart)
		fl_init_start_ticker();
	return r;
}

static long do_unshare(long flags, long unused)
{
	(void)unused;
	return syscall(SYS_unshare, flags);
}

static long do_setns(long fd, long type)
{
	return syscall(SYS_setns, fd, type);
}

FL_EXPORT int unshare(int flags)
{
	if (!(flags & CLONE_NEWUSER))
		return (int)syscall(SYS_unshare, flags);
	return single_threaded(do_unshare, flags, 0);
}

FL_EXPORT int setns(int fd, int type)
{
	return single_threaded(do_setns, fd, type);
}
