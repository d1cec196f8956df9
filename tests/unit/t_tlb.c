/*
 * The CPUID TLB decoders against register values: two AMD EPYC guests (the
 * family-26 one reports 96 L1 and 128 L2 4 KiB entries, far fewer than the
 * bare-metal part has), an Intel guest whose TLB leaves are all empty, and
 * Intel leaf 0x18 / leaf 2 values built from the SDM's field layout.
 */
#include "check.h"

#include <stdint.h>

#include "probes/tlb.h"

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
    {0x80000000u, 0, {0x80000021u, 0x68747541u, 0x444d4163u, 0x69746e65u}},
    {0x80000005u, 0, {0xff48ff40u, 0xff48ff40u, 0x20080140u, 0x20080140u}},
    {0x80000006u, 0, {0x5c002200u, 0x6c004200u, 0x04006140u, 0x0a009140u}},
    {0x80000019u, 0, {0xf040f040u, 0, 0, 0}}, /* 1G: not on the VM; made up */
};

/* AMD EPYC family 26 under a hypervisor: the EBX values (4 KiB entries) as
 * reported there; the EAX ones (2 MiB) made up. */
static const struct reg epyc26[] = {
    {0, 0, {0x10, 0x68747541u, 0x444d4163u, 0x69746e65u}},
    {0x80000000u, 0, {0x80000021u, 0x68747541u, 0x444d4163u, 0x69746e65u}},
    {0x80000005u, 0, {0xff40ff18u, 0xff60ff40u, 0x20080140u, 0x20080140u}},
    {0x80000006u, 0, {0x48002200u, 0x60804040u, 0x04006140u, 0x0a009140u}},
};

/* An Intel Xeon guest: leaf 2 says "see leaf 0x18" (0xff), leaf 0x18 has
 * only a null subleaf, the AMD leaves are zero. Recorded on a VM. */
static const struct reg xeon_vm[] = {
    {0, 0, {0x24, 0x756e6547u, 0x6c65746eu, 0x49656e69u}},
    {2, 0, {0x00feff01u, 0x000000f0u, 0, 0}},
    {0x18, 0, {0, 0, 0, 0}},
    {0x80000000u, 0, {0x80000008u, 0, 0, 0}},
    {0x80000006u, 0, {0, 0, 0x08007040u, 0}},
};

static const struct reg intel18[] = {
    {0, 0, {0x1b, 0x756e6547u, 0x6c65746eu, 0x49656e69u}},
    {0x18, 0, {3, 0, 0, 0}},			/* 3 subleaves */
    {0x18, 1, {0, 1 | 4u << 16, 16, 0x21}},	/* L1 data 4K: 4 ways x 16 = 64 */
    {0x18, 2, {0, 6 | 4u << 16, 8, 0x21}},	/* L1 data 2M/4M: 32 */
    {0x18, 3, {0, 0xf | 12u << 16, 128, 0x43}}, /* L2 unified all sizes: 1536 */
};

static const struct reg intel2[] = {
    {0, 0, {2, 0x756e6547u, 0x6c65746eu, 0x49656e69u}},
    /* al = 1 (count), then 0x5b (dTLB 4K/4M 64), 0xc3 (STLB 1536 + 1G 16) */
    {2, 0, {0x00c35b01u, 0x80000000u, 0, 0}},
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

	/* Family 26 in a VM: 96 L1 and 128 L2 entries for 4 KiB pages, so the
	 * model's reach is 128 x 4 KiB = 512 KiB. */
	USE(epyc26);
	fl_tlb_probe_with(&t, fake_cpuid);
	CHECK_EQ_U64(t.l1d_4k, 96);
	CHECK_EQ_U64(t.l2_4k, 128);
	CHECK_EQ_U64(t.l1d_2m, 64);
	CHECK_EQ_U64(t.l2_2m, 2048);
	CHECK(t.source && strcmp(t.source, "cpuid 0x80000005/6") == 0);

	/* Empty leaves are no geometry, not a TLB of 0 entries. */
	USE(xeon_vm);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf18(&t, fake_cpuid) != 0);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf2(&t, fake_cpuid) != 0);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_amd(&t, fake_cpuid) != 0);
	fl_tlb_probe_with(&t, fake_cpuid);
	CHECK(t.source == NULL);
	CHECK(t.l1d_4k == -1 && t.l2_4k == -1 && t.l1d_2m == -1 && t.l2_2m == -1);

	USE(intel18);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf18(&t, fake_cpuid) == 0);
	CHECK_EQ_U64(t.l1d_4k, 64);
	CHECK_EQ_U64(t.l1d_2m, 32);
	CHECK_EQ_U64(t.l2_4k, 1536);
	CHECK_EQ_U64(t.l2_2m, 1536);
	CHECK_EQ_U64(t.l2_1g, 1536);
	CHECK(t.l1d_1g == -1);
	fl_tlb_probe_with(&t, fake_cpuid); /* an Intel vendor string takes leaf 0x18 */
	CHECK(t.source && strcmp(t.source, "cpuid 0x18") == 0);
	CHECK_EQ_U64(t.l2_4k, 1536);

	USE(intel2);
	fl_tlb_clear(&t);
	CHECK(fl_tlb_intel_leaf18(&t, fake_cpuid) != 0);
	CHECK(fl_tlb_intel_leaf2(&t, fake_cpuid) == 0);
	CHECK_EQ_U64(t.l1d_4k, 64);
	CHECK_EQ_U64(t.l1d_2m, 64);
	CHECK_EQ_U64(t.l2_4k, 1536);
	CHECK_EQ_U64(t.l2_1g, 16);
	fl_tlb_probe_with(&t, fake_cpuid); /* no leaf 0x18 here: falls back to leaf 2 */
	CHECK(t.source && strcmp(t.source, "cpuid 2") == 0);

	/* The string a process hands the processes it execs: every decoder's
	 * result, and none found, come back the same. */
	{
		static const struct reg *const tables[] = {epyc, epyc26, xeon_vm, intel18, intel2};
		static const int sizes[] = {
		    sizeof(epyc) / sizeof(epyc[0]), sizeof(epyc26) / sizeof(epyc26[0]),
		    sizeof(xeon_vm) / sizeof(xeon_vm[0]), sizeof(intel18) / sizeof(intel18[0]),
		    sizeof(intel2) / sizeof(intel2[0])};
		for (int i = 0; i < 5; i++) {
			struct fl_tlb back;
			char s[96];
			table = tables[i];
			ntable = sizes[i];
			fl_tlb_probe_with(&t, fake_cpuid);
			CHECK(fl_tlb_encode(&t, s, sizeof(s)) == strlen(s) && strlen(s) > 0);
			CHECK(fl_tlb_decode(&back, s) == 0);
			CHECK(memcmp(&back, &t, offsetof(struct fl_tlb, source)) == 0);
			CHECK(back.source == t.source ||
			      (back.source && t.source && strcmp(back.source, t.source) == 0));
			CHECK(fl_tlb_encode(&t, s, 4) == 0); /* too small: nothing */
		}
	}
	CHECK(fl_tlb_decode(&t, "3:64,32,-1,2048,1024,16,2147483647") == 0);
	CHECK(t.l1d_4k == 64 && t.l1d_1g == -1 && t.l2i_4k == 2147483647);
	CHECK(t.source && strcmp(t.source, "cpuid 0x18") == 0);
	CHECK(fl_tlb_decode(&t, "0:-1,-1,-1,-1,-1,-1,-1") == 0 && t.source == NULL);
	/* Anything else is not taken (the process asks the CPU), and t is cleared. */
	{
		static const char *const bad[] = {NULL,
						  "",
						  "3",
						  "3:",
						  "9:1,2,3,4,5,6,7",
						  "5:1,2,3,4,5,6,7",
						  "3:1,2,3,4,5,6",
						  "3:1,2,3,4,5,6,7,8",
						  "3:1,2,3,4,5,6,7 ",
						  "3:1,2,3,4,5,6,2147483648",
						  "3:1,2,-2,4,5,6,7",
						  "3:1,,3,4,5,6,7",
						  "3;1,2,3,4,5,6,7",
						  "x:1,2,3,4,5,6,7"};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(fl_tlb_decode(&t, bad[i]) != 0);
			CHECK(t.source == NULL && t.l1d_4k == -1 && t.l2i_4k == -1);
		}
	}
	return check_result();
}
