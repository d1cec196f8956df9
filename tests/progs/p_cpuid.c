/*
 * Prints the raw CPUID registers that describe the data TLB, one leaf per
 * line ("leaf sub eax ebx ecx edx", hex), for tests to check the shim's
 * decoded geometry against what this CPU (or its hypervisor) reports.
 */
#include <cpuid.h>
#include <stdio.h>

static void show(unsigned leaf, unsigned sub)
{
	unsigned a, b, c, d;
	__cpuid_count(leaf, sub, a, b, c, d);
	printf("%x %x %08x %08x %08x %08x\n", leaf, sub, a, b, c, d);
}

int main(void)
{
	unsigned a, b, c, d, max, xmax;
	__cpuid(0, max, b, c, d);
	__cpuid(0x80000000u, xmax, b, c, d);
	show(0, 0);
	show(0x80000000u, 0);
	if (max >= 2)
		show(2, 0);
	if (max >= 0x18) {
		__cpuid_count(0x18, 0, a, b, c, d);
		for (unsigned s = 0; s <= a && s < 64; s++)
			show(0x18, s);
	}
	if (xmax >= 0x80000005u)
		show(0x80000005u, 0);
	if (xmax >= 0x80000006u)
		show(0x80000006u, 0);
	return 0;
}
