/*
 * Raw syscalls through syscall(), which takes no locks and does not
 * allocate. The shim exports its own syscall() (hooks/hooks_exit.c) to see
 * a program's exit_group and execve made through it; every other number,
 * and so every call made here, passes straight on to the kernel.
 */
#include "base/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

void *fl_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	return (r < 0 && r > -4096) ? MAP_FAILED : (void *)r;
}

struct region;
static struct region *region_at(uintptr_t lo);
static void peak_check(void);
static void region_gone(struct region *r);

int fl_sys_munmap(void *addr, size_t len)
{
	struct region *reg = region_at((uintptr_t)addr);
	int r;
	if (reg)
		peak_check(); /* the regions are about to change */
	r = (int)syscall(SYS_munmap, addr, len);
	if (r == 0 && reg)
		region_gone(reg);
	return r;
}

int fl_sys_mprotect(void *addr, size_t len, int prot)
{
	return (int)syscall(SYS_mprotect, addr, len, prot);
}

void fl_sys_name_region(void *addr, size_t len)
{
	/* Best effort: needs CONFIG_ANON_VMA_NAME (5.17+). Without it every
	 * call fails with EINVAL (the shim's own anonymous mappings are never
	 * a bad range): asked once, not for each of a process's ~15 regions. */
	static int unsupported;
	int saved = errno;
	if (__atomic_load_n(&unsupported, __ATOMIC_RELAXED))
		return;
	if (syscall(SYS_prctl, PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, "faultline") < 0 &&
	    errno == EINVAL)
		__atomic_store_n(&unsupported, 1, __ATOMIC_RELAXED);
	errno = saved;
}

/*
 * The shim's regions and when each was mapped and unmapped (0: still
 * mapped), by CLOCK_MONOTONIC: an address the shim unmapped goes back to
 * the kernel, and the program's next mapping may get it. Entries are never
 * reused (a fault sample is judged by the time it was taken), so the list
 * only grows: the first 64 entries here, then segments of SEG_SIZE mapped
 * as needed (each listed as a region itself). A fixed list of 64 filled at
 * about 2,500 threads (20 regions, then one a 64 thread states): a program
 * with 3,000 threads had 3.7 GB of the shim's memory counted as its own.
 * Lock-free: an index is taken with an atomic add, a segment published
 * with a compare-and-swap; a reader skips entries not yet filled (zero).
 */
struct region {
	uintptr_t lo, hi;
	uint64_t t_map, t_unmap;
};
#define SEG_FIRST 64
#define SEG_SIZE 1024 /* 32 KiB a segment */
#define MAX_SEGS 64   /* 64,576 regions */
static struct region first_seg[SEG_FIRST];
static struct region *segs[MAX_SEGS]; /* [k] holds entries from SEG_FIRST + (k - 1) * SEG_SIZE */
static int nregions;
/* Regions that found no entry (no memory for a segment, or past the last):
 * their bytes, still counted in fl_sys_regions_bytes(). */
static uint64_t unlisted_bytes;

/* Entry i, or NULL if its segment is not there. */
static struct region *slot_at(int i)
{
	struct region *seg;
	int k;
	if (i < SEG_FIRST)
		return &first_seg[i];
	k = (i - SEG_FIRST) / SEG_SIZE + 1;
	if (k >= MAX_SEGS || !(seg = __atomic_load_n(&segs[k], __ATOMIC_ACQUIRE)))
		return NULL;
	return &seg[(i - SEG_FIRST) % SEG_SIZE];
}

static void list_region(void *p, size_t len);

/* Entry i, its segment mapped (and listed) first if need be. */
static struct region *slot_make(int i)
{
	size_t len = SEG_SIZE * sizeof(struct region);
	struct region *r = slot_at(i), *none = NULL;
	void *seg;
	int k;
	if (r || i < SEG_FIRST)
		return r;
	k = (i - SEG_FIRST) / SEG_SIZE + 1;
	if (k >= MAX_SEGS)
		return NULL;
	seg = fl_sys_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (seg == MAP_FAILED)
		return NULL;
	if (__atomic_compare_exchange_n(&segs[k], &none, (struct region *)seg, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		fl_sys_name_region(seg, len);
		list_region(seg, len);
	} else { /* another thread's segment is there */
		syscall(SYS_munmap, seg, len);
	}
	return slot_at(i);
}

static void list_region(void *p, size_t len)
{
	size_t bytes = (len + 4095) & ~(size_t)4095;
	struct region *r = slot_make(__atomic_fetch_add(&nregions, 1, __ATOMIC_RELAXED));
	if (!r) {
		__atomic_add_fetch(&unlisted_bytes, bytes, __ATOMIC_RELAXED);
		return;
	}
	r->lo = (uintptr_t)p;
	r->t_map = fl_sys_now_ns();
	__atomic_store_n(&r->t_unmap, 0, __ATOMIC_RELAXED);
	/* hi last: until then the entry is an empty range to a reader */
	__atomic_store_n(&r->hi, (uintptr_t)p + bytes, __ATOMIC_RELEASE);
}

int fl_sys_region_count(void)
{
	return __atomic_load_n(&nregions, __ATOMIC_ACQUIRE);
}

/* Entry i if it is filled and still mapped. */
static struct region *live_at(int i)
{
	struct region *r = slot_at(i);
	if (!r || !__atomic_load_n(&r->hi, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&r->t_unmap, __ATOMIC_ACQUIRE))
		return NULL;
	return r;
}

int fl_sys_region_get(int i, uintptr_t *lo, uintptr_t *hi, uint64_t *since)
{
	struct region *r = live_at(i);
	if (!r)
		return 0;
	*lo = r->lo;
	*hi = __atomic_load_n(&r->hi, __ATOMIC_ACQUIRE);
	if (since)
		*since = r->t_map;
	return 1;
}

/* Under a finite RLIMIT_AS or RLIMIT_DATA (both count a reservation, even
 * untouched) the shim's reservations come out of the program's budget. They
 * may take 1/AS_SHARE of the lower limit; under a small limit, where that
 * share is less than the fixed buffers the shim needs to write a trace at
 * all (the line buffer, the maps text: ~40 MB), up to BUDGET_FLOOR but never
 * more than 1/AS_SHARE_SMALL of it. The tables are sized to a part of this
 * (fl_sys_budget_part) and grown as they fill; a reservation that does not
 * fit is not made (its owner does without: a probe goes off, a table is
 * full) rather than leaving the program short. */
#define AS_SHARE 16
#define AS_SHARE_SMALL 8
#define BUDGET_FLOOR ((size_t)64 << 20)
static size_t reserved;

size_t fl_sys_budget(void)
{
	struct {
		uint64_t cur, max;
	} as, data;
	uint64_t limit = RLIM_INFINITY;
	size_t share;
	if (syscall(SYS_prlimit64, 0, RLIMIT_AS, NULL, &as) == 0)
		limit = as.cur;
	if (syscall(SYS_prlimit64, 0, RLIMIT_DATA, NULL, &data) == 0 && data.cur < limit)
		limit = data.cur;
	if (limit == RLIM_INFINITY || limit >= (uint64_t)SIZE_MAX / 2)
		return SIZE_MAX;
	share = (size_t)(limit / AS_SHARE);
	if (share < BUDGET_FLOOR)
		share = limit / AS_SHARE_SMALL < BUDGET_FLOOR ? (size_t)(limit / AS_SHARE_SMALL)
							      : BUDGET_FLOOR;
	return share;
}

size_t fl_sys_budget_part(size_t full, unsigned divisor)
{
	size_t budget = fl_sys_budget();
	if (budget == SIZE_MAX || budget / divisor >= full)
		return full;
	return budget / divisor;
}

static int within_budget(size_t len)
{
	size_t budget = fl_sys_budget(), after;
	if (budget == SIZE_MAX)
		return 1;
	after = __atomic_add_fetch(&reserved, len, __ATOMIC_RELAXED);
	if (after <= budget)
		return 1;
	__atomic_sub_fetch(&reserved, len, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The program's peak virtual size without the shim's regions. The kernel's
 * VmPeak counts them, and they grow over a run (a thread's state, the
 * tables the first tick fills): VmPeak less the regions at the end took
 * the regions mapped after the program's peak off a peak they were not in
 * (a 5 ms program of 10.3 MiB at its peak: 2.4 MiB). So before every change
 * to the regions, and with every counters line, VmPeak is read: where it
 * rose since the last reading, the peak it marks came with the regions as
 * they are now (none was mapped or unmapped in between), and VmPeak less
 * them is a peak of the program's; where it did not, nothing new. The
 * largest such figure is the program's VmPeak (its own image, which never
 * changes, the analyzer takes off). Best effort: 0 until a reading.
 *
 * A reading is ~15 us of the kernel's (status prints some 55 lines), and
 * the shim's start changed its regions ~16 times, its exit ~6: a third of
 * the start-up the shim adds to a short program. Where none of the
 * program's code can run (the constructor or the exit handler on the
 * process's one thread) such a stretch is held (fl_sys_peak_hold): a
 * reading at its start, none inside, and one at its end. Inside, VmPeak
 * rises with the shim's regions (some gone again by the end), so the end's
 * reading moves the mark without taking VmPeak less the regions as the
 * program's; what the program's size gained inside (the heap that glibc's
 * first blocks make, for the shim's start-up check and pthread_atfork) is
 * its size then less the regions then.
 */
static uint64_t peak_seen, peak_less_regions;
static int peak_held;

static void raise_to(uint64_t *v, uint64_t x)
{
	uint64_t old = __atomic_load_n(v, __ATOMIC_RELAXED);
	while (x > old &&
	       !__atomic_compare_exchange_n(v, &old, x, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static uint64_t less_regions(int64_t bytes)
{
	uint64_t regions = fl_sys_regions_bytes();
	return (uint64_t)bytes > regions ? (uint64_t)bytes - regions : 0;
}

void fl_sys_peak_note(int64_t peak)
{
	uint64_t seen;
	if (peak < 0)
		return;
	seen = __atomic_load_n(&peak_seen, __ATOMIC_RELAXED);
	while ((uint64_t)peak > seen)
		if (__atomic_compare_exchange_n(&peak_seen, &seen, (uint64_t)peak, 1,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			if (!__atomic_load_n(&peak_held, __ATOMIC_RELAXED))
				raise_to(&peak_less_regions, less_regions(peak));
			break;
		}
}

/* VmPeak is the 17th line of status, ~200 bytes in, VmSize the 18th; a
 * long Groups line above them may push them out of reach: then no figure,
 * rather than a larger buffer on whatever stack the caller is on. */
#define PEAK_READ 1024

/* A reading: status into b (cap bytes), its VmPeak noted; 0 if unread. */
static int peak_read(char *b, size_t cap)
{
	if (fl_sys_read_file("/proc/self/status", b, cap) <= 0)
		return 0;
	fl_sys_peak_note(fl_parse_field_kb(b, "VmPeak:"));
	return 1;
}

static void peak_check(void)
{
	char b[PEAK_READ];
	if (!__atomic_load_n(&peak_held, __ATOMIC_RELAXED))
		peak_read(b, sizeof(b));
}

int fl_sys_peak_hold(void)
{
	/* Threads is the 37th line, ~600 bytes in. */
	char b[2 * PEAK_READ];
	if (__atomic_load_n(&peak_held, __ATOMIC_RELAXED) || !peak_read(b, sizeof(b)) ||
	    fl_parse_field_kb(b, "Threads:") != 1024) /* (the parser's kB, times 1024) */
		return 0;
	__atomic_store_n(&peak_held, 1, __ATOMIC_RELAXED);
	return 1;
}

void fl_sys_peak_release(void)
{
	char b[PEAK_READ];
	int64_t size;
	if (!__atomic_load_n(&peak_held, __ATOMIC_RELAXED))
		return;
	/* held: the reading moves the mark only */
	if (peak_read(b, sizeof(b)) && (size = fl_parse_field_kb(b, "VmSize:")) >= 0)
		raise_to(&peak_less_regions, less_regions(size));
	__atomic_store_n(&peak_held, 0, __ATOMIC_RELAXED);
}

uint64_t fl_sys_peak_less_regions(void)
{
	return __atomic_load_n(&peak_less_regions, __ATOMIC_RELAXED);
}

void *fl_sys_alloc_pages(size_t len)
{
	void *p;
	if (!within_budget(len))
		return NULL;
	peak_check();
	p = fl_sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	fl_sys_name_region(p, len);
	list_region(p, len);
	return p;
}

/* The live entry of the region that starts at lo, or NULL. */
static struct region *region_at(uintptr_t lo)
{
	int n = fl_sys_region_count();
	for (int i = 0; i < n; i++) {
		struct region *r = live_at(i);
		if (r && r->lo == lo)
			return r;
	}
	return NULL;
}

static void region_gone(struct region *r)
{
	__atomic_store_n(&r->t_unmap, fl_sys_now_ns(), __ATOMIC_RELEASE);
}

void fl_sys_region_trim(void *lo, size_t keep)
{
	struct region *r = region_at((uintptr_t)lo);
	uintptr_t end = (uintptr_t)lo + ((keep + 4095) & ~(size_t)4095), hi;
	if (!r || end >= (hi = __atomic_load_n(&r->hi, __ATOMIC_ACQUIRE)))
		return;
	/* Shrunk in the list first: a reader never counts bytes the kernel
	 * has already given back. */
	peak_check();
	__atomic_store_n(&r->hi, end, __ATOMIC_RELEASE);
	syscall(SYS_munmap, (void *)end, hi - end);
}

void fl_sys_region_gone(void *lo)
{
	struct region *r = region_at((uintptr_t)lo);
	if (r)
		region_gone(r);
}

uint64_t fl_sys_regions_bytes(void)
{
	uint64_t bytes = __atomic_load_n(&unlisted_bytes, __ATOMIC_RELAXED);
	uintptr_t lo, hi;
	int n = fl_sys_region_count();
	for (int i = 0; i < n; i++)
		if (fl_sys_region_get(i, &lo, &hi, NULL))
			bytes += hi - lo;
	return bytes;
}

int fl_sys_region_owned_at(uintptr_t addr, uint64_t t)
{
	int n = fl_sys_region_count();
	for (int i = 0; i < n; i++) {
		struct region *r = slot_at(i);
		uint64_t gone;
		if (!r || addr < r->lo || addr >= __atomic_load_n(&r->hi, __ATOMIC_ACQUIRE))
			continue;
		gone = __atomic_load_n(&r->t_unmap, __ATOMIC_ACQUIRE);
		if (t >= r->t_map && (!gone || t < gone))
			return 1;
	}
	return 0;
}

int fl_sys_open(const char *path, int flags, int mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

int fl_sys_openat(int dirfd, const char *path, int flags, int mode)
{
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int fl_sys_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

/*
 * The kernel copies what the shim reads (/proc files, pagemap, scan results)
 * into the shim's buffers: the first copy into a fresh page is a minor fault
 * taken in kernel mode, which getrusage counts and perf (user mode only) does
 * not. Those are the shim's, not the program's, so each reading syscall is
 * bracketed by the calling thread's own fault count: every fault taken on
 * this thread inside the syscall is one of these.
 */
static uint64_t kernel_faults;

static long thread_minflt(void)
{
	struct rusage ru;
	int saved = errno;
	long r = syscall(SYS_getrusage, RUSAGE_THREAD, &ru);
	errno = saved;
	return r == 0 ? ru.ru_minflt : -1;
}

static void count_kernel_faults(long before)
{
	long after = thread_minflt();
	if (before >= 0 && after > before)
		__atomic_fetch_add(&kernel_faults, (uint64_t)(after - before), __ATOMIC_RELAXED);
}

uint64_t fl_sys_kernel_faults(void)
{
	return __atomic_load_n(&kernel_faults, __ATOMIC_RELAXED);
}

ssize_t fl_sys_read(int fd, void *buf, size_t n)
{
	long before = thread_minflt();
	ssize_t r;
	do
		r = syscall(SYS_read, fd, buf, n);
	while (r < 0 && errno == EINTR);
	count_kernel_faults(before);
	return r;
}

ssize_t fl_sys_pread(int fd, void *buf, size_t n, off_t off)
{
	long before = thread_minflt();
	ssize_t r;
	do
		r = syscall(SYS_pread64, fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	count_kernel_faults(before);
	return r;
}

int fl_sys_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = syscall(SYS_write, fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t fl_sys_read_file(const char *path, char *buf, size_t cap)
{
	int saved = errno;
	int fd = fl_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	size_t len = 0;
	if (fd < 0) {
		int e = errno;
		errno = saved;
		return -e;
	}
	while (len + 1 < cap) {
		ssize_t r = fl_sys_read(fd, buf + len, cap - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	fl_sys_close(fd);
	errno = saved;
	return (ssize_t)len;
}

ssize_t fl_sys_readlink(const char *path, char *buf, size_t cap)
{
	int saved = errno;
	long r = syscall(SYS_readlinkat, AT_FDCWD, path, buf, cap - 1);
	if (r < 0) {
		int e = errno;
		errno = saved;
		buf[0] = '\0';
		return -e;
	}
	buf[r] = '\0';
	return r;
}

int fl_sys_fcntl(int fd, int cmd, long arg)
{
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* What each of the shim's fds is: an index into a few distinct (device,
 * inode) pairs (every perf event is the same anonymous inode), by fd
 * number. 0: not ours. */
#define OWN_FDS 65536
#define OWN_KINDS 64
static uint8_t own_kind[OWN_FDS];
static struct {
	uint64_t dev, ino;
} kinds[OWN_KINDS];
static int nkinds;

static int stat_id(int fd, uint64_t *dev, uint64_t *ino)
{
	struct stat st;
	int saved = errno, r = (int)syscall(SYS_fstat, fd, &st);
	errno = saved;
	if (r < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static void remember(int fd)
{
	uint64_t dev, ino;
	int k, n;
	if (fd < 0 || fd >= OWN_FDS || stat_id(fd, &dev, &ino) != 0)
		return;
	n = __atomic_load_n(&nkinds, __ATOMIC_ACQUIRE);
	for (k = 0; k < n; k++)
		if (kinds[k].dev == dev && kinds[k].ino == ino)
			break;
	if (k == n) {
		k = __atomic_fetch_add(&nkinds, 1, __ATOMIC_ACQ_REL);
		if (k >= OWN_KINDS)
			return; /* unknown: never used, as if not ours */
		kinds[k].dev = dev;
		kinds[k].ino = ino;
	}
	__atomic_store_n(&own_kind[fd], (uint8_t)(k + 1), __ATOMIC_RELEASE);
}

int fl_sys_fd_ours(int fd)
{
	uint64_t dev, ino;
	int k;
	if (fd < 0 || fd >= OWN_FDS)
		return 0;
	k = __atomic_load_n(&own_kind[fd], __ATOMIC_ACQUIRE);
	if (!k || stat_id(fd, &dev, &ino) != 0)
		return 0;
	return kinds[k - 1].dev == dev && kinds[k - 1].ino == ino;
}

void fl_sys_close_ours(int fd)
{
	if (fl_sys_fd_ours(fd)) {
		int saved = errno;
		fl_sys_close(fd);
		errno = saved;
	}
	if (fd >= 0 && fd < OWN_FDS)
		__atomic_store_n(&own_kind[fd], 0, __ATOMIC_RELEASE);
}

/* Where the shim's fds go: at the top of what the soft RLIMIT_NOFILE allows
 * (capped at FL_SYS_TOP_FD: the kernel sizes the fd table to the highest
 * number), where programs rarely go: they count up from 3, and shells keep
 * their own at 10 and 255. A number there that is taken makes a shell move
 * it aside (bash does, for `exec 802<file` when 802 is open), so the floor
 * is as high as the shim's fds allow; if the top is full, lower ones, but
 * never in the bottom half of a small limit: there the shim goes without
 * (a probe off) rather than take the program's own numbers. */
#define FL_SYS_TOP_FD 4096
static int dup_high(int fd)
{
	struct {
		uint64_t cur, max;
	} rl;
	uint64_t top = FL_SYS_TOP_FD;
	long floors[3];
	int n = 3;
	if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.cur < top)
		top = rl.cur;
	if (top <= 256) {
		floors[0] = (long)(top - top / 4);
		n = 1;
	} else {
		floors[0] = (long)top - 64;
		floors[1] = top > 1024 ? (long)top - 512 : (long)(top - top / 2);
		floors[2] = (long)(top / 2);
	}
	for (int i = 0; i < n; i++) {
		int hi = fl_sys_fcntl(fd, F_DUPFD_CLOEXEC, floors[i]);
		if (hi >= 0)
			return hi;
	}
	return -1;
}

int fl_sys_move_high(int fd)
{
	int saved = errno, hi;
	if (fd < 0)
		return fd;
	hi = dup_high(fd);
	fl_sys_close(fd);
	errno = saved;
	if (hi < 0)
		return -EMFILE; /* nothing free up there: the program's numbers stay its own */
	remember(hi);
	return hi;
}

int fl_sys_fstat_ino(int fd, uint64_t *dev, uint64_t *ino)
{
	struct stat st;
	int saved = errno;
	if (syscall(SYS_fstat, fd, &st) < 0) {
		errno = saved;
		return -1;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int fl_sys_mkdir(const char *path, int mode)
{
	return (int)syscall(SYS_mkdirat, AT_FDCWD, path, mode);
}

pid_t fl_sys_getpid(void)
{
	return (pid_t)syscall(SYS_getpid);
}

pid_t fl_sys_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

pid_t fl_sys_getppid(void)
{
	return (pid_t)syscall(SYS_getppid);
}

uint64_t fl_sys_clock_ns(clockid_t clock)
{
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t fl_sys_now_ns(void)
{
	return fl_sys_clock_ns(CLOCK_MONOTONIC);
}

uint64_t fl_sys_realtime_ns(void)
{
	return fl_sys_clock_ns(CLOCK_REALTIME);
}

/* Under the writer lock (sys.h): plain variables. */
static uint64_t work_ns, work_began;
static unsigned work_depth;

void fl_sys_work_begin(void)
{
	if (!work_depth++)
		work_began = fl_sys_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* The thread CPU time since the open stretch began. */
static uint64_t work_open(void)
{
	uint64_t now = fl_sys_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return now > work_began ? now - work_began : 0;
}

void fl_sys_work_end(void)
{
	if (work_depth && !--work_depth)
		work_ns += work_open();
}

uint64_t fl_sys_work_ns(void)
{
	return work_ns + (work_depth ? work_open() : 0);
}

void fl_sys_work_reset(void)
{
	work_ns = work_began = 0;
	work_depth = 0;
}

void fl_sys_sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	while (syscall(SYS_nanosleep, &ts, &ts) < 0 && errno == EINTR)
		;
}

void fl_sys_yield(void)
{
	int saved = errno;
	syscall(SYS_sched_yield);
	errno = saved;
}

/* syscall() sets errno; the probes want -errno and an untouched errno. */
static long ret_e(long r, int saved)
{
	if (r < 0) {
		r = -errno;
		errno = saved;
	}
	return r;
}

int fl_sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group,
			   unsigned long flags)
{
	int saved = errno;
	return (int)ret_e(syscall(SYS_perf_event_open, attr, pid, cpu, group, flags), saved);
}

ssize_t fl_sys_process_vm_readv(pid_t pid, const struct iovec *local, const struct iovec *remote)
{
	int saved = errno;
	long before = thread_minflt(); /* the copy may touch fresh pages of ours */
	long r = syscall(SYS_process_vm_readv, pid, local, 1UL, remote, 1UL, 0UL);
	count_kernel_faults(before);
	return ret_e(r, saved);
}

long fl_sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
	int saved = errno;
	long before = thread_minflt(); /* PAGEMAP_SCAN writes its result */
	long r = syscall(SYS_ioctl, fd, req, arg);
	count_kernel_faults(before);
	return ret_e(r, saved);
}

int fl_sys_membarrier(int cmd)
{
	int saved = errno;
	return (int)ret_e(syscall(SYS_membarrier, cmd, 0, 0), saved);
}

int fl_sys_userfaultfd(int flags)
{
	int saved = errno;
	return (int)ret_e(syscall(SYS_userfaultfd, flags), saved);
}

long fl_sys_getdents64(int fd, void *buf, size_t n)
{
	int saved = errno;
	long before = thread_minflt();
	long r = syscall(SYS_getdents64, fd, buf, n);
	count_kernel_faults(before);
	return ret_e(r, saved);
}

ssize_t fl_sys_pread_e(int fd, void *buf, size_t n, off_t off)
{
	int saved = errno;
	long before = thread_minflt();
	long r;
	do
		r = syscall(SYS_pread64, fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	count_kernel_faults(before);
	return ret_e(r, saved);
}

ssize_t fl_sys_read_e(int fd, void *buf, size_t n)
{
	int saved = errno;
	long before = thread_minflt();
	long r;
	do
		r = syscall(SYS_read, fd, buf, n);
	while (r < 0 && errno == EINTR);
	count_kernel_faults(before);
	return ret_e(r, saved);
}

int fl_sys_getrusage(struct rusage *ru)
{
	int saved = errno;
	return (int)ret_e(syscall(SYS_getrusage, 0 /* RUSAGE_SELF */, ru), saved);
}

void *fl_sys_mmap_e(void *addr, size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	int saved = errno;
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r < 0 && r > -4096) {
		*err = errno;
		errno = saved;
		return MAP_FAILED;
	}
	*err = 0;
	return (void *)r;
}

int fl_sys_write_file(const char *path, const char *s)
{
	int saved = errno, fd = fl_sys_open(path, O_WRONLY | O_CLOEXEC, 0), r;
	size_t n = 0;
	if (fd < 0) {
		r = -errno;
		errno = saved;
		return r;
	}
	while (s[n])
		n++;
	r = fl_sys_write_all(fd, s, n);
	fl_sys_close(fd);
	errno = saved;
	return r;
}
