/*
 * The counters line's keys and struct fl_counters' fields, listed once: both
 * reader paths and the bounds check walk the same list.
 */
#include "model/load_counters.h"

#include "faultline/schema.h"

#define COUNTER_FIELDS(X)                                                                          \
	X(minflt, FL_K_MINFLT)                                                                     \
	X(majflt, FL_K_MAJFLT)                                                                     \
	X(ru_minflt, FL_K_RU_MINFLT)                                                               \
	X(ru_majflt, FL_K_RU_MAJFLT)                                                               \
	X(dtlb_load, FL_K_DTLB_LOAD)                                                               \
	X(dtlb_store, FL_K_DTLB_STORE)                                                             \
	X(rss_anon, FL_K_RSS_ANON)                                                                 \
	X(rss_file, FL_K_RSS_FILE)                                                                 \
	X(rss_shmem, FL_K_RSS_SHMEM)                                                               \
	X(vsz, FL_K_VSZ)                                                                           \
	X(vm_hwm, FL_K_VM_HWM)                                                                     \
	X(vm_peak, FL_K_VM_PEAK)                                                                   \
	X(swap, FL_K_SWAP)                                                                         \
	X(pte_bytes, FL_K_PTE)                                                                     \
	X(stack_vma, FL_K_STACK_VMA)                                                               \
	X(committed_as, FL_K_COMMITTED)                                                            \
	X(commit_limit, FL_K_COMMIT_LIMIT)                                                         \
	X(oom_score, FL_K_OOM_SCORE)                                                               \
	X(tracking_faults, FL_K_TRACKING_FAULTS)                                                   \
	X(ru_minflt_base, FL_K_RU_MINFLT_BASE)                                                     \
	X(shim_kernel_minflt, FL_K_SHIM_KERNEL_MINFLT)                                             \
	X(exec_kernel_minflt, FL_K_EXEC_KERNEL_MINFLT)                                             \
	X(shim_threads, FL_K_SHIM_THREADS)                                                         \
	X(shim_resident, FL_K_SHIM_RESIDENT)                                                       \
	X(shim_private, FL_K_SHIM_PRIVATE)                                                         \
	X(shim_mapped, FL_K_SHIM_MAPPED)                                                           \
	X(vm_peak_less_regions, FL_K_VM_PEAK_LESS_REGIONS)                                         \
	X(shim_fault_samples, FL_K_SHIM_FAULT_SAMPLES)                                             \
	X(shim_cpu_ns, FL_K_SHIM_CPU_NS)                                                           \
	X(unwind_resident, FL_K_UNWIND_RESIDENT)

static int64_t bounded(int64_t v)
{
	return v < -1 ? -1 : v > FL_MAX_FIGURE ? FL_MAX_FIGURE : v;
}

void fl_load_counters_flat(struct fl_counters *c, const struct fl_flat *f)
{
#define FROM_FLAT(field, key) c->field = bounded(fl_flat_int(f, key, -1));
	COUNTER_FIELDS(FROM_FLAT)
#undef FROM_FLAT
}

void fl_load_counters_json(struct fl_counters *c, const json_t *o)
{
#define FROM_JSON(field, key) c->field = bounded(fl_json_get_int(o, key, -1));
	COUNTER_FIELDS(FROM_JSON)
#undef FROM_JSON
}
