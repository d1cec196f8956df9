/*
 * The probes' schedule: what is opened at start, what each tick writes
 * (faults, counters, residency, wss, io) and what fork and exec do to them.
 * The modules (perf, tlb, pagemap, uffd, procfs, iostat) each degrade on
 * their own and leave their status for the header.
 */
#include "probes/probes.h"

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/fmt.h"
#include "faultline/schema.h"
#include "base/state.h"
#include "probes/iostat.h"
#include "probes/pagemap.h"
#include "probes/perf.h"
#include "probes/procfs.h"
#include "base/sys.h"
#include "probes/tlb.h"
#include "probes/uffd.h"
#include "trace/clock.h"
#include "trace/writer.h"

#define SAMPLES_PER_LINE 4096

int fl_probes_ticker_tid;

static char scratch[16384];
static struct fl_tlb tlb;
/* Where the perf counters started: getrusage's count then (the loader's and
 * the shim's set-up, which perf never saw) and the shim's own kernel-mode
 * faults then, so that the gap between the two counts is the program's. */
static int64_t ru_minflt_base = -1;
static uint64_t shim_kernel_base;
/* The program's kernel-mode faults from its exec to the start of the perf
 * counters, -1 if not known: the kernel's own in loading the program (its
 * stack, the ELF's bss) and those in the loader's syscalls, which perf stat
 * counts from the exec and getrusage lumps into ru_minflt_base. */
static int64_t exec_kernel_faults = -1;

/* Reads once the counter that record opened on the program before its exec
 * (enable_on_exec, kernel mode only) and closes it: the number is the
 * program's again before its main. Only a perf event is read. */
static int64_t read_exec_counter(void)
{
	char path[48] = "/proc/self/fd/", link[32];
	int fd = fl_config.exec_faults_fd;
	uint64_t v;
	ssize_t n;
	if (fd < 0)
		return -1;
	fl_config.exec_faults_fd = -1;
	path[14 + fl_fmt_u64(path + 14, (uint64_t)fd)] = '\0';
	n = fl_sys_readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[perf_event]") != 0)
		return -1;
	n = fl_sys_read(fd, &v, sizeof(v));
	fl_sys_close(fd);
	return n == (ssize_t)sizeof(v) ? (int64_t)v : -1;
}

static void perf_open_counted(void)
{
	struct rusage ru;
	int64_t k, c[FL_PERF_NCOUNT];
	fl_perf_open(fl_config.faults_period);
	/* The counters count from their open: the faults the shim took since
	 * (first touches of its tables, in user mode) are in perf's count and
	 * in getrusage's now, and were left out of the gap twice. The base is
	 * getrusage's count when perf's was zero. */
	fl_perf_count_read(c);
	shim_kernel_base = fl_sys_kernel_faults();
	ru_minflt_base = fl_sys_getrusage(&ru) == 0
			     ? ru.ru_minflt - (c[FL_PERF_MIN] > 0 ? c[FL_PERF_MIN] : 0)
			     : -1;
	/* Less the shim's own kernel-mode faults before this point. */
	k = read_exec_counter();
	exec_kernel_faults = k < 0			     ? -1
			     : k > (int64_t)shim_kernel_base ? k - (int64_t)shim_kernel_base
							     : 0;
}

static void open_wss(void)
{
	struct fl_vma *v;
	int n;
	if (!fl_config.wss) {
		fl_probe_set(&fl_uffd_st, 0, 0, "off: enable with --wss (FAULTLINE_WSS=1)");
		return;
	}
	fl_uffd_open();
	if (fl_uffd_st.ok && (v = fl_procfs_vmas(&n)))
		fl_uffd_arm(v, n);
}

void fl_probes_init(void)
{
	/* The geometry the traced process that exec'd this one read, else
	 * CPUID's (handed on to the processes this one execs). Only a process
	 * with a link to a traced parent takes it: the first one always asks
	 * the CPU, whatever its environment says. */
	if (!fl_config.parent[0] || fl_tlb_decode(&tlb, fl_config.tlb) != 0) {
		char s[sizeof(fl_config.tlb)];
		fl_tlb_probe(&tlb);
		/* (an empty value, which children do not take, if it cannot) */
		fl_config_env_set(FL_ENV_TLB, fl_tlb_encode(&tlb, s, sizeof(s)) ? s : "");
	}
	fl_pagemap_open();
	open_wss();
	/* Last, so that the shim's own set-up is not sampled. */
	perf_open_counted();
}

void fl_probes_put(struct fl_out *o, const char *name, const struct fl_probe_st *p)
{
	fl_out_key(o, name);
	fl_out_obj_open(o);
	fl_out_bool(o, FL_K_OK, p->ok);
	if (!p->ok) {
		fl_out_u64(o, FL_K_ERRNO, (uint64_t)p->err);
		fl_out_str(o, FL_K_WHY, p->why ? p->why : "unknown");
	}
	fl_out_obj_close(o);
}

/*
 * The first CPU's "model name" line, a few lines into /proc/cpuinfo. One
 * short read: the kernel formats /proc/cpuinfo a CPU at a time, only as far
 * as the reader asks, and the whole file is 1.3 KiB per CPU (300 KiB on a
 * machine of 256 CPUs, all formatted once read to the end).
 */
#define CPUINFO_HEAD 512

static void cpu_model(struct fl_out *o)
{
	char *p, *e;
	int fd = fl_sys_open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC, 0);
	ssize_t n = fd < 0 ? -1 : fl_sys_read(fd, scratch, CPUINFO_HEAD);
	if (fd >= 0)
		fl_sys_close(fd);
	scratch[n > 0 ? n : 0] = '\0';
	if (n <= 0 || !(p = strstr(scratch, "model name")) || !strchr(p, '\n')) {
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

static void put_int_or_null(struct fl_out *o, const char *key, int64_t v)
{
	if (v < 0)
		fl_out_null(o, key);
	else
		fl_out_i64(o, key, v);
}

static void machine(struct fl_out *o)
{
	struct utsname u;
	struct rlimit rl;

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
		fl_out_i64(o, FL_K_MEM_TOTAL, fl_parse_field_kb(scratch, "MemTotal:"));
		fl_out_i64(o, FL_K_SWAP_TOTAL, fl_parse_field_kb(scratch, "SwapTotal:"));
	}
	put_int_or_null(o, FL_K_OVERCOMMIT, fl_procfs_int("/proc/sys/vm/overcommit_memory"));
	thp_mode(o);
	if (syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		fl_out_u64(o, FL_K_RLIMIT_STACK, rl.rlim_cur);
	else
		fl_out_null(o, FL_K_RLIMIT_STACK);
	put_int_or_null(o, FL_K_PERF_PARANOID,
			fl_procfs_int("/proc/sys/kernel/perf_event_paranoid"));
	fl_tlb_put(o, FL_K_TLB, &tlb);
}

void fl_probes_header(struct fl_out *o)
{
	struct fl_probe_st unwind = {1, 0, NULL};
	int64_t d[2];
	machine(o);
	fl_perf_dtlb_read(d); /* a dTLB counter that never ran is reported off */
	fl_out_key(o, FL_K_PROBES);
	fl_out_obj_open(o);
	fl_probes_put(o, FL_PROBE_PERF_COUNT, &fl_perf_count_st);
	fl_probes_put(o, FL_PROBE_PERF_SAMPLE, &fl_perf_sample_st);
	fl_probes_put(o, FL_PROBE_DTLB, &fl_perf_dtlb_st);
	fl_probes_put(o, FL_PROBE_PAGEMAP, &fl_pagemap_st);
	fl_probes_put(o, FL_PROBE_PAGEMAP_PFN, &fl_pagemap_pfn_st);
	fl_probes_put(o, FL_PROBE_PAGEMAP_SCAN, &fl_pagemap_scan_st);
	fl_probes_put(o, FL_PROBE_UFFD_WP, &fl_uffd_st);
	fl_probes_put(o, FL_PROBE_ACCESSED, &fl_accessed_st);
	fl_probes_put(o, FL_PROBE_UNWIND, &unwind);
	fl_out_obj_close(o);
}

/* ---- fault samples ---- */

struct batch {
	struct fl_out *o;
	int open;
	int n; /* samples in the open line */
	uint64_t kept;
};

static void batch_close(struct batch *b, uint64_t lost)
{
	fl_out_arr_close(b->o);
	fl_out_u64(b->o, FL_K_LOST, lost);
	fl_out_end(b->o);
	b->n = b->open = 0;
}

static void batch_open(struct batch *b)
{
	fl_out_begin(b->o, FL_EV_FAULTS, fl_now(), fl_seq_next());
	fl_out_u64(b->o, FL_K_PERIOD, fl_config.faults_period);
	fl_out_key(b->o, FL_K_SAMPLES);
	fl_out_arr_open(b->o);
	b->n = 0;
	b->open = 1;
}

/* The samples one_sample() left out as the shim's own (FL_K_SHIM_FAULT_SAMPLES). */
static uint64_t own_samples;

static void one_sample(void *arg, const struct fl_fault_sample *s)
{
	struct batch *b = arg;
	char v[2 * 20 + 2 * 20 + 8]; /* two hex strings, three numbers up to 20 digits */
	size_t n = 0;
	uint64_t t = s->time_ns > fl_clock.start_mono ? s->time_ns - fl_clock.start_mono : 0;
	if ((int)s->tid == fl_probes_ticker_tid)
		return;
	/* the shim's own buffers, as they were when the fault happened */
	if (fl_sys_region_owned_at((uintptr_t)s->addr, s->time_ns)) {
		own_samples++; /* counted, by perf, among the process's faults */
		return;
	}
	if (!b->open)
		batch_open(b);
	/* [addr, ip, tid, t, major], formatted here in one piece: one call
	 * of the writer a value took ~700 of the ~950 instructions a sample
	 * (callgrind, the 256 MiB fault loop). */
	v[n++] = '[';
	v[n++] = '"';
	n += fl_fmt_hex(v + n, s->addr);
	memcpy(v + n, "\",\"", 3);
	n += 3;
	n += fl_fmt_hex(v + n, s->ip);
	v[n++] = '"';
	v[n++] = ',';
	n += fl_fmt_u64(v + n, s->tid);
	v[n++] = ',';
	n += fl_fmt_u64(v + n, t > INT64_MAX ? INT64_MAX : t); /* as the writer clamps */
	v[n++] = ',';
	v[n++] = s->major ? '1' : '0';
	v[n++] = ']';
	fl_out_v_raw(b->o, v, n);
	b->kept++;
	if (++b->n == SAMPLES_PER_LINE)
		batch_close(b, 0);
}

static void drop_sample(void *arg, const struct fl_fault_sample *s)
{
	(void)arg;
	(void)s;
}

static void fault_lines(struct fl_out *o)
{
	struct batch b = {.o = o};
	uint64_t lost;
	if (!fl_perf_sample_st.ok)
		return;
	lost = fl_perf_drain(one_sample, &b);
	if (!b.open && lost)
		batch_open(&b);
	if (b.open)
		batch_close(&b, lost);
}

void fl_probes_drain_faults(struct fl_out *o)
{
	if (fl_trace.stopped)
		fl_perf_drain(drop_sample, NULL);
	else
		fault_lines(o);
}

/* ---- counters ---- */

static void put_count(struct fl_out *o, const char *key, int64_t v)
{
	if (v < 0)
		fl_out_null(o, key);
	else
		fl_out_u64(o, key, (uint64_t)v);
}

static void counters_line(struct fl_out *o, const struct fl_vma *v, int n)
{
	struct rusage ru;
	int64_t c[FL_PERF_NCOUNT], d[2], own[2], stack = -1, unwind;
	uint64_t peak;
	for (int i = 0; v && i < n; i++)
		if (fl_vma_is(&v[i], "[stack]"))
			stack = (int64_t)(v[i].end - v[i].start);
	fl_perf_count_read(c);
	fl_perf_dtlb_read(d);
	fl_out_begin(o, FL_EV_COUNTERS, fl_now(), fl_seq_next());
	put_count(o, FL_K_MINFLT, c[FL_PERF_MIN]);
	put_count(o, FL_K_MAJFLT, c[FL_PERF_MAJ]);
	if (fl_sys_getrusage(&ru) == 0) {
		fl_out_u64(o, FL_K_RU_MINFLT, (uint64_t)ru.ru_minflt);
		fl_out_u64(o, FL_K_RU_MAJFLT, (uint64_t)ru.ru_majflt);
	}
	put_count(o, FL_K_RU_MINFLT_BASE, ru_minflt_base);
	if (exec_kernel_faults >= 0)
		fl_out_u64(o, FL_K_EXEC_KERNEL_MINFLT, (uint64_t)exec_kernel_faults);
	fl_out_u64(o, FL_K_SHIM_KERNEL_MINFLT, fl_sys_kernel_faults() - shim_kernel_base);
	fl_out_u64(o, FL_K_SHIM_THREADS, fl_probes_ticker_tid > 0);
	fl_pagemap_own(&own[0], &own[1]);
	put_count(o, FL_K_SHIM_RESIDENT, own[0] < 0 ? -1 : own[0] * 4096);
	put_count(o, FL_K_SHIM_PRIVATE, own[1] < 0 ? -1 : own[1] * 4096);
	unwind = fl_pagemap_unwind_resident(v, n);
	put_count(o, FL_K_UNWIND_RESIDENT, unwind < 0 ? -1 : unwind * 4096);
	/* Beside vsz and vm_peak (fl_procfs_figures): the maps line that lists
	 * the regions comes after this one, and a thread's state mapped since
	 * the last one would count as the program's. */
	fl_out_u64(o, FL_K_SHIM_MAPPED, fl_sys_regions_bytes());
	fl_out_u64(o, FL_K_SHIM_FAULT_SAMPLES, own_samples);
	fl_out_u64(o, FL_K_SHIM_CPU_NS, fl_sys_work_ns());
	put_count(o, FL_K_DTLB_LOAD, d[0]);
	put_count(o, FL_K_DTLB_STORE, d[1]);
	fl_procfs_figures(o, stack);
	/* its VmPeak reading is the shim's peak check of this line */
	fl_sys_peak_note(fl_procfs_last_vm_peak());
	peak = fl_sys_peak_less_regions(); /* 0: none read */
	put_count(o, FL_K_VM_PEAK_LESS_REGIONS, peak ? (int64_t)peak : -1);
	if (fl_uffd_st.ok)
		fl_out_u64(o, FL_K_TRACKING_FAULTS, fl_uffd_tracking_faults());
	else
		fl_out_null(o, FL_K_TRACKING_FAULTS);
	fl_out_end(o);
}

/*
 * A tick runs on the program's thread that its timer interrupted, and the
 * residency scan is most of a tick's cost: ~60 ns a resident page here
 * (4 ms for 256 MiB), 4 % of a fault-dense loop of that size. Scans
 * estimated at over 1 ms are spaced so that all the scans of the process
 * together stay within 1 % of its CPU time; cheaper ones (under ~64 MiB
 * resident) and those of a tick taken in a sleep run at every tick, and
 * the fork, exec and exit snapshots always do. The estimate is the last
 * scan's cost per resident page times the resident set now (60 ns a page
 * before the first scan).
 */
#define SCAN_ALWAYS_NS 1000000ull
#define SCAN_SHARE 100 /* the scans' CPU time stays within 1/SCAN_SHARE of the process's */
static uint64_t scan_ns_total, scan_ns_per_page = 60;
__thread int fl_probes_tick_idle;

static int scan_due(int final)
{
	int64_t rss_kb = fl_procfs_last_rss_kb();
	uint64_t est;
	/* --wss needs its window's scan at every tick; a tick taken in a
	 * sleep costs the program nothing it was using. */
	if (final || fl_probes_tick_idle || rss_kb < 0 || fl_uffd_st.ok)
		return 1;
	est = (uint64_t)rss_kb / 4 * scan_ns_per_page;
	if (est < SCAN_ALWAYS_NS)
		return 1;
	return (scan_ns_total + est) * SCAN_SHARE <= fl_sys_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void residency_scan(struct fl_out *o, const struct fl_vma *v, int n)
{
	uint64_t t0 = fl_sys_clock_ns(CLOCK_THREAD_CPUTIME_ID), ns;
	int64_t rss_kb = fl_procfs_last_rss_kb();
	fl_pagemap_residency(o, v, n, "tick", 0, fl_uffd_st.ok ? fl_uffd_written : NULL);
	ns = fl_sys_clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	scan_ns_total += ns;
	if (rss_kb >= 4096)
		scan_ns_per_page = ns / ((uint64_t)rss_kb / 4) + 1;
}

void fl_probes_tick(struct fl_out *o, int final)
{
	int n = 0;
	struct fl_vma *v = fl_procfs_vmas(&n);
	if (fl_trace.stopped) {
		/* Past the size cap only the totals go out; samples are
		 * drained and dropped so the rings keep up. */
		fl_perf_drain(drop_sample, NULL);
		counters_line(o, v, n);
		return;
	}
	fault_lines(o);
	if (fl_trace.stopped) {
		/* The fault lines reached the cap: totals only from here. */
		counters_line(o, v, n);
		return;
	}
	if (v && fl_uffd_st.ok) {
		fl_uffd_window(v, n);
		/* Scanning and re-arming gigabytes takes tens of ms, while a
		 * fault-dense program can fill a sample buffer in ~90 ms. */
		fault_lines(o);
	}
	counters_line(o, v, n);
	if (v && scan_due(final)) {
		residency_scan(o, v, n);
		fault_lines(o);
	}
	if (fl_uffd_st.ok)
		fl_uffd_emit(o);
	fl_iostat_emit(o);
}

/* ---- fork, exec ---- */

static void snapshot(struct fl_out *o)
{
	int n = 0;
	struct fl_vma *v = fl_procfs_vmas(&n);
	if (v)
		fl_pagemap_residency(o, v, n, "fork", 1, NULL);
}

void fl_probes_fork_prepare(void)
{
	int n = 0;
	struct fl_vma *v;
	if (fl_trace.stopped)
		return;
	v = fl_procfs_vmas(&n);
	if (v)
		fl_pagemap_fork_capture(v, n);
}

void fl_probes_fork_parent(struct fl_out *o)
{
	fl_pagemap_forked();
	snapshot(o);
}

void fl_probes_fork_child(struct fl_out *o)
{
	own_samples = 0; /* the child's counters start again */
	fl_sys_work_reset();
	fl_perf_forget();
	fl_pagemap_reopen();
	fl_pagemap_forked();
	fl_iostat_reset();
	if (fl_config.wss) {
		int n = 0;
		struct fl_vma *v;
		fl_uffd_reopen();
		if (fl_uffd_st.ok && (v = fl_procfs_vmas(&n)))
			fl_uffd_arm(v, n);
	}
	perf_open_counted();
	snapshot(o);
}

void fl_probes_fini(void)
{
	fl_perf_close();
	fl_uffd_close();
	fl_pagemap_close();
}
