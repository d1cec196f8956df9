/* util/text's fl_fit_site: C++ and C code locations fitted into a column. */
#include <string.h>

#include "check.h"
#include "util/text.h"

static const char *fit(const char *text, int width)
{
	static char buf[256];
	return fl_fit_site(buf, sizeof(buf), text, width);
}

int main(void)
{
	const char *cxx = "fl::cache<std::vector<int, std::allocator<int> > >::grow(unsigned long) "
			  "(cache.cc:29)";
	/* Fits: unchanged. */
	CHECK_STR(fit("main (p.c:12)", 40), "main (p.c:12)");
	CHECK_STR(fit("", 10), "");
	/* Template arguments go first, the parameters and location stay. */
	CHECK_STR(fit(cxx, 60), "fl::cache<...>::grow(unsigned long) (cache.cc:29)");
	/* Then the parameter list. */
	CHECK_STR(fit(cxx, 40), "fl::cache<...>::grow(...) (cache.cc:29)");
	/* Then the front of the name, cut between the parts of a C++ name. */
	CHECK_STR(fit(cxx, 30), "...::grow(...) (cache.cc:29)");
	/* The location's parentheses are not a parameter list. */
	CHECK_STR(fit("a_rather_long_c_function_name+0x1c (libfoo.so.1)", 48),
		  "a_rather_long_c_function_name+0x1c (libfoo.so.1)");
	CHECK_STR(fit("a_rather_long_c_function_name+0x1c (libfoo.so.1)", 30),
		  "...ion_name+0x1c (libfoo.so.1)");
	CHECK(strlen(fit("a_rather_long_c_function_name+0x1c (libfoo.so.1)", 30)) == 30);
	/* Nested templates and operator<< keep their balance. */
	CHECK_STR(fit("std::map<int, std::set<long> >::find(int const&) (map.h:7)", 45),
		  "std::map<...>::find(int const&) (map.h:7)");
	/* No location at all. */
	CHECK_STR(fit("ns::f<int>(long)", 15), "ns::f<...>(...)");
	CHECK_STR(fit("ns::f<int>(long)", 14), "...f<...>(...)");
	CHECK(strlen(fit("ns::f<int>(long)", 12)) == 12);
	return check_result();
}
