/*
 * pipe2, for libunwind: its first unwind opens a pipe (it can validate
 * memory by writing it to a pipe where mincore() fails), and that pipe took
 * the program's lowest free fds: in a traced python3, the first open()
 * returned 5 instead of 3, and a program that counts on its fd numbers (or
 * on how many it may open) saw the difference. A pipe opened while the shim
 * unwinds is moved up among the shim's own fds (base/sys.h); libunwind keeps
 * the numbers it is given. Every other call is the system call, as glibc's
 * pipe2() is.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "faultline/compiler.h"
#include "base/sys.h"
#include "record/stacks.h"

FL_EXPORT int pipe2(int fds[2], int flags)
{
	int r = (int)syscall(SYS_pipe2, fds, flags);
	if (r == 0 && fl_stacks_in_libunwind()) {
		/* move_high closes the low fd even when nothing is free up there:
		 * libunwind then has no pipe and validates with mincore() alone */
		int rd = fl_sys_move_high(fds[0]), wr = fl_sys_move_high(fds[1]);
		if (rd < 0 || wr < 0) {
			if (rd >= 0)
				fl_sys_close_ours(rd);
			if (wr >= 0)
				fl_sys_close_ours(wr);
			errno = EMFILE;
			return -1;
		}
		fds[0] = rd;
		fds[1] = wr;
	}
	return r;
}
