/*
 * CPUID decoding. Values are per core as the vendors document them; -1
 * where a leaf does not say (the analyzer then leaves that level out).
 */
#include "probes/tlb.h"

#include <cpuid.h>
#include <stdint.h>
#include <string.h>

#include "faultline/schema.h"
#include "base/fmt.h"

void fl_tlb_clear(struct fl_tlb *t)
{
	t->l1d_4k = t->l1d_2m = t->l1d_1g = -1;
	t->l2_4k = t->l2_2m = t->l2_1g = t->l2i_4k = -1;
	t->source = NULL;
}

/*
 * Each CPUID traps to the hypervisor in a VM (a few µs here); the decoders
 * ask some leaves more than once (leaf 0 three times on Intel), so the
 * answers of one probe are kept. Only the probe at start calls this.
 */
#define CPUID_MEMO 16
static struct {
	uint32_t leaf, sub, r[4];
} memo[CPUID_MEMO];
static int nmemo;

static void real_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	for (int i = 0; i < nmemo; i++)
		if (memo[i].leaf == leaf && memo[i].sub == sub) {
			memcpy(r, memo[i].r, sizeof(memo[i].r));
			return;
		}
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
	if (nmemo < CPUID_MEMO) {
		memo[nmemo].leaf = leaf;
		memo[nmemo].sub = sub;
		memcpy(memo[nmemo++].r, r, sizeof(memo[0].r));
	}
}

int fl_tlb_amd(struct fl_tlb *t, fl_cpuid_fn cpuid)
{
	uint32_t r[4], max;
	cpuid(0x80000000u, 0, r);
	max = r[0];
	if (max < 0x80000006u)
		return -1;
	cpuid(0x80000005u, 0, r);
	/* A count of 0 means the leaf does not say (hypervisors often zero
	 * these leaves): unknown, not a TLB without entries. */
	if (r[0] >> 16 & 0xff)
		t->l1d_2m = (int)(r[0] >> 16 & 0xff);
	if (r[1] >> 16 & 0xff)
		t->l1d_4k = (int)(r[1] >> 16 & 0xff);
	cpuid(0x80000006u, 0, r);
	/* An associativity of 0 means the level is absent. */
	if (r[0] >> 28 && r[0] >> 16 & 0xfff)
		t->l2_2m = (int)(r[0] >> 16 & 0xfff);
	if (r[1] >> 28 && r[1] >> 16 & 0xfff)
		t->l2_4k = (int)(r[1] >> 16 & 0xfff);
	if (r[1] >> 12 & 0xf && r[1] & 0xfff)
		t->l2i_4k = (int)(r[1] & 0xfff);
	if (t->l1d_4k < 0 && t->l2_4k < 0 && t->l1d_2m < 0 && t->l2_2m < 0)
		return -1;
	t->source = "cpuid 0x80000005/6";
	if (max >= 0x80000019u) {
		cpuid(0x80000019u, 0, r);
		if (r[0] >> 28 && r[0] >> 16 & 0xfff)
			t->l1d_1g = (int)(r[0] >> 16 & 0xfff);
		if (r[1] >> 28 && r[1] >> 16 & 0xfff)
			t->l2_1g = (int)(r[1] >> 16 & 0xfff);
		if (t->l1d_1g > 0 || t->l2_1g > 0)
			t->source = "cpuid 0x80000005/6/19";
	}
	return 0;
}

static void set_max(int *slot, int v)
{
	if (v > *slot)
		*slot = v;
}

int fl_tlb_intel_leaf18(struct fl_tlb *t, fl_cpuid_fn cpuid)
{
	uint32_t r[4], nsub;
	int found = 0;
	cpuid(0, 0, r);
	if (r[0] < 0x18)
		return -1;
	cpuid(0x18, 0, r);
	nsub = r[0];
	for (uint32_t s = 0; s <= nsub && s < 64; s++) {
		uint32_t type, level, ways, sets;
		int n;
		cpuid(0x18, s, r);
		type = r[3] & 0x1f;
		level = r[3] >> 5 & 7;
		/* 1 data, 3 unified, 4 load-only (the loads' TLB); skip
		 * instruction (2) and store-only (5) entries. */
		if (type != 1 && type != 3 && type != 4)
			continue;
		ways = r[1] >> 16;
		sets = r[2];
		n = (int)(ways * sets);
		if (n <= 0)
			continue;
		if (level == 1) {
			if (r[1] & 1)
				set_max(&t->l1d_4k, n);
			if (r[1] & 6)
				set_max(&t->l1d_2m, n);
			if (r[1] & 8)
				set_max(&t->l1d_1g, n);
		} else if (level == 2) {
			if (r[1] & 1)
				set_max(&t->l2_4k, n);
			if (r[1] & 6)
				set_max(&t->l2_2m, n);
			if (r[1] & 8)
				set_max(&t->l2_1g, n);
		}
		found = 1;
	}
	if (!found)
		return -1;
	t->source = "cpuid 0x18";
	return 0;
}

/* Leaf 2 descriptor bytes for data TLBs (Intel SDM table 3-12). */
static const struct {
	uint8_t d;
	uint8_t level; /* 1 or 2 */
	uint8_t sizes; /* 1 = 4K, 2 = 2M/4M, 4 = 1G */
	uint16_t entries;
} leaf2[] = {
    {0x03, 1, 1, 64},	{0x04, 1, 2, 8},   {0x05, 1, 2, 32},   {0x0b, 0, 0, 0},	 {0x56, 1, 2, 16},
    {0x57, 1, 1, 16},	{0x59, 1, 1, 16},  {0x5a, 1, 2, 32},   {0x5b, 1, 3, 64}, {0x5c, 1, 3, 128},
    {0x5d, 1, 3, 256},	{0xb3, 1, 1, 128}, {0xb4, 1, 1, 256},  {0xba, 1, 1, 64}, {0xc0, 1, 3, 8},
    {0xc1, 2, 3, 1024}, {0xc2, 1, 3, 16},  {0xc3, 2, 3, 1536}, {0xc4, 1, 2, 32}, {0xca, 2, 1, 512},
};

static void leaf2_byte(struct fl_tlb *t, uint8_t d, int *found)
{
	for (size_t i = 0; i < sizeof(leaf2) / sizeof(leaf2[0]); i++) {
		if (leaf2[i].d != d || !leaf2[i].level)
			continue;
		if (leaf2[i].level == 1) {
			if (leaf2[i].sizes & 1)
				set_max(&t->l1d_4k, leaf2[i].entries);
			if (leaf2[i].sizes & 2)
				set_max(&t->l1d_2m, leaf2[i].entries);
		} else {
			if (leaf2[i].sizes & 1)
				set_max(&t->l2_4k, leaf2[i].entries);
			if (leaf2[i].sizes & 2)
				set_max(&t->l2_2m, leaf2[i].entries);
		}
		if (d == 0xc3)
			set_max(&t->l2_1g, 16);
		*found = 1;
	}
}

int fl_tlb_intel_leaf2(struct fl_tlb *t, fl_cpuid_fn cpuid)
{
	uint32_t r[4];
	int found = 0;
	cpuid(0, 0, r);
	if (r[0] < 2)
		return -1;
	cpuid(2, 0, r);
	for (int i = 0; i < 4; i++) {
		if (r[i] & 0x80000000u)
			continue;		    /* register holds no descriptors */
		for (int b = i ? 0 : 1; b < 4; b++) /* al is the iteration count */
			leaf2_byte(t, (uint8_t)(r[i] >> (8 * b)), &found);
	}
	if (!found)
		return -1;
	t->source = "cpuid 2";
	return 0;
}

void fl_tlb_probe_with(struct fl_tlb *t, fl_cpuid_fn cpuid)
{
	uint32_t r[4];
	char vendor[13];
	fl_tlb_clear(t);
	cpuid(0, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = '\0';
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")) {
		if (fl_tlb_amd(t, cpuid) != 0)
			fl_tlb_clear(t);
		return;
	}
	if (fl_tlb_intel_leaf18(t, cpuid) == 0)
		return;
	fl_tlb_clear(t);
	if (fl_tlb_intel_leaf2(t, cpuid) == 0)
		return;
	fl_tlb_clear(t);
	if (fl_tlb_amd(t, cpuid) != 0) /* other vendors may implement the AMD leaves */
		fl_tlb_clear(t);
}

void fl_tlb_probe(struct fl_tlb *t)
{
	fl_tlb_probe_with(t, real_cpuid);
}

/* The decoders' t->source strings, by number: 0 is none. */
static const char *const sources[] = {NULL, "cpuid 0x80000005/6", "cpuid 0x80000005/6/19",
				      "cpuid 0x18", "cpuid 2"};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

static int source_number(const char *s)
{
	for (size_t i = 1; i < NSOURCES; i++)
		if (s && strcmp(s, sources[i]) == 0)
			return (int)i;
	return 0;
}

size_t fl_tlb_encode(const struct fl_tlb *t, char *buf, size_t size)
{
	const int v[7] = {t->l1d_4k, t->l1d_2m, t->l1d_1g, t->l2_4k, t->l2_2m, t->l2_1g, t->l2i_4k};
	char tmp[7 * 12 + 4];
	size_t n = 0;
	tmp[n++] = (char)('0' + source_number(t->source));
	for (int i = 0; i < 7; i++) {
		tmp[n++] = i ? ',' : ':';
		if (v[i] < 0) {
			memcpy(tmp + n, "-1", 2);
			n += 2;
		} else {
			n += fl_fmt_u64(tmp + n, (uint64_t)v[i]);
		}
	}
	if (n + 1 > size)
		return 0;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

/* One value: -1, or 0 to INT32_MAX in decimal; the end in *end. */
static int parse_entries(const char *s, const char **end, int *v)
{
	uint64_t x = 0;
	const char *p = s;
	if (p[0] == '-' && p[1] == '1') {
		*v = -1;
		*end = p + 2;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((x = x * 10 + (uint64_t)(*p - '0')) > INT32_MAX)
			return -1;
	*v = (int)x;
	*end = p;
	return 0;
}

int fl_tlb_decode(struct fl_tlb *t, const char *s)
{
	int v[7];
	unsigned src;
	fl_tlb_clear(t);
	if (!s || s[0] < '0' || s[0] > '9' || (src = (unsigned)(s[0] - '0')) >= NSOURCES ||
	    s[1] != ':')
		return -1;
	s += 2;
	for (int i = 0; i < 7; i++) {
		if ((i && *s++ != ',') || parse_entries(s, &s, &v[i]) != 0)
			return -1;
	}
	if (*s)
		return -1;
	t->l1d_4k = v[0];
	t->l1d_2m = v[1];
	t->l1d_1g = v[2];
	t->l2_4k = v[3];
	t->l2_2m = v[4];
	t->l2_1g = v[5];
	t->l2i_4k = v[6];
	t->source = sources[src];
	return 0;
}

static void put_n(struct fl_out *o, const char *key, int v)
{
	if (v < 0)
		fl_out_null(o, key);
	else
		fl_out_u64(o, key, (uint64_t)v);
}

void fl_tlb_put(struct fl_out *o, const char *key, const struct fl_tlb *t)
{
	if (!t->source) {
		fl_out_null(o, key);
		return;
	}
	fl_out_key(o, key);
	fl_out_obj_open(o);
	put_n(o, "l1d_4k", t->l1d_4k);
	put_n(o, "l1d_2m", t->l1d_2m);
	put_n(o, "l1d_1g", t->l1d_1g);
	put_n(o, "l2_4k", t->l2_4k);
	put_n(o, "l2_2m", t->l2_2m);
	put_n(o, "l2_1g", t->l2_1g);
	put_n(o, "l2i_4k", t->l2i_4k);
	fl_out_str(o, FL_K_SOURCE, t->source);
	fl_out_obj_close(o);
}
