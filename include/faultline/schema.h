/*
 * The trace schema: the only contract between the shim (preload/) and the
 * analyzer (analyzer/). Both include this header; nothing else is shared.
 *
 * A trace is a directory holding one newline-delimited JSON file per process,
 * named FL_TRACE_FILE_FMT. Every line is one complete JSON object carrying
 * FL_K_EVENT (the event name) and FL_K_TIME (nanoseconds since this process's
 * trace start, CLOCK_MONOTONIC). Every line after the header also carries
 * FL_K_SEQ, a per-process sequence number: lines from different threads are
 * written in drain order, and readers sort by it when order matters (a free
 * seen before its alloc). Addresses and other 64-bit values that may exceed
 * 2^53 are JSON strings "0x...". Readers ignore unknown events and keys.
 *
 * doc/trace-schema.md documents every event; tests/shell checks that each
 * event named here is documented there. Any incompatible change bumps
 * FL_TRACE_VERSION; readers reject versions they do not know.
 */
#ifndef FAULTLINE_SCHEMA_H
#define FAULTLINE_SCHEMA_H

/* 2: per-call heap events as compact "hc" lines (FL_EV_HEAPCALLS).
 * 3: their calls as columns of digits ("k", ...), times in whole microseconds.
 * 4: the same letters and numbers range-coded into one string ("r"). */
#define FL_TRACE_VERSION 4

/* "<pid>.ndjson"; when a pid is reused in one trace directory the later
 * process gets "<pid>.<n>.ndjson" (n = 1, 2, ...), never overwriting. */
#define FL_TRACE_FILE_EXT ".ndjson"
/* With FAULTLINE_COMPRESS=1 the file is "<pid>.ndjson.zst": the same lines
 * as zstd frames, one per flush (the reader takes both). */
#define FL_TRACE_ZST_EXT ".ndjson.zst"
/* record's own file in a trace directory: a line per program it ran and
 * reaped, {"pid": record's, "child", "realtime_ns", "status", "signal",
 * "ru_minflt", "ru_majflt", "ru_utime_ns", "ru_stime_ns", "ru_inblock"} */
#define FL_TRACE_REAPED_FILE "reaped.jsonl"
#define FL_K_REALTIME "realtime_ns"

/* Environment variables read by the shim (and set by `faultline record`). */
#define FL_ENV_OUT "FAULTLINE_OUT"	 /* trace directory */
#define FL_ENV_SAMPLE "FAULTLINE_SAMPLE" /* mean bytes between heap samples; 1 = every call */
#define FL_ENV_LARGE "FAULTLINE_LARGE"	 /* allocations >= this are always recorded */
#define FL_ENV_INTERVAL "FAULTLINE_INTERVAL_MS" /* sampler tick */
#define FL_ENV_FAULTS "FAULTLINE_FAULTS"	/* all | off | N (every N-th fault); default 16 */
#define FL_ENV_WSS "FAULTLINE_WSS"		/* 1: write-tracking working set */
#define FL_ENV_FOLLOW "FAULTLINE_FOLLOW"	/* 0: do not follow children */
#define FL_ENV_MAX_SIZE "FAULTLINE_MAX_SIZE"	/* bytes per trace file, 0 = unlimited */
#define FL_ENV_NO_ARGV "FAULTLINE_NO_ARGV"	/* 1: argv is redacted */
#define FL_ENV_PARENT "FAULTLINE_PARENT"	/* internal: "<pid>:<kind>:<t>:<seq>" link */
#define FL_ENV_QUIET "FAULTLINE_QUIET"		/* 1: no diagnostics on stderr */
#define FL_ENV_RUN "FAULTLINE_RUN" /* record --repeat: which run (1..N); 0 or unset = one run */
#define FL_ENV_COMPRESS "FAULTLINE_COMPRESS" /* 1: write <pid>.ndjson.zst */
#define FL_ENV_COMPACT "FAULTLINE_COMPACT"   /* 0: a line per call; 4: range-coded hc */
/* internal: an fd (record's, inherited through exec) of a perf counter of
 * the program's kernel-mode minor faults, enabled at its exec */
#define FL_ENV_EXEC_FAULTS_FD "FAULTLINE_EXEC_FAULTS_FD"
/* internal: the data-TLB geometry the first traced process read with CPUID,
 * handed to the processes it execs (probes/tlb.h, fl_tlb_encode) */
#define FL_ENV_TLB "FAULTLINE_TLB"

#define FL_DEFAULT_SAMPLE 524288
#define FL_DEFAULT_LARGE 65536
#define FL_DEFAULT_INTERVAL_MS 100
/* One page fault in this many is sampled unless FAULTLINE_FAULTS says
 * otherwise (all = 1; the default with --wss); counts stay exact (counting
 * mode). On a loop that does nothing but fault, sampling every fault adds
 * 15-45 % to counting alone here (the kernel's per-sample work and the
 * drain), one in 8 about 5 %, one in 16 about 2 % (41 alternated rounds of
 * bench/b_faults.sh: 1.069x, 1.038x, counting alone 1.018x): one in 16
 * keeps the default probes within 5 % of a native run (doc/limits.md). */
#define FL_DEFAULT_FAULTS_PERIOD 16

/* ---- keys present on every line ---- */
#define FL_K_EVENT "e"
#define FL_K_TIME "t"
#define FL_K_SEQ "seq"
#define FL_K_TID "tid"

/* ---- event names ---- */
#define FL_EV_HEADER "header"
#define FL_EV_MAPS "maps"
#define FL_EV_STACK "stack"
#define FL_EV_ALLOC "alloc"
#define FL_EV_FREE "free"
#define FL_EV_REALLOC "realloc"
#define FL_EV_MMAP "mmap"
#define FL_EV_MUNMAP "munmap"
#define FL_EV_MREMAP "mremap"
#define FL_EV_MPROTECT "mprotect"
#define FL_EV_MADVISE "madvise"
#define FL_EV_BRK "brk"
#define FL_EV_FORK "fork"
#define FL_EV_EXEC "exec"
#define FL_EV_EXIT "exit"
#define FL_EV_FAULTS "faults"
#define FL_EV_COUNTERS "counters"
#define FL_EV_RESIDENCY "residency"
#define FL_EV_WSS "wss"
#define FL_EV_IO "io"
#define FL_EV_HEAP "heap"   /* per-tick exact call counts and live bytes */
#define FL_EV_SITES "sites" /* --all: exact per-site aggregates */
#define FL_EV_WAIT "wait"   /* a child reaped by wait*(): its status or signal */
#define FL_EV_NOTE "note"   /* the shim telling the reader something: stopped, dropped */
/* an allocation that returned no memory (NULL from the malloc family; a
 * failed mmap is its own mmap line with its errno) */
#define FL_EV_ALLOC_FAILED "alloc_failed"
#define FL_EV_HEAPCALLS "hc" /* alloc, free and realloc calls of one thread, compact */

/* ---- call names ----
 * The libc entry points the shim counts: the values of FL_K_FUNC and the
 * keys of the heap line's FL_K_CALLS and FL_K_BYTES objects. The order is
 * the order of the shim's enum fl_call and the analyzer's enum fl_fn, both
 * made from this list: X(NAME, "name"). The allocating calls come first,
 * malloc to pvalloc. */
#define FL_CALLS(X)                                                                                \
	X(MALLOC, "malloc")                                                                        \
	X(CALLOC, "calloc")                                                                        \
	X(REALLOC, "realloc")                                                                      \
	X(REALLOCARRAY, "reallocarray")                                                            \
	X(POSIX_MEMALIGN, "posix_memalign")                                                        \
	X(ALIGNED_ALLOC, "aligned_alloc")                                                          \
	X(MEMALIGN, "memalign")                                                                    \
	X(VALLOC, "valloc")                                                                        \
	X(PVALLOC, "pvalloc")                                                                      \
	X(FREE, "free")                                                                            \
	X(MMAP, "mmap")                                                                            \
	X(MUNMAP, "munmap")                                                                        \
	X(MREMAP, "mremap")                                                                        \
	X(MPROTECT, "mprotect")                                                                    \
	X(MADVISE, "madvise")                                                                      \
	X(BRK, "brk")                                                                              \
	X(SBRK, "sbrk")

/* ---- header keys ---- */
#define FL_K_VERSION "v"
#define FL_K_PID "pid"
#define FL_K_PPID "ppid"
#define FL_K_PARENT "parent" /* object: pid, kind, t, seq (the parent's event) */
#define FL_K_EXE "exe"
#define FL_K_ARGV "argv"
#define FL_K_START_REALTIME "start_realtime_ns"
#define FL_K_START_MONOTONIC "start_monotonic_ns"
#define FL_K_PAGE_SIZE "page_size"
#define FL_K_KERNEL "kernel"
#define FL_K_CPU "cpu"
#define FL_K_NCPU "ncpu"
#define FL_K_TLB "tlb" /* object: see doc/trace-schema.md */
#define FL_K_MEM_TOTAL "mem_total"
#define FL_K_SWAP_TOTAL "swap_total"
#define FL_K_OVERCOMMIT "overcommit_memory"
#define FL_K_THP "thp"
#define FL_K_RLIMIT_STACK "rlimit_stack"
#define FL_K_PROBES "probes" /* object: name -> {ok, errno, why} */
#define FL_K_OPTIONS "options"
#define FL_K_UID "uid"
#define FL_K_PERF_PARANOID                                                                         \
	"perf_event_paranoid" /* kernel.perf_event_paranoid, null if unreadable */
#define FL_K_OK "ok"	      /* probes.<name>: the probe works (else errno, why) */
#define FL_K_SOURCE "source"  /* tlb: where the TLB geometry was read */

/* options: the recording options in effect (FL_ENV_* above) */
#define FL_K_OPT_SAMPLE "sample"
#define FL_K_OPT_LARGE "large"
#define FL_K_OPT_INTERVAL_MS "interval_ms"
#define FL_K_OPT_FAULTS_PERIOD "faults_period"
#define FL_K_OPT_ALL "all"
#define FL_K_OPT_WSS "wss"
#define FL_K_OPT_FOLLOW "follow"
#define FL_K_OPT_MAX_SIZE "max_size"
#define FL_K_OPT_RUN "run" /* record --repeat: the run this process belongs to (1..N) */

/* probe names (keys of the header's "probes" object) */
#define FL_PROBE_PERF_COUNT "perf_fault_counts"
#define FL_PROBE_PERF_SAMPLE "perf_fault_samples"
#define FL_PROBE_DTLB "perf_dtlb"
#define FL_PROBE_PAGEMAP "pagemap"
#define FL_PROBE_PAGEMAP_PFN "pagemap_pfn"
#define FL_PROBE_PAGEMAP_SCAN "pagemap_scan"
#define FL_PROBE_UFFD_WP "uffd_wp"
#define FL_PROBE_ACCESSED "accessed_bit"
#define FL_PROBE_UNWIND "libunwind"

/* ---- common keys ---- */
#define FL_K_ADDR "addr"
#define FL_K_SIZE "size"
#define FL_K_OLD_ADDR "old_addr"
#define FL_K_OLD_SIZE "old_size"
#define FL_K_ALIGN "align"
#define FL_K_FUNC "fn"	   /* which libc entry: malloc, calloc, ... */
#define FL_K_STACK "stack" /* stack id */
#define FL_K_ID "id"
#define FL_K_FRAMES "frames"
#define FL_K_RESULT "result"
#define FL_K_ERRNO "errno"
#define FL_K_PROT "prot"
#define FL_K_FLAGS "flags"
#define FL_K_FD "fd"
#define FL_K_OFFSET "offset"
#define FL_K_PATH "path"
#define FL_K_ADVICE "advice"
#define FL_K_WEIGHT "weight" /* bytes this sampled record stands for */
/* alloc_failed: the request was larger than INT64_MAX (malloc(SIZE_MAX), a
 * calloc whose product overflowed); size then says INT64_MAX */
#define FL_K_SIZE_OVERFLOW "size_overflow"
/* FL_K_COMMITTED and FL_K_COMMIT_LIMIT also on alloc, realloc and mmap lines
 * of large reservations (size >= options.large; a block mapped for itself;
 * mmap: private writable anonymous) and on alloc_failed lines: the commit
 * charge read just after the call */

/* maps */
#define FL_K_VMAS "vmas" /* array of [start, end, perms, offset, inode, path(, build-id)] */
#define FL_K_WHY "why"	 /* start | exec | changed | fork */
#define FL_K_SHIM "shim" /* [[start, end], ...] memory the shim mapped for itself */

/* fork / exec / exit */
#define FL_K_CHILD "child"
#define FL_K_KIND "kind" /* fork | vfork | clone | posix_spawn | exec */
#define FL_K_STATUS "status"
#define FL_K_SIGNAL "signal"
#define FL_K_HOW "how"		    /* exit | _exit | exit_group | signal | exec */
#define FL_K_CORE "core"	    /* exit by signal: the default action dumps core */
#define FL_K_RU_UTIME "ru_utime_ns" /* exit: getrusage user and system time */
#define FL_K_RU_STIME "ru_stime_ns"
#define FL_K_RU_MAXRSS "ru_maxrss_kb"
/* exit: getrusage ru_inblock, 512-byte blocks read from storage: the
 * read_bytes of /proc/self/io, readahead included */
#define FL_K_RU_INBLOCK "ru_inblock"
/* exit: getrusage(RUSAGE_CHILDREN), the children reaped before the exit
 * line. wait4 gives a reaped child's figures with its own reaped children's
 * added: these take them off again. */
#define FL_K_RU_C_MINFLT "ru_c_minflt"
#define FL_K_RU_C_MAJFLT "ru_c_majflt"
#define FL_K_RU_C_UTIME "ru_c_utime_ns"
#define FL_K_RU_C_STIME "ru_c_stime_ns"
#define FL_K_RU_C_INBLOCK "ru_c_inblock"

/* note: what happened (stopped, dropped, reopened, perf_disabled, ...), why
 * (FL_K_WHY) and a number; "reopened" also says since when nothing could be
 * written and how much was lost */
#define FL_K_WHAT "what"
#define FL_K_N "n"
#define FL_K_FROM_T "from_t"
#define FL_K_LOST_BYTES "lost_bytes"

/* faults: batched samples, each [addr, ip, tid, t, major(0/1)] */
#define FL_K_SAMPLES "samples"
#define FL_K_PERIOD "period" /* every N-th fault was sampled */
#define FL_K_LOST "lost"

/* counters */
#define FL_K_MINFLT "minflt" /* perf, user mode */
#define FL_K_MAJFLT "majflt"
#define FL_K_RU_MINFLT "ru_minflt" /* getrusage, includes kernel-mode and GUP faults */
#define FL_K_RU_MAJFLT "ru_majflt"
#define FL_K_DTLB_LOAD "dtlb_load_misses" /* null when unsupported */
#define FL_K_DTLB_STORE "dtlb_store_misses"
#define FL_K_RSS_ANON "rss_anon"
#define FL_K_RSS_FILE "rss_file"
#define FL_K_RSS_SHMEM "rss_shmem"
#define FL_K_VSZ "vsz"
#define FL_K_VM_HWM "vm_hwm"   /* VmHWM: peak RSS of this address space so far */
#define FL_K_VM_PEAK "vm_peak" /* VmPeak: peak virtual size so far */
#define FL_K_SWAP "swap"
#define FL_K_PTE "pte_bytes"
#define FL_K_STACK_VMA "stack_vma"
#define FL_K_COMMITTED "committed_as"
#define FL_K_COMMIT_LIMIT "commit_limit"
#define FL_K_OOM_SCORE "oom_score"
#define FL_K_TRACKING_FAULTS "tracking_faults"
/* getrusage minor faults when perf started counting (the loader's and the
 * shim's set-up before it, which perf never saw) */
#define FL_K_RU_MINFLT_BASE "ru_minflt_base"
/* minor faults taken in kernel mode inside the shim's own reads (copies into
 * its buffers) since perf started counting: in ru_minflt, not the program's */
#define FL_K_SHIM_KERNEL_MINFLT "shim_kernel_minflt"
/* minor faults taken in kernel mode between the program's exec and the
 * start of perf's count (the kernel loading the ELF, the loader's syscalls),
 * less the shim's own: in ru_minflt_base, yet the program's (absent: not
 * known, when record could not count from the exec) */
#define FL_K_EXEC_KERNEL_MINFLT "exec_kernel_minflt"
#define FL_K_SHIM_THREADS "shim_threads" /* threads the shim runs (its sampler) */
/* the shim's own memory (its buffers, its image's data and .bss), bytes:
 * resident, and private anonymous mapped only here (in Private_Dirty) */
#define FL_K_SHIM_RESIDENT "shim_resident"
#define FL_K_SHIM_PRIVATE "shim_private"
/* bytes present in the unwind tables (.eh_frame_hdr to the end of its
 * segment) of the program's objects: the pages the shim's stack unwinding
 * read in, beside what the program read itself (C++ exceptions,
 * backtrace()) */
#define FL_K_UNWIND_RESIDENT "unwind_resident"
/* the bytes of the regions the shim mapped for itself (a maps line's
 * "shim" list) at the moment of this line's vsz and vm_peak */
#define FL_K_SHIM_MAPPED "shim_mapped"
/* the largest VmPeak less the shim's regions at a moment VmPeak rose (read
 * before each change to the regions and with each counters line): the
 * program's peak virtual size with the shim's image still in it */
#define FL_K_VM_PEAK_LESS_REGIONS "vm_peak_less_regions"
/* fault samples the shim left out of the trace since its counters started:
 * faults on its own regions (its tables, rings, thread states), which the
 * counts include: times the period, the shim's own user-mode faults */
#define FL_K_SHIM_FAULT_SAMPLES "shim_fault_samples"
#define FL_K_SHIM_CPU_NS "shim_cpu_ns"

/* heap (per tick, exact) */
#define FL_K_CALLS "calls" /* object: fn -> count */
#define FL_K_BYTES "bytes" /* object: fn -> bytes requested */
#define FL_K_LIVE "live"   /* live bytes now */
#define FL_K_PEAK "peak"   /* peak live bytes seen (tick resolution) */

/* sites (--all): [[stack, allocs, frees, bytes, live, peak], ...] */
#define FL_K_SITES "sites"

/* hc: consecutive heap calls of one thread (t, seq, tid: the first call's).
 * "n" numbers the lines of an epoch from 0: the codec state (slots, free
 * lists, previous address and stack) starts empty at n = 0, and a reader
 * that sees a number out of turn has lost a line and skips to the next
 * epoch. Version 3 writes the calls as columns of one string each: "k" the
 * letters, a call being [t][q][c][s][w][r] then its own letters, f or g for
 * a free, a, b or d for an allocation (a realloc: r, both, its free part
 * first), then x if the block took no slot; each letter takes the next
 * number of its column (doc/trace-schema.md):
 *   t: "u", whole us since the previous call's time as written (the first
 *      call's time is the line's t)      q: "q", seq - the previous call's
 *   c: "c", the index in FL_CALLS        s: "s", the stack (else the
 *      previous allocation's)            w: "w", the weight (else the size)
 *   f: "f", the block in that slot       g: "a" address - previous
 *      allocated address, "z" its size
 *   a: "z" size, at the first address of the free list of its bucket
 *   b: "z" size, "p" its place (2, 3, ...) in that list
 *   d: "z" size, "a" address - (previous allocated address + FL_HC_CHUNK(
 *      its size))
 * "f", "z" and "p" are decimals zero-padded to one width, without
 * separators; the others are decimals separated by one space.
 * "d" (version 2) held the same calls as integers:
 *   op dt [dseq] [fn] then by kind
 *   alloc:   size aref [delta] stack [weight]
 *   free:    fref [delta size]
 *   realloc: fref [delta old_size] size aref [delta] stack [weight]
 * op = kind | flags; dt in ns; fref s > 0: slot s - 1, 0: g's delta and z's
 * size follow; aref k > 0: the k-th address of the list, 0: d's delta follows. */
#define FL_K_HC_KINDS "k"
#define FL_K_HC_SLOTS "f"
#define FL_K_HC_SIZES "z"
#define FL_K_HC_PLACES "p"
#define FL_K_HC_DELTAS "a"
#define FL_K_HC_US "u"
#define FL_K_HC_DSEQ "q"
#define FL_K_HC_FN "c"
#define FL_K_HC_STACKS "s"
#define FL_K_HC_WEIGHTS "w"
#define FL_K_DATA "d"
/* Version 4 (faultline/hccoded.h): "r" version 3's letters and numbers,
 * range-coded with models that last the epoch, as base64; "m" the number of
 * letters. A line has "r", "k" (version 3) or "d" (version 2). */
#define FL_K_HC_CODED "r"
#define FL_K_HC_NLETTERS "m"
/* Version 3's letters in "k" (doc/trace-schema.md): the frequent ones are
 * digits, the most frequent on the digits the number columns use most (zstd
 * codes all literals with one table: the k column then costs fewer bits). */
#define FL_HC_K_PAIR '0'	/* 0, 1, 2: a free (6) then an allocation (5, 8, 7) */
#define FL_HC_K_TIME '3'	/* "u", before a call */
#define FL_HC_K_PAIR_TIME '4'	/* "u": the pair's allocation's, before the pair */
#define FL_HC_K_ALLOC '5'	/* "z"; at the first address of the list */
#define FL_HC_K_FREE '6'	/* "f" */
#define FL_HC_K_ALLOC_DELTA '7' /* "z", "a" */
#define FL_HC_K_ALLOC_PLACE '8' /* "z", "p" */
#define FL_HC_ALLOC 0
#define FL_HC_FREE 1
#define FL_HC_REALLOC 2
#define FL_HC_KIND_MASK 3
#define FL_HC_F_SEQ 4	     /* dseq follows (else 1) */
#define FL_HC_F_FN 8	     /* the call's index in FL_CALLS follows (else malloc, realloc) */
#define FL_HC_F_WEIGHT 16    /* weight follows (else the size) */
#define FL_HC_F_NOSLOT 32    /* the allocated block takes no slot */
#define FL_HC_MAX_SLOTS 4096 /* a block gets the last slot freed, else the next new one */
#define FL_HC_BUCKETS 64
#define FL_HC_DEPTH 32	 /* freed addresses remembered per bucket, newest first */
#define FL_HC_DEPTH_V2 8 /* version 2's */
#define FL_HC_CHUNK(size) (((uint64_t)(size) + 23) & ~(uint64_t)15)
#define FL_HC_BUCKET(size) ((FL_HC_CHUNK(size) >> 4) % FL_HC_BUCKETS)

/* residency: per VMA [start, end, present, swapped, file, anon_exclusive,
 * anon_shared, huge, written, referenced, moved] in pages; -1 where unknown */
#define FL_K_REGIONS "regions"
#define FL_K_METHOD "method"
#define FL_K_NVMAS "vmas" /* residency: VMAs measured (rows are only the changed ones) */

/* wss: [start, end, written] per tracked range with writes in the window */
#define FL_K_WINDOW_NS "window_ns"
#define FL_K_WRITTEN "written"

/* io: per fd [fd, path, calls, bytes] */
#define FL_K_FDS "fds"

#endif
