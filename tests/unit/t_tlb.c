/*
 * The CPUID TLB decoders against register values: an AMD EPYC (recorded on
 * the development VM) and Intel leaf 0x18 / leaf 2 values built from the
 * SDM's field layout.
 */
#include "check.h"

#include <stdint.h>

#include "../../preload/tlb.h"

struct reg {
	uint32_t leaf, sub, r[4];
};
static const struct reg *table;
static int ntable;

static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	for (int i = 0; i < ntable; i++)
		if (table[i].leaf == leaf && table[i].sub == sub) {
			for (int k = 0; k < 4; k++)
				r[k] = table[i].r[k];
			return;
		}
	r[0] = r[1] = r[2] = r[3] = 0;
}

static const struct reg epyc[] = {
	{ 0x80000000u, 0, { 0x80000021u, 0x68747541u, 0x444d4163u, 0x69746e65u } },
	{ 0x80000005u, 0, { 0xff48ff40u, 0xff48ff40u, 0x20080140u, 0x20080140u } },
	{ 0x80000006u, 0, { 0x5c002200u, 0x6c004200u, 0x04006140u, 0x0a009140u } },
	{ 0x80000019u, 0, { 0xf040f040u, 0, 0, 0 } }, /* 1G: not on the VM; made up */
};

static const struct reg intel18[] = {
	{ 0, 0, { 0x1b, 0, 0, 0 } },
	{ 0x18, 0, { 3, 0, 0, 0 } },                      /* 3 subleaves */
	{ 0x18, 1, { 0, 1 | 4u << 16, 16, 0x21 } },       /* L1 data 4K: 4 ways x 16 = 64 */
	{ 0x18, 2, { 0, 6 | 4u << 16, 8, 0x21 } },        /* L1 data 2M/4M: 32 */
	{ 0x18, 3, { 0, 0xf | 12u << 16, 128, 0x43 } },   /* L2 unified all sizes: 1536 */
};

static const struct reg intel2[] = {
	{ 0, 0, { 2, 0, 0, 0 } },
	/* al = 1 (count), then 0x5b (dTLB 4K/4M 64), 0xc3 (STLB 1536 + 1G 16) */
	{ 2, 0, { 0x00c35b01u, 0x80000000u, 0, 0 } },
};

#define USE(t) (table = (t), ntable = (int)(sizeof(t) / sizeof((t)[0])))

int main(void)
{
	struct fl_tlb t;

	USE(epyc);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_amd(&t, fake_cpuid) == 0);
	CHECK_EQ_U64(t.l1d_4k, 72);
	CHECK_EQ_U64(t.l1d_2m, 72);
	CHECK_EQ_U64(t.l2_4k, 3072);
	CHECK_EQ_U64(t.l2_2m, 3072);
	CHECK_EQ_U64(t.l2i_4k, 512);
	CHECK_EQ_U64(t.l1d_1g, 64);
	CHECK(t.l2_1g == -1); /* associativity 0: no such level */
	CHECK(t.source && strcmp(t.source, "cpuid 0x80000005/6/19") == 0);

	USE(intel18);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf18(&t, fake_cpuid) == 0);
	CHECK_EQ_U64(t.l1d_4k, 64);
	CHECK_EQ_U64(t.l1d_2m, 32);
	CHECK_EQ_U64(t.l2_4k, 1536);
	CHECK_EQ_U64(t.l2_2m, 1536);
	CHECK_EQ_U64(t.l2_1g, 1536);
	CHECK(t.l1d_1g == -1);

	USE(intel2);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf18(&t, fake_cpuid) != 0);
	CHECK(fl_tlb_intel_leaf2(&t, fake_cpuid) == 0);
	CHECK_EQ_U64(t.l1d_4k, 64);
	CHECK_EQ_U64(t.l1d_2m, 64);
	CHECK_EQ_U64(t.l2_4k, 1536);
	CHECK_EQ_U64(t.l2_1g, 16);
	return check_result();
}
