/*
 * C++ names without a C++ compiler: two functions whose symbols carry
 * Itanium-mangled names (asm labels), one leaking LEAKS blocks of 48 bytes,
 * one inside a template class leaking LEAKS blocks of 96 bytes. The report
 * must show them demangled, as c++filt does.
 */
#include <stdio.h>
#include <stdlib.h>

#define LEAKS 100

static void *volatile sink;

/* fl::detail::leak_here(char const*, int) */
__attribute__((noinline, used)) void cxx_leak(const char *tag, int i) __asm__("_ZN2fl6detail9leak_hereEPKci");
void cxx_leak(const char *tag, int i)
{
	char *p = malloc(48);
	if (!p)
		abort();
	p[0] = (char)(tag[0] + i);
	sink = p;
}

/* fl::cache<std::vector<int, std::allocator<int> > >::grow(unsigned long) */
__attribute__((noinline, used)) void cxx_grow(unsigned long n) __asm__("_ZN2fl5cacheISt6vectorIiSaIiEEE4growEm");
void cxx_grow(unsigned long n)
{
	char *p = malloc(96);
	if (!p)
		abort();
	p[0] = (char)n;
	sink = p;
}

int main(void)
{
	for (int i = 0; i < LEAKS; i++) {
		cxx_leak("x", i);
		cxx_grow((unsigned long)i);
	}
	printf("leaked %d x 48 and %d x 96\n", LEAKS, LEAKS);
	return 0;
}
