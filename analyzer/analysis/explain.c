/*
 * One place for the words that explain the kernel's mechanisms, so that all
 * reports say the same thing the same way. The texts name the mechanism and
 * say why the figure looks the way it does; they are facts verified on Linux
 * 6.x (doc/kernel.md), not advice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/explain.h"

static const struct {
	const char *name;
	const char *text;
} mechs[FL_MECH_COUNT] = {
    [FL_MECH_DEMAND_PAGING] =
	{"demand-paging",
	 "Demand paging: mmap and malloc only reserve address space; the first access to "
	 "each page takes a minor fault in which the kernel allocates a zeroed frame and "
	 "maps it."},
    [FL_MECH_OVERCOMMIT] =
	{"overcommit",
	 "Overcommit: the kernel grants address space without backing it, so a reservation "
	 "costs memory only for the pages actually touched; Linux's default heuristic mode "
	 "refuses only single requests larger than RAM plus swap."},
    [FL_MECH_STRICT_COMMIT] =
	{"strict-commit",
	 "Strict overcommit (vm.overcommit_memory=2) refuses any private writable mapping that "
	 "would push Committed_AS past CommitLimit (swap plus overcommit_ratio% of RAM), even "
	 "if its pages are never touched."},
    [FL_MECH_OOM] =
	{"oom-score",
	 "The OOM killer picks its victim by oom_score, which grows with the process's "
	 "resident memory, swap and page tables; touched memory counts, reserved memory does "
	 "not."},
    [FL_MECH_PAGE_CACHE] =
	{"page-cache",
	 "Page cache: file pages already in memory are mapped by a minor fault without any "
	 "I/O; the same physical page serves every process and every read() of that file."},
    [FL_MECH_DISK_READ] =
	{"disk-read",
	 "A major fault: the file page was not in the page cache, so the faulting thread "
	 "waited for the kernel to read it from the device."},
    [FL_MECH_READAHEAD] =
	{"readahead",
	 "Readahead: on a sequential scan the kernel reads ahead of the faults, so most "
	 "faults find the page in cache or wait on I/O already in flight and count as minor; "
	 "'major' undercounts the time spent waiting for the disk."},
    [FL_MECH_FAULT_AROUND] =
	{"fault-around",
	 "Fault-around and large folios: a read fault on a file page maps the neighbouring "
	 "cached pages too (64 KiB by default, or a whole large folio), so one fault can map "
	 "many pages; bytes per fault are measured, never assumed to be 4 KiB."},
    [FL_MECH_SWAP] =
	{"swap",
	 "Swap: an evicted anonymous page leaves a swap entry in its page-table entry; the "
	 "next access finds it and takes a major fault that reads the page back (swap-in)."},
    [FL_MECH_COW] =
	{"cow", "Copy-on-write: fork shares every private page read-only between parent and child; "
		"the first write by either side takes a minor fault that copies the 4 KiB page, so "
		"sharing decays as the two processes write."},
    [FL_MECH_FORK_EXEC] =
	{"fork-exec",
	 "fork copies the whole page-table tree and marks every private page copy-on-write; "
	 "an exec right after throws that work away, which posix_spawn or vfork avoid by "
	 "never copying the address space."},
    [FL_MECH_STACK_GROWTH] =
	{"stack-growth",
	 "Stack growth: the main thread's [stack] VMA grows down on demand; a fault just below "
	 "its lowest page extends it (up to RLIMIT_STACK, keeping a guard gap above the next "
	 "mapping) and maps a zeroed page; it never shrinks back."},
    [FL_MECH_TLB_REACH] =
	{"tlb-reach",
	 "TLB reach: each page the program touches needs a TLB entry; when the working set "
	 "has more pages than the TLB has entries, accesses miss and the CPU walks the "
	 "four-level page tables."},
    [FL_MECH_HUGE_PAGES] =
	{"huge-pages",
	 "Huge pages: a 2 MiB page needs one TLB entry where 4 KiB pages need 512, so "
	 "transparent huge pages (madvise(MADV_HUGEPAGE)) multiply the TLB's reach."},
    [FL_MECH_WORKING_SET] =
	{"working-set",
	 "Working set: the pages a program uses within a window; if it exceeds free RAM the "
	 "kernel must evict pages the program still needs, and every one re-touched is a "
	 "major fault."},
    [FL_MECH_KERNEL_FAULTS] =
	{"kernel-faults",
	 "Faults taken in kernel mode (copy_to_user in read(), get_user_pages for "
	 "MAP_POPULATE, madvise(MADV_POPULATE_*) or O_DIRECT) are counted by getrusage but "
	 "not by perf's user-mode fault events."},
    [FL_MECH_WRITE_TRACKING] =
	{"write-tracking",
	 "Write tracking: measuring the pages written per window write-protects them "
	 "(userfaultfd), so the first write to each page in each window is an extra minor "
	 "fault caused by the tracer; it is subtracted from the figures."},
    [FL_MECH_READ_COPY] =
	{"read-copy",
	 "read() copies each byte from the page cache into the user buffer (copy_to_user) "
	 "and costs one system call per buffer; small buffers make the calls dominate."},
    [FL_MECH_MMAP_IO] =
	{"mmap-io",
	 "mmap() maps the page-cache pages themselves: no copy and no system call per block, "
	 "but a page fault for every page or fault-around batch, page-table entries to set "
	 "up and tear down, and TLB entries to fill."},
    [FL_MECH_SAMPLING] =
	{"sampling",
	 "Sampled figure: only every N-th event was recorded, and counts are scaled by N, so "
	 "small figures carry a sampling error."},
    [FL_MECH_RUN_NOISE] =
	{"run-noise",
	 "Two runs of the same program differ by the machine's noise (other load, caches, CPU "
	 "frequency, page placement): a difference smaller than the spread of repeated runs is "
	 "not a change."},
};

const char *fl_explain_name(enum fl_mech m)
{
	return (unsigned)m < FL_MECH_COUNT ? mechs[m].name : "unknown";
}

const char *fl_explain_text(enum fl_mech m)
{
	return (unsigned)m < FL_MECH_COUNT ? mechs[m].text : "";
}

int fl_explain_lookup(const char *name)
{
	for (int i = 0; i < FL_MECH_COUNT; i++)
		if (name && !strcmp(mechs[i].name, name))
			return i;
	return -1;
}

void fl_explain_add(json_t *obj, const char *id, const char *severity, enum fl_mech m,
		    const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	json_t *arr = json_object_get(obj, "findings");
	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(obj, "findings", arr);
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "severity",
					     severity, "mechanism", fl_explain_name(m), "text",
					     text, "explain", fl_explain_text(m)));
}
