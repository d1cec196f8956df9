/*
 * First version: machine facts for the header and per-tick process figures
 * from getrusage and /proc/self/status. NEEDSWORK: perf fault counts and
 * samples, dTLB, residency, write-tracking working set, I/O.
 */
#include "probes.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "faultline/schema.h"
#include "sys.h"
#include "writer.h"

int fl_probes_ticker_tid;

static char scratch[16384];

void fl_probes_init(void)
{
}

/* Value of "Key:" in a /proc-style text, in the unit written (kB→bytes). */
static int64_t field_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	uint64_t v = 0;
	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return (int64_t)v * 1024;
}

static void first_line_value(struct fl_out *o, const char *key, const char *path)
{
	ssize_t n = fl_sys_read_file(path, scratch, sizeof(scratch));
	if (n <= 0) {
		fl_out_null(o, key);
		return;
	}
	scratch[strcspn(scratch, "\n")] = '\0';
	fl_out_str(o, key, scratch);
}

static void cpu_model(struct fl_out *o)
{
	char *p, *e;
	if (fl_sys_read_file("/proc/cpuinfo", scratch, sizeof(scratch)) <= 0 ||
	    !(p = strstr(scratch, "model name"))) {
		fl_out_null(o, FL_K_CPU);
		return;
	}
	p = strchr(p, ':');
	p = p ? p + 2 : scratch;
	e = strchr(p, '\n');
	fl_out_strn(o, FL_K_CPU, p, e ? (size_t)(e - p) : strlen(p));
}

static void thp_mode(struct fl_out *o)
{
	char *a, *b;
	if (fl_sys_read_file("/sys/kernel/mm/transparent_hugepage/enabled", scratch,
			     sizeof(scratch)) <= 0 ||
	    !(a = strchr(scratch, '[')) || !(b = strchr(a, ']'))) {
		fl_out_null(o, FL_K_THP);
		return;
	}
	fl_out_strn(o, FL_K_THP, a + 1, (size_t)(b - a - 1));
}

void fl_probes_header(struct fl_out *o)
{
	struct utsname u;
	struct rlimit rl;
	uint64_t v;

	fl_out_u64(o, FL_K_PAGE_SIZE, (uint64_t)sysconf(_SC_PAGESIZE));
	if (syscall(SYS_uname, &u) == 0) {
		char k[sizeof(u.release) + sizeof(u.version) + 2];
		size_t a = strlen(u.release), b = strlen(u.version);
		memcpy(k, u.release, a);
		k[a] = ' ';
		memcpy(k + a + 1, u.version, b);
		fl_out_strn(o, FL_K_KERNEL, k, a + 1 + b);
	}
	cpu_model(o);
	fl_out_u64(o, FL_K_NCPU, (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	if (fl_sys_read_file("/proc/meminfo", scratch, sizeof(scratch)) > 0) {
		fl_out_i64(o, FL_K_MEM_TOTAL, field_kb(scratch, "MemTotal"));
		fl_out_i64(o, FL_K_SWAP_TOTAL, field_kb(scratch, "SwapTotal"));
	}
	if (fl_sys_read_file("/proc/sys/vm/overcommit_memory", scratch, sizeof(scratch)) > 0 &&
	    (scratch[strcspn(scratch, "\n")] = '\0', fl_parse_u64(scratch, &v) == 0))
		fl_out_u64(o, FL_K_OVERCOMMIT, v);
	else
		fl_out_null(o, FL_K_OVERCOMMIT);
	thp_mode(o);
	if (syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fl_out_u64(o, FL_K_RLIMIT_STACK, rl.rlim_cur);
	else
		fl_out_null(o, FL_K_RLIMIT_STACK);
	(void)first_line_value;
	fl_out_key(o, FL_K_PROBES);
	fl_out_obj_open(o);
	fl_out_key(o, FL_PROBE_UNWIND);
	fl_out_obj_open(o);
	fl_out_bool(o, "ok", 1);
	fl_out_obj_close(o);
	fl_out_obj_close(o);
}

static void status_figures(struct fl_out *o)
{
	if (fl_sys_read_file("/proc/self/status", scratch, sizeof(scratch)) <= 0)
		return;
	fl_out_i64(o, FL_K_RSS_ANON, field_kb(scratch, "RssAnon"));
	fl_out_i64(o, FL_K_RSS_FILE, field_kb(scratch, "RssFile"));
	fl_out_i64(o, FL_K_RSS_SHMEM, field_kb(scratch, "RssShmem"));
	fl_out_i64(o, FL_K_VSZ, field_kb(scratch, "VmSize"));
	fl_out_i64(o, FL_K_SWAP, field_kb(scratch, "VmSwap"));
	fl_out_i64(o, FL_K_PTE, field_kb(scratch, "VmPTE"));
	fl_out_i64(o, FL_K_STACK_VMA, field_kb(scratch, "VmStk"));
}

void fl_probes_tick(struct fl_out *o, int final)
{
	struct rusage ru;
	(void)final;
	fl_out_begin(o, FL_EV_COUNTERS, fl_now(), fl_seq_next());
	fl_out_null(o, FL_K_MINFLT);
	fl_out_null(o, FL_K_MAJFLT);
	if (syscall(SYS_getrusage, RUSAGE_SELF, &ru) == 0) {
		fl_out_u64(o, FL_K_RU_MINFLT, (uint64_t)ru.ru_minflt);
		fl_out_u64(o, FL_K_RU_MAJFLT, (uint64_t)ru.ru_majflt);
	}
	fl_out_null(o, FL_K_DTLB_LOAD);
	fl_out_null(o, FL_K_DTLB_STORE);
	status_figures(o);
	fl_out_end(o);
}

void fl_probes_fork_parent(struct fl_out *o)
{
	(void)o;
}

void fl_probes_fork_child(struct fl_out *o)
{
	(void)o;
}

void fl_probes_fini(void)
{
}
