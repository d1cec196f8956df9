/*
 * The shim's only door to the kernel. Everything here is a raw syscall (or a
 * vDSO call) so that the shim never re-enters its own hooks (mmap, munmap,
 * fork, ...) and never takes a libc lock that fork could leave held.
 */
#ifndef FL_SYS_H
#define FL_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void *fl_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int fl_sys_munmap(void *addr, size_t len);
int fl_sys_mprotect(void *addr, size_t len, int prot);
/* Anonymous private memory named "[anon:faultline]" in /proc/PID/maps so that
 * the analyzer can tell the shim's memory from the program's. NULL on error. */
void *fl_sys_alloc_pages(size_t len);
/* The bytes of address space the shim may reserve in all under the program's
 * RLIMIT_AS and RLIMIT_DATA (SIZE_MAX when neither is finite); beyond it
 * fl_sys_alloc_pages() fails. fl_sys_budget_part() is full, or a table's
 * part of the budget (1/divisor of it) when that is smaller. */
size_t fl_sys_budget(void);
size_t fl_sys_budget_part(size_t full, unsigned divisor);
void fl_sys_name_region(void *addr, size_t len);
/* The regions the shim has mapped for itself (for the "shim" key of maps
 * lines: the analyzer leaves them out of the program's figures), by entry:
 * fl_sys_region_get(i) for 0 <= i < fl_sys_region_count() gives entry i's
 * range and the time it was mapped (CLOCK_MONOTONIC ns; since may be NULL)
 * and returns 1 if it is mapped now, else 0 (unmapped, or being filled). */
int fl_sys_region_count(void);
int fl_sys_region_get(int i, uintptr_t *lo, uintptr_t *hi, uint64_t *since);
/* The bytes of the regions mapped now. */
uint64_t fl_sys_regions_bytes(void);
/* The most pieces fl_vma_pieces() callers keep of one VMA: the program's
 * parts between the shim's regions (adjacent regions merge into one VMA,
 * so a VMA holds few of the program's parts). */
#define FL_SYS_MAX_PIECES 65
/* The program's VmPeak less the shim's regions (see sys.c), the largest
 * figure so far (0 before any): VmPeak is read before every change to the
 * regions, and a counters line gives its own reading (bytes, -1 unknown)
 * to fl_sys_peak_note(). */
void fl_sys_peak_note(int64_t vm_peak);
uint64_t fl_sys_peak_less_regions(void);
/* Between these two, a stretch of the shim's own work in which none of the
 * program's code runs (its constructor, its exit): the regions may change
 * without a reading each. hold takes a reading and holds only where the
 * process has one thread (1 if it does); release takes the closing one. */
int fl_sys_peak_hold(void);
void fl_sys_peak_release(void);
/* The region fl_sys_alloc_pages() returned at lo now ends keep bytes (page
 * rounded) from lo: the rest is unmapped. */
void fl_sys_region_trim(void *lo, size_t keep);
/* The region at lo is no longer the shim's, without an munmap: a fork
 * child whose copy of it was never made (mappings the kernel does not copy
 * into a child, perf's buffers). */
void fl_sys_region_gone(void *lo);
/* 1 if addr was in one of the shim's regions at t (CLOCK_MONOTONIC ns):
 * mapped by then and not yet unmapped. A fault sample is the shim's only
 * then: once the shim unmaps a region, the program may map the address. */
int fl_sys_region_owned_at(uintptr_t addr, uint64_t t);

int fl_sys_open(const char *path, int flags, int mode);
int fl_sys_openat(int dirfd, const char *path, int flags, int mode);
int fl_sys_close(int fd);
ssize_t fl_sys_read(int fd, void *buf, size_t n);
ssize_t fl_sys_pread(int fd, void *buf, size_t n, off_t off);
/* Writes all of buf, retrying on EINTR and short writes. 0 or -errno. */
int fl_sys_write_all(int fd, const void *buf, size_t n);
/* Reads a whole small file into buf (NUL-terminated). Bytes read or -errno. */
ssize_t fl_sys_read_file(const char *path, char *buf, size_t cap);
ssize_t fl_sys_readlink(const char *path, char *buf, size_t cap);
int fl_sys_fcntl(int fd, int cmd, long arg);
/* The shim's own fds (trace file, perf, pagemap, userfaultfd) sit at the
 * top of what the soft RLIMIT_NOFILE allows (at most 4096), out of the way
 * of programs that expect their first open() to return 3, that dup2() onto
 * low numbers or pick their own (a shell's `exec 902<file`); if the top is
 * full, lower, but never in the bottom half of the range. Moves fd there
 * (close-on-exec), remembers what it is (device and inode) and returns the
 * new fd; if there is no room up there, closes fd and returns -EMFILE (the
 * caller goes without). A negative fd is returned as is. errno is left
 * untouched.
 *
 * The number is visible and anyone's: the program may close it, dup2() its
 * own file over it or get it back from open(). Before every read, poll
 * or close, fl_sys_fd_ours() tells whether the fd still is the file
 * the shim opened (perf events all share one inode: it tells a perf event
 * from the program's files, which is what matters). */
int fl_sys_move_high(int fd);
int fl_sys_fd_ours(int fd);
/* Closes fd if it is still ours; forgets it either way. */
void fl_sys_close_ours(int fd);
int fl_sys_fstat_ino(int fd, uint64_t *dev, uint64_t *ino);
int fl_sys_mkdir(const char *path, int mode);

pid_t fl_sys_getpid(void);
pid_t fl_sys_gettid(void);
pid_t fl_sys_getppid(void);
uint64_t fl_sys_clock_ns(clockid_t clock); /* any clock; 0 if it cannot be read */
uint64_t fl_sys_now_ns(void);		   /* CLOCK_MONOTONIC */
uint64_t fl_sys_realtime_ns(void);	   /* CLOCK_REALTIME */
void fl_sys_sleep_ns(uint64_t ns);
/*
 * The CPU time of the shim's own work on the program's threads: its ticks
 * and its residency reads before an unmap (not its per-call hooks), so
 * that a report can tell the program's time from the tracer's. Begin and
 * end pair under the writer lock (nesting allowed: a tick's signal-handler
 * line); fl_sys_work_ns() includes a stretch still open. The fork child
 * starts again from 0 (fl_sys_work_reset).
 */
void fl_sys_work_begin(void);
void fl_sys_work_end(void);
uint64_t fl_sys_work_ns(void);
void fl_sys_work_reset(void);
void fl_sys_yield(void); /* sched_yield; errno untouched */

/* For the kernel probes. These return the result, or -errno, and leave the
 * caller's errno alone (they may run in the program's own thread). */
struct perf_event_attr;
struct rusage;
int fl_sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group,
			   unsigned long flags);
long fl_sys_ioctl(int fd, unsigned long req, unsigned long arg);
/* process_vm_readv(2) of one range: bytes copied, or -EFAULT where the
 * range is not all mapped readable (reading the program's memory without
 * a fault when another thread may unmap it). */
struct iovec;
ssize_t fl_sys_process_vm_readv(pid_t pid, const struct iovec *local, const struct iovec *remote);
int fl_sys_userfaultfd(int flags);
/* membarrier(2) with cmd (MEMBARRIER_CMD_*), flags 0. */
int fl_sys_membarrier(int cmd);
long fl_sys_getdents64(int fd, void *buf, size_t n);
ssize_t fl_sys_pread_e(int fd, void *buf, size_t n, off_t off);
ssize_t fl_sys_read_e(int fd, void *buf, size_t n);
/* Writes a short string to a file (clear_refs). 0 or -errno. */
int fl_sys_write_file(const char *path, const char *s);
int fl_sys_getrusage(struct rusage *ru);
/* Minor faults taken inside the shim's own reading syscalls (read, pread,
 * getdents64, ioctl) since the shim was loaded: kernel-mode copies into its
 * buffers, counted by getrusage and never by perf's user-mode events. */
uint64_t fl_sys_kernel_faults(void);
void *fl_sys_mmap_e(void *addr, size_t len, int prot, int flags, int fd, off_t off, int *err);

#endif
