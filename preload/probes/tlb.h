/*
 * The CPU's data-TLB geometry from CPUID, for the analyzer's TLB-reach
 * model: entries per level and page size. AMD: leaves 0x80000005/6 (and
 * 0x80000019 for 1 GiB pages). Intel: leaf 0x18 (deterministic address
 * translation parameters) where present, else the leaf 2 descriptors.
 */
#ifndef FL_TLB_H
#define FL_TLB_H

#include <stdint.h>

#include "trace/out.h"

struct fl_tlb {
	int l1d_4k, l1d_2m, l1d_1g; /* entries; -1 unknown */
	int l2_4k, l2_2m, l2_1g;
	int l2i_4k;	    /* second-level instruction TLB, 4K (AMD) */
	const char *source; /* which leaves, or NULL when none */
};

/* CPUID as a function, so the decoders can be fed recorded values. */
typedef void (*fl_cpuid_fn)(uint32_t leaf, uint32_t sub, uint32_t r[4]);

void fl_tlb_clear(struct fl_tlb *t);
/* Decoders; return 0 if they found anything. */
int fl_tlb_amd(struct fl_tlb *t, fl_cpuid_fn cpuid);
int fl_tlb_intel_leaf18(struct fl_tlb *t, fl_cpuid_fn cpuid);
int fl_tlb_intel_leaf2(struct fl_tlb *t, fl_cpuid_fn cpuid);
/* Picks the decoders by vendor; leaves t->source NULL when no leaf gives a
 * data-TLB size (a hypervisor may zero them all). */
void fl_tlb_probe_with(struct fl_tlb *t, fl_cpuid_fn cpuid);
/* This CPU, through the real CPUID instruction. */
void fl_tlb_probe(struct fl_tlb *t);
/*
 * The geometry as one string, "S:a,b,c,d,e,f,g" (S: which leaves, 0 for
 * none; then l1d_4k ... l2i_4k, -1 unknown), so that a process hands what
 * it read to the processes it execs: each CPUID traps to the hypervisor in
 * a VM, ~7 us here, and a probe took ~47 us of every traced process's
 * start. fl_tlb_encode returns the length (0 if buf is too small);
 * fl_tlb_decode 0 when s is such a string, else -1 and t cleared.
 */
size_t fl_tlb_encode(const struct fl_tlb *t, char *buf, size_t size);
int fl_tlb_decode(struct fl_tlb *t, const char *s);
/* Writes the "tlb" object. */
void fl_tlb_put(struct fl_out *o, const char *key, const struct fl_tlb *t);

#endif
