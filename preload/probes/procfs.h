/*
 * /proc readers for the probes: the VMA list (parsed in place, no
 * allocation) and the per-tick process figures (RSS split, VSZ, swap, page
 * tables, commit charge, overcommit mode, OOM score).
 */
#ifndef FL_PROCFS_H
#define FL_PROCFS_H

#include <stddef.h>
#include <stdint.h>

#include "trace/out.h"

struct fl_vma {
	uint64_t start, end, offset, inode;
	char perms[5];
	const char *path; /* points into the maps text; not NUL-terminated */
	uint32_t path_len;
};

/* Reads /proc/self/maps; returns the VMAs (valid until the next call) and
 * their count in *n, or NULL. */
struct fl_vma *fl_procfs_vmas(int *n);
/* The text the last fl_procfs_vmas read (NUL-terminated, *n bytes), once:
 * NULL if that read failed or the text was taken already. */
const char *fl_procfs_maps_text(size_t *n);
/* 1 if the path is exactly s. */
int fl_vma_is(const struct fl_vma *v, const char *s);
/* Memory the shim mapped for itself, or a kernel-provided region that is
 * not the program's (vvar, vsyscall, our perf rings). */
int fl_vma_is_shim(const struct fl_vma *v);
/* Private, writable, anonymous (incl. [heap]): what write tracking covers. */
int fl_vma_is_private_anon_rw(const struct fl_vma *v);

/* The VMA minus the shim's own regions (which merge into anonymous VMAs
 * where the kernel cannot name them): up to max [start, end) pieces. */
int fl_vma_pieces(const struct fl_vma *v, uint64_t (*out)[2], int max);

/* PROCMAP_QUERY, from the 6.11 uapi (the installed headers may be older). */
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#ifndef PROCMAP_QUERY
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
struct procmap_query {
	__u64 size;
	__u64 query_flags;
	__u64 query_addr;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_page_size;
	__u64 vma_offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 vma_name_size;
	__u32 build_id_size;
	__u64 vma_name_addr;
	__u64 build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#endif

/* The VMA that holds addr, or the first one above it, in *v (path empty,
 * perms from the VMA's flags): one PROCMAP_QUERY (Linux 6.11) on
 * /proc/self/maps, without reading the maps text. 0, or -1 when there is
 * none or the kernel cannot say. */
int fl_procfs_vma_at(uint64_t addr, struct fl_vma *v);

/* Adds the process figures to the open counters line. stack_vma: bytes of
 * the [stack] VMA, -1 unknown. */
void fl_procfs_figures(struct fl_out *o, int64_t stack_vma);
/* The resident set (anon + file + shmem, KiB) the last fl_procfs_figures read; -1 if none. */
int64_t fl_procfs_last_rss_kb(void);
/* VmPeak in bytes as fl_procfs_figures() last read it; -1 if it could not. */
int64_t fl_procfs_last_vm_peak(void);
/* Reads a small integer file; -1 on error. */
int64_t fl_procfs_int(const char *path);

#endif
