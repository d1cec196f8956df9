/*
 * count_floor.so: the least an exact heap counter preloaded into a program
 * can cost, measured beside faultline (bench/b_malloc.sh, mode "floor").
 * It counts what faultline's default mode counts on every call, and
 * nothing else: calls, requested bytes and live bytes (each block's size
 * from glibc's chunk header, as the shim's inline path reads it), per
 * thread, with the same single-instruction adds; no sampling, no stacks,
 * no trace, no start-up. A real tool costs more; the difference between
 * this floor and faultline's default mode is what faultline's own work
 * (sampling, the peak, ticks, probes, its start-up) adds.
 *
 * Only for glibc's malloc and for malloc/free-heavy benchmarks: calloc,
 * realloc and the aligned family are passed through uncounted, and blocks
 * mapped for themselves (bit 1 of the header) are not counted live.
 */
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *p);

struct counts {
	uint64_t malloc_calls, malloc_bytes, free_calls;
	int64_t live;
};
static __thread struct counts counts __attribute__((tls_model("initial-exec")));

/* One instruction, as the shim's fl_add: also keeps the compiler from
 * merging the counters into vector stores that a later narrower load
 * cannot forward from. */
static inline void add(void *p, uint64_t v)
{
	__asm__ volatile("addq %1, %0" : "+m"(*(uint64_t *)p) : "er"(v));
}

__attribute__((visibility("default"))) void *malloc(size_t size)
{
	void *p = __libc_malloc(size);
	if (p) {
		uint64_t h = ((const uint64_t *)p)[-1];
		add(&counts.malloc_calls, 1);
		add(&counts.malloc_bytes, size);
		if (!(h & 2))
			add(&counts.live, h & ~(uint64_t)7);
	}
	return p;
}

__attribute__((visibility("default"))) void free(void *p)
{
	if (p) {
		uint64_t h = ((const uint64_t *)p)[-1];
		add(&counts.free_calls, 1);
		if (!(h & 2))
			add(&counts.live, -(h & ~(uint64_t)7));
	}
	__libc_free(p);
}
