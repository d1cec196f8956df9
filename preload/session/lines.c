/*
 * The lines of the process's life: fork (and the other ways a child is
 * made), exec, wait (a child reaped) and exit. Each is called with the
 * writer lock held.
 */
#include "session/lines.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/config.h"
#include "base/sys.h"
#include "faultline/schema.h"
#include "trace/clock.h"
#include "trace/writer.h"

static uint64_t ns_of(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
}

/* The figures exit and wait lines share. */
static void put_rusage(struct fl_out *o, const struct rusage *ru)
{
	fl_out_u64(o, FL_K_RU_MINFLT, (uint64_t)ru->ru_minflt);
	fl_out_u64(o, FL_K_RU_MAJFLT, (uint64_t)ru->ru_majflt);
	fl_out_u64(o, FL_K_RU_UTIME, ns_of(&ru->ru_utime));
	fl_out_u64(o, FL_K_RU_STIME, ns_of(&ru->ru_stime));
	fl_out_u64(o, FL_K_RU_INBLOCK, (uint64_t)ru->ru_inblock);
}

void fl_lines_exit(const char *how, int status, int sig, int core)
{
	struct fl_out *o = fl_writer_out();
	struct rusage ru;
	fl_out_begin(o, FL_EV_EXIT, fl_now(), fl_seq_next());
	fl_out_str(o, FL_K_HOW, how);
	fl_out_i64(o, FL_K_STATUS, status);
	fl_out_i64(o, FL_K_SIGNAL, sig);
	if (sig)
		fl_out_bool(o, FL_K_CORE, core);
	if (syscall(SYS_getrusage, RUSAGE_SELF, &ru) == 0) {
		put_rusage(o, &ru);
		fl_out_u64(o, FL_K_RU_MAXRSS, (uint64_t)ru.ru_maxrss);
	}
	/* The children reaped so far: the parent's wait4 will give this
	 * process's figures with theirs added, and the analyzer takes them off. */
	if (syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru) == 0) {
		fl_out_u64(o, FL_K_RU_C_MINFLT, (uint64_t)ru.ru_minflt);
		fl_out_u64(o, FL_K_RU_C_MAJFLT, (uint64_t)ru.ru_majflt);
		fl_out_u64(o, FL_K_RU_C_UTIME, ns_of(&ru.ru_utime));
		fl_out_u64(o, FL_K_RU_C_STIME, ns_of(&ru.ru_stime));
		fl_out_u64(o, FL_K_RU_C_INBLOCK, (uint64_t)ru.ru_inblock);
	}
	/* The shim's work to its end: the last counters line is written in
	 * the middle of the final tick, before its residency and maps lines
	 * and its compressed write. */
	fl_out_u64(o, FL_K_SHIM_CPU_NS, fl_sys_work_ns());
	fl_out_end(o);
	fl_writer_write(1);
}

void fl_lines_fork(int64_t child, const char *kind, uint64_t t, uint64_t seq)
{
	struct fl_out *o = fl_writer_out();
	if (fl_trace.stopped)
		return;
	fl_out_begin(o, FL_EV_FORK, t, seq);
	fl_out_u64(o, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_i64(o, FL_K_CHILD, child);
	fl_out_str(o, FL_K_KIND, kind);
	fl_out_end(o);
	fl_writer_write(0);
}

void fl_lines_exec(const char *path, char *const *argv, int result, int err, uint64_t t,
		   uint64_t seq)
{
	struct fl_out *o = fl_writer_out();
	if (fl_trace.stopped)
		return;
	fl_out_begin(o, FL_EV_EXEC, t, seq);
	fl_out_u64(o, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_str(o, FL_K_PATH, path ? path : "");
	fl_out_key(o, FL_K_ARGV);
	fl_out_arr_open(o);
	if (fl_config.no_argv)
		fl_out_v_str(o, "<redacted>");
	else
		for (int i = 0; argv && argv[i] && i < 4096; i++)
			fl_out_v_str(o, argv[i]);
	fl_out_arr_close(o);
	fl_out_i64(o, FL_K_RESULT, result);
	fl_out_u64(o, FL_K_ERRNO, (uint64_t)err);
	fl_out_end(o);
}

void fl_lines_wait(int64_t child, int status, const struct rusage *ru)
{
	struct fl_out *o = fl_writer_out();
	if (fl_trace.stopped)
		return;
	fl_out_begin(o, FL_EV_WAIT, fl_now(), fl_seq_next());
	fl_out_u64(o, FL_K_TID, (uint64_t)fl_sys_gettid());
	fl_out_i64(o, FL_K_CHILD, child);
	if (WIFEXITED(status)) {
		fl_out_i64(o, FL_K_STATUS, WEXITSTATUS(status));
		fl_out_i64(o, FL_K_SIGNAL, 0);
	} else if (WIFSIGNALED(status)) {
		fl_out_i64(o, FL_K_STATUS, -1);
		fl_out_i64(o, FL_K_SIGNAL, WTERMSIG(status));
		fl_out_bool(o, FL_K_CORE, WCOREDUMP(status) != 0);
	}
	if (ru)
		put_rusage(o, ru);
	fl_out_end(o);
	fl_writer_write(0);
}
