/*
 * The model: a whole trace replayed into memory. Processes form a tree
 * (fork/vfork/clone/posix_spawn children and exec images); each process
 * image (one trace file) keeps its header facts, its time series as plain
 * arrays sorted by time, its address space over time (maps snapshots plus
 * mapping calls) and its heap blocks (alloc/free/realloc records, each with
 * the time it was allocated and freed), so that any address at any time
 * resolves to a VMA and, for heap memory, to an allocation and its stack.
 *
 * Everything is loaded once by fl_model_load() and is read-only afterwards:
 * reports take a const struct fl_model *. Times are nanoseconds since the
 * process image's trace start (the "t" of the trace); start_realtime_ns turns
 * them into wall-clock time. Strings are interned and live as long as the
 * model. Unknown/absent integers are -1 where the field is signed.
 */
#ifndef FL_MODEL_H
#define FL_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/schema.h"
#include "model/interval.h"
#include "util/u64map.h"

#define FL_T_NEVER UINT64_MAX /* t_free of a block still live at the end */

/* How a process image came to be. */
enum fl_link {
	FL_LINK_NONE = 0, /* a root: started by `faultline record` or unknown parent */
	FL_LINK_FORK,
	FL_LINK_VFORK,
	FL_LINK_CLONE,
	FL_LINK_SPAWN, /* posix_spawn */
	FL_LINK_EXEC,  /* a new image of the same pid */
	FL_LINK_CHILD, /* parent pid known, how unknown */
};
const char *fl_link_name(enum fl_link l);
/* The link a trace names ("fork", "posix_spawn" or "spawn", ...); FL_LINK_NONE when unknown. */
enum fl_link fl_link_from_name(const char *s);

/* Heap and mapping entry points, the keys of the trace's heap "calls". */
/* The calls the shim counts, numbered as schema.h's FL_CALLS list. */
#define FL_FN_ENUM(id, name) FL_FN_##id,
enum fl_fn { FL_CALLS(FL_FN_ENUM) FL_FN_COUNT };
#undef FL_FN_ENUM
const char *fl_fn_name(enum fl_fn f);
int fl_fn_from_name(const char *s); /* -1 when unknown */
/* The functions that allocate heap memory: FL_FN_MALLOC..FL_FN_PVALLOC. */
#define FL_FN_IS_ALLOC(f) ((f) <= FL_FN_PVALLOC)

enum fl_vma_kind {
	FL_VMA_ANON = 0, /* anonymous private mmap */
	FL_VMA_HEAP,	 /* [heap] (brk) */
	FL_VMA_STACK,	 /* [stack] of the main thread */
	FL_VMA_FILE,	 /* private file mapping (code, data, mmap'd files) */
	FL_VMA_SHARED,	 /* MAP_SHARED (file, shmem, or anonymous shared) */
	FL_VMA_SPECIAL,	 /* [vdso], [vvar], [vsyscall], ... */
	FL_VMA_SHIM,	 /* memory the shim mapped for itself: not the program's */
	FL_VMA_KIND_COUNT
};
const char *fl_vma_kind_name(enum fl_vma_kind k);

struct fl_vma {
	uint64_t start, end; /* [start, end) */
	uint64_t offset;     /* file offset of start */
	uint64_t inode;
	const char *path;     /* interned; "" for anonymous memory */
	const char *build_id; /* interned hex, or NULL: the object's GNU build-id */
	char perms[5];	      /* "rw-p" */
	uint8_t kind;	      /* enum fl_vma_kind */
	/* The extent of this VMA over its whole life in the timeline: the union of
	 * its instances in successive snapshots as it grew, shrank or merged
	 * (fl_aspace_timeline). One VMA over time has one life_start. */
	uint64_t life_start, life_end;
};

/* One "maps" event: the whole VMA list at time t, sorted by start. */
struct fl_maps_snap {
	uint64_t t;
	const char *why; /* start | exec | changed | fork */
	struct fl_vma *vmas;
	size_t nvmas;
	struct fl_interval *shim; /* [start, end) ranges the shim owns; val: since when (t) */
	size_t nshim;
	/* Virtual bytes that are the shim's, not the program's: its buffers (shim
	 * ranges) and its own code (libfaultline.so, shim_image_bytes of them).
	 * Subtract from vsz (fl_shim_bytes_of_sample). */
	uint64_t shim_bytes, shim_image_bytes;
};

/* One mmap/munmap/mremap/mprotect/madvise/brk call. */
/* The commit charge recorded with a large reservation or a failed
 * allocation, read just after the call: Committed_AS and CommitLimit in
 * 4 KiB units (kept small: every large block carries one); 0 = not
 * recorded. fl_charge_bytes() gives bytes or -1. */
struct fl_charge {
	uint32_t committed, limit;
};

static inline int64_t fl_charge_bytes(uint32_t units)
{
	return units ? (int64_t)units << 12 : -1;
}

struct fl_map_call {
	uint64_t t, seq;
	uint64_t addr, size;	     /* munmap/mprotect/madvise: the range; mmap: hint, size */
	uint64_t old_addr, old_size; /* mremap */
	uint64_t result;	     /* mmap/mremap/brk: the address returned; others 0 or -1 */
	int64_t offset;		     /* mmap file offset */
	uint32_t stack;
	int32_t tid;
	int32_t prot, flags, fd, advice, err;
	uint8_t fn;	  /* enum fl_fn */
	const char *path; /* interned; NULL unless a file mapping */
	struct fl_charge charge;
};

/* An allocation that returned no memory: an alloc_failed line, or an mmap
 * that failed with ENOMEM. */
struct fl_failed {
	uint64_t t, seq;
	uint64_t size; /* asked for; INT64_MAX when size_overflow */
	uint32_t stack;
	int32_t tid, err;
	uint8_t fn; /* enum fl_fn */
	uint8_t
	    size_overflow; /* asked for more than INT64_MAX (malloc(SIZE_MAX), calloc overflow) */
	struct fl_charge charge;
};

/* A heap block: one recorded allocation (alloc, or the new half of a realloc). */
/*
 * A recorded heap block, 40 B: every block of a trace is held while its
 * file loads and until the heap fold, so its width sets the analyzer's peak
 * (it took 64 B). The hot fields are plain; the size, weight, tid and
 * charge are read with fl_block_size, _weight, _tid and _charge (and fn,
 * freed_by with fl_block_fn, _freed_by): when the size fits 32 bits, the
 * weight equals it, no charge is recorded and the tid fits 30 bits (the
 * calls of a `--all` trace), they are packed here; otherwise they sit in
 * the process's p->block_cold, where cold_fn points (see fl_block_set).
 */
struct fl_block {
	uint64_t addr;
	uint64_t t_alloc;
	uint64_t t_free; /* FL_T_NEVER while live at the end */
	uint32_t stack;
	uint32_t size32;  /* the size, when the block has no cold part */
	uint32_t tid_by;  /* tid + 1 (no cold part) << 2 | freed_by's code */
	uint32_t cold_fn; /* 1 + the index of its cold part (0: none) << 5 | fn */
};

#define FL_BLOCK_FN_BITS 5
_Static_assert(FL_FN_COUNT < 1 << FL_BLOCK_FN_BITS, "a block's fn fits its bits");

/* What a block's 40 B do not hold, for the few blocks that need it. */
struct fl_block_cold {
	uint64_t size;
	uint64_t weight; /* bytes this record stands for (sampling) */
	struct fl_charge charge;
	int32_t tid;
};

/*
 * What the fault classifier asks of a block (which one was live at an
 * address at a sample's time, and its stack): 40 B where the block takes
 * 64. The heap fold keeps one per recorded block, in allocation order,
 * until the process's samples are classified (analysis/fault_class.h).
 */
struct fl_block_span {
	uint64_t addr, end; /* [addr, end): end is addr + size, or addr + 1 for size 0 */
	uint64_t t_alloc, t_free;
	uint32_t stack;
};

struct fl_stack {
	uint32_t id;
	uint32_t nframes;
	const uint64_t *frames; /* innermost first; frame 0 is a return address */
};

/* "counters" event; -1 = null/absent. */
struct fl_counters {
	uint64_t t;
	int64_t minflt, majflt, ru_minflt, ru_majflt;
	int64_t dtlb_load, dtlb_store;
	int64_t rss_anon, rss_file, rss_shmem, vsz, swap, pte_bytes, stack_vma;
	int64_t vm_hwm, vm_peak; /* the kernel's high-water marks so far, -1 unknown */
	int64_t committed_as, commit_limit, oom_score, tracking_faults;
	int64_t ru_minflt_base, shim_kernel_minflt, shim_threads; /* see schema.h */
	int64_t exec_kernel_minflt;				  /* -1: not in the trace */
	int64_t shim_resident, shim_private, shim_mapped;	  /* bytes, see schema.h */
	int64_t vm_peak_less_regions, shim_fault_samples;	  /* -1: not in the trace */
	int64_t shim_cpu_ns;	 /* the shim's ticks and reads so far, -1: not in the trace */
	int64_t unwind_resident; /* bytes, see schema.h; -1: not in the trace */
};

/*
 * A process's counters lines, kept encoded: each line as the fields that
 * changed since the line before (a mask, then each change as a zigzag
 * varint). A line took sizeof(struct fl_counters) (200 B) in an array; most
 * of its figures repeat from tick to tick, and encoded it takes a few bytes,
 * losslessly. The reports read the lines in time order with a cursor
 * (fl_counters_begin / fl_counters_next); the last one stays decoded.
 */
struct fl_counters_store {
	unsigned char *buf;
	size_t len, cap;
	size_t n;		 /* lines held */
	struct fl_counters last; /* the last line added: the next line's base */
	int unsorted;		 /* a line came before the one added before it */
};

struct fl_counters_cursor {
	const struct fl_counters_store *s;
	size_t pos, i;
	struct fl_counters c;
};

/* Appends one line (in the order read; fl_counters_store_sort puts them in time order). */
void fl_counters_store_add(struct fl_counters_store *s, const struct fl_counters *c);
/* Puts the lines in time order (as qsort by t put the array before) and gives back the slack. */
void fl_counters_store_sort(struct fl_counters_store *s);
void fl_counters_store_release(struct fl_counters_store *s);
/* Reads the lines from the first; fl_counters_next gives each in turn, NULL after the last. */
void fl_counters_begin(struct fl_counters_cursor *k, const struct fl_counters_store *s);
const struct fl_counters *fl_counters_next(struct fl_counters_cursor *k);

/* "heap" event: exact totals since start, all threads. */
struct fl_heap_tick {
	uint64_t t;
	uint64_t calls[FL_FN_COUNT];
	uint64_t bytes[FL_FN_COUNT];
	uint64_t live, peak;
};

/* "sites" (--all): the last cumulative figures of one allocation site. */
struct fl_site {
	uint32_t stack;
	uint64_t allocs, frees, bytes, live, peak;
};

struct fl_heap_site; /* model/heap_fold.h */

/* One page-fault sample. */
struct fl_fault {
	uint64_t addr, ip, t;
	int32_t tid;
	uint8_t major;
};

/* "residency": pages per VMA; -1 = not measured. */
struct fl_res_region {
	uint64_t start, end;
	int64_t present, swapped, file, anon_exclusive, anon_shared, huge, written, referenced;
	int64_t moved; /* copied by this process since its last fork (PFN changed); -1 unknown */
};
struct fl_residency {
	uint64_t t;
	const char *method;
	struct fl_res_region *regions;
	size_t nregions;
};

/*
 * A process's residency lines, kept encoded as the io lines are (struct
 * fl_io_store): each line's t, method and regions' fields as zigzag varint
 * differences from the line before (the same region slot). A line took a
 * struct and an allocation of its rows (128 B for one region), and a
 * region's figures change little from tick to tick. Read in time order
 * with a cursor (fl_residency_begin / _next / _end).
 */
struct fl_residency_store {
	unsigned char *buf;
	size_t len, cap;
	size_t n;		  /* lines held */
	struct fl_residency last; /* the last line added (its regions the store's) */
	size_t caplast;		  /* room in last.regions */
	int unsorted;		  /* a line came before the one added before it */
};

struct fl_residency_cursor {
	const struct fl_residency_store *s;
	size_t pos, i, cap;
	struct fl_residency c; /* the line read; c.regions is the cursor's, freed by _end */
};

/* Appends one line (in the order read; fl_residency_store_sort puts them in time order). */
void fl_residency_store_add(struct fl_residency_store *s, const struct fl_residency *line);
/* Puts the lines in time order (as qsort by t put the array before) and gives back the slack. */
void fl_residency_store_sort(struct fl_residency_store *s);
void fl_residency_store_release(struct fl_residency_store *s);
/* Reads the lines from the first; fl_residency_next gives each in turn, NULL after the last. */
void fl_residency_begin(struct fl_residency_cursor *k, const struct fl_residency_store *s);
const struct fl_residency *fl_residency_next(struct fl_residency_cursor *k);
/* The index of the line fl_residency_next gave last (0 for the first). */
static inline size_t fl_residency_index(const struct fl_residency_cursor *k)
{
	return k->i - 1;
}
void fl_residency_end(struct fl_residency_cursor *k);

struct fl_wss_region {
	uint64_t start, end;
	int64_t written;
	uint32_t block_stack; /* set by the heap fold: the block's stack at start then, 0 if none */
};
struct fl_wss {
	uint64_t t, window_ns;
	const char *method;
	int64_t written;
	struct fl_wss_region *regions;
	size_t nregions;
};

struct fl_io_fd {
	int32_t fd;
	const char *path;
	uint64_t calls, bytes; /* cumulative since the fd was opened */
};
struct fl_io {
	uint64_t t;
	struct fl_io_fd *fds;
	size_t nfds;
};

/*
 * A process's io lines, kept encoded as the counters lines are: each line
 * as its t and its fds' fields (fd, path, calls, bytes), each the
 * difference from the same fd slot of the line before, a zigzag varint. A
 * line took a struct and an allocation of its rows (72 B for one fd) and
 * its cumulative figures move a little from tick to tick. The reports read
 * the lines in time order with a cursor (fl_io_begin / fl_io_next /
 * fl_io_end); the last one stays decoded (fl_io_last).
 */
struct fl_io_store {
	unsigned char *buf;
	size_t len, cap;
	size_t n;	   /* lines held */
	struct fl_io last; /* the last line added (its fds the store's): the next line's base */
	size_t caplast;	   /* room in last.fds */
	int unsorted;	   /* a line came before the one added before it */
};

struct fl_io_cursor {
	const struct fl_io_store *s;
	size_t pos, i, cap;
	struct fl_io c; /* the line read; c.fds is the cursor's, freed by fl_io_end */
};

/* Appends one line (in the order read; fl_io_store_sort puts them in time order). */
void fl_io_store_add(struct fl_io_store *s, const struct fl_io *line);
/* Puts the lines in time order (as qsort by t put the array before) and gives back the slack. */
void fl_io_store_sort(struct fl_io_store *s);
void fl_io_store_release(struct fl_io_store *s);
/* Reads the lines from the first; fl_io_next gives each in turn, NULL after the last. */
void fl_io_begin(struct fl_io_cursor *k, const struct fl_io_store *s);
const struct fl_io *fl_io_next(struct fl_io_cursor *k);
void fl_io_end(struct fl_io_cursor *k);
/* The last line in time order, or NULL when none. */
const struct fl_io *fl_io_last(const struct fl_io_store *s);

struct fl_fork_ev {
	uint64_t t, seq;
	int32_t tid, child;
	uint8_t kind; /* enum fl_link */
};

/* Resource figures of a process, -1 each when unknown. */
struct fl_rusage {
	int64_t minflt, majflt, utime_ns, stime_ns, inblock;
};

/* The program (or record) reaped a child (wait family): how that child
 * ended, and what wait4 said it used (its own figures and its reaped
 * children's, to its very end). */
struct fl_wait_ev {
	uint64_t t; /* in the reaper's trace: its clock; in record's file: realtime */
	int32_t child;
	int64_t status, signal; /* -1 / 0 when absent */
	struct fl_rusage ru;	/* all -1 when the call gave none (waitid) */
	int32_t reaper;		/* record's file only: record's pid */
};

struct fl_exec_ev {
	uint64_t t, seq;
	const char *path;
	json_t *argv; /* owned by the model; may be NULL */
	int64_t result;
	int32_t err;
};

struct fl_tid_span {
	int32_t tid;
	uint64_t first, last;
};

struct fl_note {
	uint64_t t;
	const char *what, *why;
	int64_t n;
};

struct fl_probe {
	const char *name;
	int ok;
	int err;	 /* errno, 0 if none */
	const char *why; /* NULL if ok */
};

struct fl_tlb {
	int64_t l1d_4k, l1d_2m, l2_4k, l2_2m, l2_1g; /* -1 unknown */
	const char *source;
};

struct fl_exit {
	int present; /* 0: the trace ends without an exit line (killed) */
	uint64_t t;
	const char *how; /* exit | signal | exec | unknown */
	int64_t status, signal;
	int64_t ru_minflt, ru_majflt, ru_utime_ns, ru_stime_ns, ru_maxrss_kb;
	int64_t ru_inblock; /* 512-byte blocks read from storage, -1 unknown */
	/* getrusage(RUSAGE_CHILDREN) at the exit line, -1 each when absent */
	struct fl_rusage children;
	int from_wait; /* known only from the parent's wait line (SIGKILL) */
	/* the ru_ figures (but maxrss) are the reaper's wait4 figures less the
	 * children's: they count the process to its end, after its exit line */
	int ru_reaped;
	/* the shim's ticks and reads to the end (the final tick's tail after
	 * its counters line included), -1: older traces */
	int64_t shim_cpu_ns;
};

/* One process image: one trace file. */
struct fl_proc {
	const char *file; /* path of its trace file */
	const char *key;  /* file name without ".ndjson": "1234" or "1234.2" */
	int32_t pid, ppid, uid;
	/* the parent link as written in the header */
	int32_t parent_pid;
	uint8_t link; /* enum fl_link, resolved by the model */
	uint64_t parent_t, parent_seq;
	struct fl_proc *parent;	   /* NULL for a root */
	struct fl_proc **children; /* sorted by start time */
	size_t nchildren;

	const char *exe;
	json_t *argv;	/* array of strings, owned by the model */
	json_t *header; /* the whole header object, owned by the model */
	uint64_t start_realtime_ns, start_monotonic_ns;
	uint64_t end_t; /* last t seen (exit t, or last line of a killed process) */
	int64_t page_size, mem_total, swap_total, overcommit, rlimit_stack, ncpu;
	const char *kernel, *cpu, *thp;
	struct fl_tlb tlb;
	struct fl_probe *probes;
	size_t nprobes;
	json_t *options;	       /* borrowed from header; NULL if absent */
	int64_t opt_sample, opt_large; /* from options; -1 unknown */
	int opt_all;		       /* --all: every call recorded */
	int32_t opt_run;	       /* record --repeat: run index 1..N; 0 = not repeated */

	struct fl_exit exit;

	struct fl_maps_snap *maps;
	/* The libraries only the shim loaded (model/shimlibs.h), from the last
	 * maps snapshot: their interned paths, found once as the file is read. */
	const char **shim_libs;
	size_t nshim_libs;
	size_t nmaps;
	struct fl_map_call *calls;
	size_t ncalls; /* sorted by seq */
	/* Every recorded block until the heap fold (model/heap_fold.h), which
	 * keeps what the reports need and leaves here the blocks live at the
	 * end; the early fold takes freed blocks out as the load reads them
	 * (model/heap_early.c); export --format json, which lists every
	 * block, never folds. */
	struct fl_block *blocks;
	size_t nblocks; /* sorted by t_alloc (seq order) */
	/* the cold parts of blocks (see struct fl_block), for the proc's life */
	struct fl_block_cold *block_cold;
	size_t nblock_cold, capblock_cold;
	int heap_folded;
	size_t nblocks_recorded; /* blocks before the fold */
	size_t nblocks_dropped;	 /* blocks the load folded early (heap_replay.h) */
	/* Per thread, the first and last allocation time among the blocks the
	 * load folded early: what the perfetto export's thread tracks took
	 * from those blocks when they were kept (model/heap_early.c). */
	struct fl_tid_span *early_tids;
	size_t nearly_tids;
	uint64_t heap_t_first;		 /* the first block's t_alloc, FL_T_NEVER if none */
	struct fl_heap_site *heap_sites; /* per-stack figures, sorted by stack */
	size_t nheap_sites;
	struct fl_block *large_blocks; /* every block of at least the --large size */
	size_t nlarge_blocks;
	/* Every recorded block as the classifier needs it, from the fold until
	 * the samples are classified; NULL when p has no samples. */
	struct fl_block_span *spans;
	size_t nspans;
	struct fl_failed *failed;
	size_t nfailed, capfailed;	   /* sorted by seq */
	struct fl_counters_store counters; /* read with fl_counters_begin / _next */
	size_t ncounters;
	struct fl_heap_tick *heap;
	size_t nheap;
	struct fl_site *sites;
	size_t nsites; /* last value per site, sorted by stack */
	/* The fault samples: read them with fl_proc_faults_each. The array is
	 * held only when the load asked for it (fl_model_keep_samples);
	 * otherwise faults is NULL and each pass reads them from the file. */
	struct fl_fault *faults;
	size_t nfaults;				/* samples, sorted by t */
	uint64_t faults_t_first, faults_t_last; /* their first and last t (0 when none) */
	int faults_sorted;			/* the file had them in time order */
	uint64_t faults_period, faults_lost;
	struct fl_residency_store residency; /* read with fl_residency_begin / _next / _end */
	size_t nresidency;
	struct fl_wss *wss;
	size_t nwss;
	struct fl_io_store io; /* read with fl_io_begin / _next / _end */
	size_t nio;
	struct fl_fork_ev *forks;
	size_t nforks;
	struct fl_exec_ev *execs;
	size_t nexecs;
	struct fl_wait_ev *waits;
	size_t nwaits;
	struct fl_note *notes;
	size_t nnotes;

	/* the stacks sorted by id, one per id (ids are the trace's: sparse);
	 * look one up with fl_proc_stack */
	struct fl_stack *stacks;
	size_t nstacks;

	uint64_t nevents;      /* valid lines read */
	unsigned long nerrors; /* bad lines in this file */

	struct fl_imap block_index; /* built lazily: use fl_proc_block_at/_blocks_each */
	struct fl_imap map_index;   /* mmap/mremap/brk results -> index into calls */
	struct fl_imap unmap_index; /* munmap ranges (and mremap sources) -> index into calls */
	/* built lazily: use fl_proc_faulted_before */
	struct fl_u64map first_fault;
	/* What an analysis derived from this image (analysis/fault_summary.h),
	 * kept while the model lives; freed by the function beside it. */
	void *derived;
	void (*derived_free)(void *derived);
};

struct fl_model {
	const char *path;	/* the trace directory or file */
	struct fl_proc **procs; /* every image, sorted by start_realtime_ns */
	size_t nprocs;
	struct fl_proc **roots;
	size_t nroots;
	/* record's own reaping of the programs it ran (FL_TRACE_REAPED_FILE):
	 * t is realtime */
	struct fl_wait_ev *reaped;
	size_t nreaped, capreaped;
	uint64_t nevents;
	unsigned long nerrors; /* bad lines and unusable files */
	struct fl_model_priv *priv;
};

/*
 * Loads a trace directory or a single trace file. Returns 0 when at least
 * one process could be read (errors in other lines/files are reported and
 * counted in m->nerrors), -1 when nothing usable was found (reported).
 */
int fl_model_load(struct fl_model *m, const char *path); /* model/tree.c */
/*
 * Whether the loads that follow keep every fault sample in p->faults (the
 * exports of per-sample data ask for it). 0 by default: the reports read
 * the samples in one pass (fl_proc_faults_each), which reads the file again.
 */
extern int fl_model_keep_samples;
/*
 * Whether the loads that follow fold freed blocks as they read them, when
 * nothing after the load can ask about them (model/heap_early.c): set by
 * the commands whose every process is folded before anything else reads it
 * (report, record's summary). 0 by default: every block is kept.
 */
extern int fl_model_fold_early;
/*
 * addr: the loads that follow fold every freed block that does not hold
 * this address, as they read its free in order (FL_FOLD_ADDR_NONE: they do
 * not; fl_model_fold_early is then what decides). addr asks only about the
 * blocks at its address, the maps and the stacks.
 */
#define FL_FOLD_ADDR_NONE UINT64_MAX
extern uint64_t fl_model_fold_but_addr;
/* Set in the environment (to anything): no load folds early, whatever the
 * command asked; for the tests that set a command's output against the
 * same output without the fold. */
#define FL_MODEL_NO_EARLY_FOLD_ENV "FAULTLINE_NO_EARLY_FOLD"
void fl_model_release(struct fl_model *m);
/* An empty model for path, its arena and string table ready (the loader's
 * first step). */
void fl_model_init(struct fl_model *m, const char *path);

/* A process image's key from its trace file's path: the name without the
 * trace extension, interned in m. */
const char *fl_model_key_of(struct fl_model *m, const char *path);
/* Interns a string in the model (for reports that build names). */
const char *fl_model_intern(struct fl_model *m, const char *s);
/* n bytes (8-aligned, uninitialised) that live as long as the model. */
void *fl_model_alloc(struct fl_model *m, size_t n);

/* Processes with this pid (all exec images), in start order; returns count. */
size_t fl_model_find_pid(const struct fl_model *m, int32_t pid, struct fl_proc **out, size_t max);

/* ---- queries on one process image ---- */

/* The maps snapshot in force at t (the last one at or before t, else the first). */
const struct fl_maps_snap *fl_proc_maps_at(const struct fl_proc *p, uint64_t t);
/*
 * The VMA containing addr at time t: from the snapshot in force, else from a
 * mapping call made before t and not unmapped, else from the next snapshot.
 * *out is filled (a mapping call yields a synthesized VMA); kind is
 * FL_VMA_SHIM for the shim's own buffers. Returns 0, or -1 when unknown.
 */
int fl_proc_vma_at(const struct fl_proc *p, uint64_t addr, uint64_t t, struct fl_vma *out);
/* A block's fields, as given to fl_block_set. */
struct fl_block_fields {
	uint64_t addr, size, weight, t_alloc;
	uint32_t stack;
	int32_t tid;
	int fn; /* enum fl_fn */
	struct fl_charge charge;
};
/* Fills *b (t_free FL_T_NEVER, freed_by FL_FN_COUNT), adding a cold part to p when needed. */
void fl_block_set(struct fl_proc *p, struct fl_block *b, const struct fl_block_fields *f);

static inline const struct fl_block_cold *fl_block_cold_of(const struct fl_proc *p,
							   const struct fl_block *b)
{
	return b->cold_fn >> FL_BLOCK_FN_BITS ? &p->block_cold[(b->cold_fn >> FL_BLOCK_FN_BITS) - 1]
					      : NULL;
}
static inline uint64_t fl_block_size(const struct fl_proc *p, const struct fl_block *b)
{
	return b->cold_fn >> FL_BLOCK_FN_BITS ? fl_block_cold_of(p, b)->size : b->size32;
}
static inline uint64_t fl_block_weight(const struct fl_proc *p, const struct fl_block *b)
{
	return b->cold_fn >> FL_BLOCK_FN_BITS ? fl_block_cold_of(p, b)->weight : b->size32;
}
static inline int32_t fl_block_tid(const struct fl_proc *p, const struct fl_block *b)
{
	return b->cold_fn >> FL_BLOCK_FN_BITS ? fl_block_cold_of(p, b)->tid
					      : (int32_t)(b->tid_by >> 2) - 1;
}
static inline struct fl_charge fl_block_charge(const struct fl_proc *p, const struct fl_block *b)
{
	return b->cold_fn >> FL_BLOCK_FN_BITS ? fl_block_cold_of(p, b)->charge
					      : (struct fl_charge){0, 0};
}
static inline int fl_block_fn(const struct fl_block *b)
{
	return (int)(b->cold_fn & ((1u << FL_BLOCK_FN_BITS) - 1));
}
/* FL_FN_FREE, FL_FN_REALLOC, or FL_FN_COUNT (not freed, or ended by an alloc at its address) */
static inline int fl_block_freed_by(const struct fl_block *b)
{
	static const int by[4] = {FL_FN_COUNT, FL_FN_FREE, FL_FN_REALLOC, FL_FN_COUNT};
	return by[b->tid_by & 3];
}
static inline void fl_block_set_freed_by(struct fl_block *b, int by)
{
	b->tid_by = (b->tid_by & ~3u) | (by == FL_FN_FREE ? 1u : by == FL_FN_REALLOC ? 2u : 0u);
}

/* The heap block containing addr that was live at t, or NULL. */
const struct fl_block *fl_proc_block_at(const struct fl_proc *p, uint64_t addr, uint64_t t);
/*
 * Calls fn for every block that ever contained addr (any time), until fn
 * returns non-zero (returned). Use these two, not block_index directly.
 */
int fl_proc_blocks_each(const struct fl_proc *p, uint64_t addr,
			int (*fn)(const struct fl_block *b, void *ctx), void *ctx);
/*
 * Hands p's fault samples to fn in time order, in batches (v[0..n)), until fn
 * returns non-zero (returned); 0 at the end.
 */
int fl_proc_faults_each(const struct fl_proc *p,
			int (*fn)(void *ctx, const struct fl_fault *v, size_t n), void *ctx);
/* Whether a fault sample of p hit the page (address >> 12) at a time before t. */
int fl_proc_faulted_before(const struct fl_proc *p, uint64_t page, uint64_t t);
/* The stack with this id, or NULL (id 0 or never written). */
const struct fl_stack *fl_proc_stack(const struct fl_proc *p, uint32_t id);
/* The last counters / heap tick, or NULL. */
const struct fl_counters *fl_proc_last_counters(const struct fl_proc *p);
const struct fl_heap_tick *fl_proc_last_heap(const struct fl_proc *p);
/* The CPU time of the shim's ticks and reads on p's threads to its end:
 * the exit line's figure (which holds the final tick's tail after its
 * counters line), else the last counters line's (older traces, a process
 * killed before its exit line); -1 when neither says it. */
int64_t fl_proc_shim_cpu_ns(const struct fl_proc *p);
/* Whether the image ended by exec: its getrusage figures end there, and
 * the pid's next image goes on counting. */
int fl_proc_ended_by_exec(const struct fl_proc *p);
/* The probe by name (FL_PROBE_*), or NULL when the header does not list it. */
const struct fl_probe *fl_proc_probe(const struct fl_proc *p, const char *name);
/* Wall-clock ns of a trace time. */
static inline uint64_t fl_proc_realtime(const struct fl_proc *p, uint64_t t)
{
	return p->start_realtime_ns + t;
}
/* Whether [start,end) overlaps a shim range of snapshot s. */
int fl_maps_is_shim(const struct fl_maps_snap *s, uint64_t start, uint64_t end);
/* Whether addr was the shim's at t by s's ranges: in one, mapped by t. */
int fl_maps_is_shim_at(const struct fl_maps_snap *s, uint64_t addr, uint64_t t);
/* Classifies a VMA by perms and path (not FL_VMA_SHIM; see fl_maps_is_shim). */
enum fl_vma_kind fl_vma_classify(const char *perms, const char *path, uint64_t inode);

#endif
