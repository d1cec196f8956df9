/*
 * Why the events are set up this way (doc/kernel.md, sections 1-3, 11):
 * - exclude_kernel=1 always: non-root opens fail with EACCES otherwise, and
 *   both root and non-root runs then count the same thing (user-mode
 *   faults); getrusage next to it gives the kernel-mode and GUP faults.
 * - inherit=1 + inherit_thread=1: later threads are counted and sampled, a
 *   forked child is not (it opens its own events and has its own trace).
 * - cpu=-1 + inherit cannot have a buffer (EINVAL), so samples go to one
 *   buffer per CPU; events of pre-existing threads are redirected there.
 * - fds are CLOEXEC (an event left open across exec counts the new image)
 *   and moved high, out of the way of the program's own fds.
 */
#include "probes/perf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/sys.h"
#include "probes/cpus.h"

#define MAX_TASKS 64
/*
 * Data pages per CPU: at most RING_PAGES_MAX, 2 MiB, ~43000 samples. The
 * kernel allocates and zeroes every page of a buffer when it is mapped, a
 * quarter of a short traced process's CPU time here (perf_mmap in perf
 * record -g; doc/limits.md), so a sparse period gets fewer pages: enough
 * for the samples of RING_FAULTS_HELD faults, 256 KiB at the default one
 * in 16 (512 KiB at one in 8), 2 MiB when every fault is sampled. A buffer
 * that passes its wakeup mark is drained by the faulting thread at its
 * next timer check (10 ms of its CPU), inside its loop. The mark is a
 * quarter of the largest buffer and half of a smaller one: what matters is
 * the room left above it for those 10 ms, 128 KiB at the default period
 * (~43,000 faults, 0.23 us each), while a quarter of a 256 KiB buffer (at
 * one in 8) had the fault loop drain four times as often (bench/b_faults.sh,
 * the touching thread's CPU: 1.048-1.065x against 1.04x). Each page less is
 * ~1.2 us off every traced process's start: 1 MiB -> 512 KiB a CPU took
 * 200 /bin/true from a shell from 464 to 427 ms of CPU (native ~145), the
 * fault loop 1.051 -> 1.047x in the same 31 alternated rounds.
 */
#define RING_PAGES_MAX 512
#define RING_PAGES_MIN 16
#define RING_FAULTS_HELD (RING_PAGES_MAX * 2) /* in pages' worth of samples at period 1 */

struct fl_probe_st fl_perf_count_st, fl_perf_sample_st, fl_perf_dtlb_st;

static pid_t tasks[MAX_TASKS]; /* [0] = the opener (pid 0) */
static int ntasks;
static int count_fd[MAX_TASKS][FL_PERF_NCOUNT];
static int dtlb_fd[2] = {-1, -1};

struct ring {
	int lead;   /* the CPU's minor-fault sampler, owns the buffer */
	char *base; /* header page + data pages */
	size_t data_size;
	size_t mark; /* undrained bytes at which the timer drains (fl_perf_due) */
};
/* The data pages each buffer is asked for (ring_pages_for). The timer
 * drains when a buffer holds a quarter of the largest, half of a smaller
 * one (above, fl_perf_due): at one sample per fault a fault-dense loop
 * fills 2 MiB in ~0.1 s here, the tick length, and lost samples. */
static size_t ring_pages = RING_PAGES_MAX;
/*
 * The per-CPU tables, sized at each open for the CPUs online then and the
 * threads alive (a machine may have thousands of CPUs, numbered with gaps:
 * probes/cpus.h), in one block of the shim's pages that a fork child
 * inherits and reuses. Every online CPU gets its buffer, or sampling is
 * off: a thread that ran on a CPU without one would go uncounted.
 */
static struct {
	int cpus, tasks;    /* what the block was sized for */
	int *cpu_ids;	    /* [cpus] */
	struct ring *rings; /* [cpus] */
	int *sfd;	    /* [cpus * 2 * tasks]: every sampler fd, to close */
	uint64_t *maj_ids;  /* [cpus * tasks]: the major-fault samplers' ids */
	int *min_fd;	    /* [cpus * tasks]: the minor-fault samplers */
} tab;
/* The minor-fault samplers (tab.min_fd): their counts, summed, are the
 * minor-fault count when sampling is on (a sampler counts every event it
 * sees, whatever its period), so no separate minor counter fires on every
 * fault as well: each every-fault software event costs ~5 % of a fault
 * here. */
static int nrings, nsfd, nmaj, nmin;

/* Room in tab for cpus CPUs and tasks threads; 0 or -ENOMEM. */
static int tables_for(int cpus, int tasks)
{
	size_t per_cpu = sizeof(int) + sizeof(struct ring) +
			 (size_t)tasks * (2 * sizeof(int) + sizeof(uint64_t) + sizeof(int));
	char *p;
	if (tab.cpu_ids && cpus <= tab.cpus && tasks <= tab.tasks)
		return 0;
	/* A block too small stays mapped (the shim's pages are never given
	 * back); a fork child needs no more than its parent's. */
	p = fl_sys_alloc_pages((size_t)cpus * per_cpu);
	if (!p)
		return -ENOMEM;
	/* Largest alignment first. */
	tab.rings = (struct ring *)p;
	p += (size_t)cpus * sizeof(struct ring);
	tab.maj_ids = (uint64_t *)p;
	p += (size_t)cpus * (size_t)tasks * sizeof(uint64_t);
	tab.sfd = (int *)p;
	p += (size_t)cpus * 2 * (size_t)tasks * sizeof(int);
	tab.min_fd = (int *)p;
	p += (size_t)cpus * (size_t)tasks * sizeof(int);
	tab.cpu_ids = (int *)p;
	tab.cpus = cpus;
	tab.tasks = tasks;
	return 0;
}

static void attr_init(struct perf_event_attr *a, uint32_t type, uint64_t config)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = type;
	a->config = config;
	a->inherit = 1;
	a->inherit_thread = 1;
	a->exclude_kernel = 1;
	a->exclude_hv = 1;
}

static int perf_open(struct perf_event_attr *a, pid_t pid, int cpu)
{
	int fd = fl_sys_perf_event_open(a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fl_sys_move_high(fd);
}

/* The threads alive now: the caller first, then the others. */
static void list_tasks(void)
{
	char buf[4096];
	pid_t self = fl_sys_gettid();
	long n;
	int fd = fl_sys_open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	tasks[0] = self;
	ntasks = 1;
	if (fd < 0)
		return;
	while ((n = fl_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			uint64_t tid;
			off += d->reclen;
			if (fl_parse_u64(d->name, &tid) != 0 || (pid_t)tid == self)
				continue;
			if (ntasks < MAX_TASKS)
				tasks[ntasks++] = (pid_t)tid;
		}
	}
	fl_sys_close(fd);
}

static const char *why_perf(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "perf_event_open not permitted (perf_event_paranoid, seccomp or "
		       "capabilities)";
	case ENOSYS:
		return "perf_event_open not available (kernel or seccomp)";
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
	case EINVAL:
		return "event not supported here";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors";
	default:
		return "perf_event_open failed";
	}
}

static void open_counts(void)
{
	/* Not PERF_COUNT_SW_PAGE_FAULTS as well: one more event on every fault
	 * for a figure the minor and major counts give (but for faults that
	 * end in a signal). */
	static const uint64_t cfg[FL_PERF_NCOUNT] = {PERF_COUNT_SW_PAGE_FAULTS_MIN,
						     PERF_COUNT_SW_PAGE_FAULTS_MAJ};
	struct perf_event_attr a;
	int err = 0;
	for (int t = 0; t < ntasks; t++)
		for (int k = 0; k < FL_PERF_NCOUNT; k++) {
			count_fd[t][k] = -1;
			if (k == FL_PERF_MIN && fl_perf_sample_st.ok)
				continue; /* the samplers count them */
			attr_init(&a, PERF_TYPE_SOFTWARE, cfg[k]);
			count_fd[t][k] = perf_open(&a, t ? tasks[t] : 0, -1);
			if (count_fd[t][k] < 0 && t == 0)
				err = -count_fd[t][k];
		}
	if (err)
		fl_probe_set(&fl_perf_count_st, 0, err, why_perf(err));
	else
		fl_probe_set(&fl_perf_count_st, 1, 0, NULL);
}

static void open_dtlb(void)
{
	static const uint64_t op[2] = {PERF_COUNT_HW_CACHE_OP_READ, PERF_COUNT_HW_CACHE_OP_WRITE};
	struct perf_event_attr a;
	for (int k = 0; k < 2; k++) {
		attr_init(&a, PERF_TYPE_HW_CACHE,
			  PERF_COUNT_HW_CACHE_DTLB | op[k] << 8 |
			      (uint64_t)PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
		a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		dtlb_fd[k] = perf_open(&a, 0, -1);
		if (dtlb_fd[k] < 0) {
			int err = -dtlb_fd[k];
			fl_probe_set(&fl_perf_dtlb_st, 0, err,
				     err == EACCES || err == EPERM
					 ? why_perf(err)
					 : "no hardware PMU: dTLB events unsupported (ENOENT "
					   "from perf_event_open)");
			if (err != ENOENT)
				fl_perf_dtlb_st.why = why_perf(err);
			if (k == 1 && dtlb_fd[0] >= 0) {
				fl_sys_close(dtlb_fd[0]);
				dtlb_fd[0] = -1;
			}
			return;
		}
	}
	/* Opened: whether it counts is checked on the first read. */
	fl_probe_set(&fl_perf_dtlb_st, 1, 0, NULL);
}

void fl_perf_dtlb_read(int64_t v[2])
{
	v[0] = v[1] = -1;
	if (!fl_perf_dtlb_st.ok)
		return;
	for (int k = 0; k < 2; k++) {
		uint64_t r[3];
		if (!fl_sys_fd_ours(dtlb_fd[k]) ||
		    fl_sys_read_e(dtlb_fd[k], r, sizeof(r)) != (ssize_t)sizeof(r))
			return;
		/* A counter that never ran (multiplexed out, no PMU behind it)
		 * is not a zero. */
		if (r[2] == 0) {
			fl_probe_set(&fl_perf_dtlb_st, 0, 0, "dTLB counter opened but never ran");
			v[0] = v[1] = -1;
			return;
		}
		v[k] = (int64_t)(r[1] == r[2] ? r[0] : (uint64_t)((double)r[0] * r[1] / r[2]));
	}
}

void fl_perf_count_read(int64_t v[FL_PERF_NCOUNT])
{
	for (int k = 0; k < FL_PERF_NCOUNT; k++) {
		v[k] = fl_perf_count_st.ok ? 0 : -1;
		for (int t = 0; v[k] >= 0 && t < ntasks; t++) {
			uint64_t x;
			if (count_fd[t][k] < 0 || !fl_sys_fd_ours(count_fd[t][k]))
				continue;
			if (fl_sys_read_e(count_fd[t][k], &x, sizeof(x)) == (ssize_t)sizeof(x))
				v[k] += (int64_t)x;
		}
	}
	for (int i = 0; v[FL_PERF_MIN] >= 0 && i < nmin; i++) {
		uint64_t x;
		if (fl_sys_fd_ours(tab.min_fd[i]) &&
		    fl_sys_read_e(tab.min_fd[i], &x, sizeof(x)) == (ssize_t)sizeof(x))
			v[FL_PERF_MIN] += (int64_t)x;
	}
}

/* The mark of a buffer of pages data pages, in bytes: a quarter of the
 * largest buffer, half of a smaller one. */
static size_t mark_of(size_t pages)
{
	return pages * 4096 / (pages < RING_PAGES_MAX ? 2 : 4);
}

static int add_sampler(uint64_t config, uint64_t period, pid_t pid, int cpu, int lead)
{
	struct perf_event_attr a;
	uint64_t id;
	int fd;
	attr_init(&a, PERF_TYPE_SOFTWARE, config);
	a.sample_period = period;
	a.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)mark_of(ring_pages);
	fd = perf_open(&a, pid, cpu);
	if (fd < 0)
		return fd;
	if (lead >= 0) {
		long e = fl_sys_ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, (unsigned long)lead);
		if (e < 0) {
			fl_sys_close(fd);
			return (int)e;
		}
	}
	/* tab has room for every sampler of every CPU and thread. */
	tab.sfd[nsfd++] = fd;
	if (config == PERF_COUNT_SW_PAGE_FAULTS_MIN)
		tab.min_fd[nmin++] = fd;
	if (config == PERF_COUNT_SW_PAGE_FAULTS_MAJ &&
	    fl_sys_ioctl(fd, PERF_EVENT_IOC_ID, (unsigned long)&id) == 0)
		tab.maj_ids[nmaj++] = id;
	return fd;
}

/* The fewest pages, a power of two (the kernel wants one), at most
 * RING_PAGES_MAX, that hold the samples of RING_FAULTS_HELD pages' worth of
 * faults at this period. */
static size_t ring_pages_for(uint64_t period)
{
	size_t pages = RING_PAGES_MAX;
	while (pages > RING_PAGES_MIN && pages / 2 * period >= RING_FAULTS_HELD)
		pages /= 2;
	return pages;
}

/*
 * The buffers are mapped side by side into one region of the shim's own
 * (fl_sys_alloc_pages), reserved for them at the largest size: that region
 * is listed with the shim's other memory, so that the program's virtual
 * size, its VMAs and their faults leave the buffers out (mapped on their
 * own, each CPU's 516 KiB counted as the program's: 1 MiB of python's
 * peak_vsz here, 33 MiB on a 64-CPU machine). NULL when the reservation
 * could not be had (an address-space budget): then each buffer is mapped
 * where the kernel puts it, unlisted, as before.
 */
static char *ring_block;

/* Buffer i's mapping goes: back to the reservation it was mapped into
 * (MAP_FIXED over it), or unmapped. */
static void drop_ring(int i)
{
	size_t len = tab.rings[i].data_size + 4096;
	if (ring_block)
		fl_sys_mmap(tab.rings[i].base, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	else
		fl_sys_munmap(tab.rings[i].base, len);
	tab.rings[i].base = NULL;
}

/* Unmaps the buffers that are mapped. */
static void unmap_rings(void)
{
	if (ring_block) {
		fl_sys_munmap(ring_block, (size_t)nrings * (tab.rings[0].data_size + 4096));
		ring_block = NULL;
	} else {
		for (int i = 0; i < nrings; i++)
			if (tab.rings[i].base)
				fl_sys_munmap(tab.rings[i].base, tab.rings[i].data_size + 4096);
	}
	nrings = 0;
}

/* Unmaps the buffers and closes every sampler, just opened: none open. */
static void close_samplers(void)
{
	unmap_rings();
	for (int i = 0; i < nsfd; i++)
		fl_sys_close(tab.sfd[i]);
	nsfd = nmaj = nmin = 0;
}

/*
 * Maps every CPU's buffer at one size, the largest (from pages, halving
 * down to 8) at which all of them fit the locked-memory budget, which
 * the kernel charges each buffer against as it is mapped (without root:
 * perf_event_mlock_kb times the CPUs for all the user's processes, then
 * the process's RLIMIT_MEMLOCK): buffers halved one at a time gave the
 * first CPUs full ones and could leave the last none, and sampling off.
 * Returns the data pages a buffer got, 0 when not even the smallest fit
 * (none mapped), or -errno.
 */
static long map_rings(size_t pages)
{
	size_t reserved = (size_t)nrings * (pages + 1) * 4096;
	int err = 0;
	ring_block = fl_sys_alloc_pages(reserved);
	for (; pages >= 8; pages /= 2) {
		int i;
		size_t len = (pages + 1) * 4096;
		for (i = 0; i < nrings; i++) {
			char *at = ring_block ? ring_block + (size_t)i * len : NULL;
			void *p = fl_sys_mmap_e(at, len, PROT_READ | PROT_WRITE,
						MAP_SHARED | (at ? MAP_FIXED : 0),
						tab.rings[i].lead, 0, &err);
			if (p == MAP_FAILED)
				break;
			tab.rings[i].base = p;
			tab.rings[i].data_size = pages * 4096;
			tab.rings[i].mark = mark_of(pages);
		}
		if (i == nrings) {
			/* The reservation's part no buffer took goes back. */
			if (ring_block)
				fl_sys_region_trim(ring_block, (size_t)nrings * len);
			return (long)pages;
		}
		while (i-- > 0)
			drop_ring(i);
		if (err != EPERM && err != ENOMEM)
			break;
	}
	if (ring_block)
		fl_sys_munmap(ring_block, reserved);
	ring_block = NULL;
	return pages >= 8 ? -err : 0;
}

/* Every CPU's minor-fault sampler, each owning its CPU's buffer, mapped
 * at one size; then the major-fault sampler and those of the threads that
 * were there before, into the same buffers. 0 or -errno. */
static int open_cpus(const int *cpus, int ncpu, uint64_t period)
{
	long got;
	for (int i = 0; i < ncpu; i++) {
		int lead = add_sampler(PERF_COUNT_SW_PAGE_FAULTS_MIN, period, 0, cpus[i], -1);
		if (lead < 0)
			return lead;
		tab.rings[i].lead = lead;
		tab.rings[i].base = NULL;
		nrings = i + 1;
	}
	got = map_rings(ring_pages);
	if (got <= 0)
		return got < 0 ? (int)got : -ENOMEM;
	for (int i = 0; i < ncpu; i++) {
		int lead = tab.rings[i].lead, e;
		if ((e = add_sampler(PERF_COUNT_SW_PAGE_FAULTS_MAJ, period, 0, cpus[i], lead)) < 0)
			return e;
		for (int t = 1; t < ntasks; t++) {
			add_sampler(PERF_COUNT_SW_PAGE_FAULTS_MIN, period, tasks[t], cpus[i], lead);
			add_sampler(PERF_COUNT_SW_PAGE_FAULTS_MAJ, period, tasks[t], cpus[i], lead);
		}
	}
	return 0;
}

static void open_samples(uint64_t period)
{
	int ncpu, n, err;
	if (period == 0) {
		fl_probe_set(&fl_perf_sample_st, 0, 0, "off (FAULTLINE_FAULTS=off)");
		return;
	}
	ring_pages = ring_pages_for(period);
	/* Counted first (max 0 stores none), then stored in a table of that
	 * size; a CPU coming online in between is not sampled. */
	ncpu = fl_cpus_online(NULL, 0);
	if (tables_for(ncpu, ntasks) != 0) {
		fl_probe_set(&fl_perf_sample_st, 0, ENOMEM,
			     "no memory for the per-CPU tables (RLIMIT_AS or RLIMIT_DATA)");
		return;
	}
	n = fl_cpus_online(tab.cpu_ids, ncpu);
	if (n < ncpu)
		ncpu = n; /* went offline meanwhile */
	err = -open_cpus(tab.cpu_ids, ncpu, period);
	if (err == 0) {
		fl_probe_set(&fl_perf_sample_st, 1, 0, NULL);
		return;
	}
	fl_probe_set(&fl_perf_sample_st, 0, err,
		     err == ENOMEM ? "cannot map the sample buffers (perf_event_mlock_kb, "
				     "RLIMIT_MEMLOCK)"
				   : why_perf(err));
	/* All CPUs or none: a partial set would sample some threads only. */
	close_samplers();
}

void fl_perf_open(uint64_t period)
{
	list_tasks();
	open_samples(period); /* first: its samplers stand in for the minor counter */
	open_counts();
	open_dtlb();
}

static int is_major(uint64_t id)
{
	for (int i = 0; i < nmaj; i++)
		if (tab.maj_ids[i] == id)
			return 1;
	return 0;
}

static uint64_t drain_ring(struct ring *r, void (*fn)(void *, const struct fl_fault_sample *),
			   void *arg)
{
	struct perf_event_mmap_page *mp = (void *)r->base;
	const char *data = r->base + 4096;
	uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = mp->data_tail, lost = 0, mask = r->data_size - 1;
	uint64_t rec[32];

	while (tail < head) {
		const struct perf_event_header *h = (const void *)(data + (tail & mask));
		size_t size = h->size, first;
		if (size < sizeof(*h) || size > sizeof(rec))
			break;
		first = r->data_size - (tail & mask);
		if (first >= size) {
			memcpy(rec, h, size);
		} else {
			memcpy(rec, h, first);
			memcpy((char *)rec + first, data, size - first);
		}
		h = (const void *)rec;
		if (h->type == PERF_RECORD_SAMPLE && size >= 8 + 5 * 8) {
			/* id, ip, pid|tid, time, addr */
			struct fl_fault_sample s = {
			    .ip = rec[2],
			    .tid = (uint32_t)(rec[3] >> 32),
			    .time_ns = rec[4],
			    .addr = rec[5],
			    .major = is_major(rec[1]),
			};
			fn(arg, &s);
		} else if (h->type == PERF_RECORD_LOST && size >= 8 + 2 * 8) {
			lost += rec[2];
		}
		tail += size;
	}
	__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
	return lost;
}

uint64_t fl_perf_drain(void (*fn)(void *arg, const struct fl_fault_sample *s), void *arg)
{
	uint64_t lost = 0;
	for (int i = 0; i < nrings; i++)
		lost += drain_ring(&tab.rings[i], fn, arg);
	return lost;
}

/* The test of a poll without a system call: a ppoll and an fstat a CPU
 * every 10 ms of each thread's CPU time grew with the machine. */
int fl_perf_due(void)
{
	for (int i = 0; i < nrings; i++) {
		const struct perf_event_mmap_page *mp = (const void *)tab.rings[i].base;
		uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
		if (head - __atomic_load_n(&mp->data_tail, __ATOMIC_RELAXED) >= tab.rings[i].mark)
			return 1;
	}
	return 0;
}

static void close_fds(void)
{
	for (int t = 0; t < ntasks; t++)
		for (int k = 0; k < FL_PERF_NCOUNT; k++)
			if (count_fd[t][k] >= 0)
				fl_sys_close_ours(count_fd[t][k]);
	for (int k = 0; k < 2; k++)
		if (dtlb_fd[k] >= 0)
			fl_sys_close_ours(dtlb_fd[k]);
	dtlb_fd[0] = dtlb_fd[1] = -1;
	for (int i = 0; i < nsfd; i++)
		fl_sys_close_ours(tab.sfd[i]);
	ntasks = nsfd = nmaj = nmin = 0;
}

void fl_perf_forget(void)
{
	close_fds();
	/* The ring mappings are not in the child (the kernel does not copy
	 * them): never touch or unmap them, and their block is not the
	 * child's (the program may map into its holes from here on). */
	if (ring_block)
		fl_sys_region_gone(ring_block);
	ring_block = NULL;
	nrings = 0;
}

void fl_perf_close(void)
{
	unmap_rings();
	close_fds();
}
