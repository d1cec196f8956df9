#include "probes/cpus.h"

#include <unistd.h>

#include "base/sys.h"

/* Digits at *pp as a CPU number (advancing *pp): 0, or -1 for none or
 * one too large to be a CPU. */
static int number(const char **pp, int *v)
{
	const char *p = *pp;
	long n = 0;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (*p++ - '0');
		if (n > 1 << 22) /* the kernel's NR_CPUS is at most 2^13 */
			return -1;
	}
	*v = (int)n;
	*pp = p;
	return 0;
}

int fl_cpus_parse(const char *text, int *ids, int max)
{
	const char *p = text;
	int count = 0, last = -1;
	for (;;) {
		int lo, hi;
		if (number(&p, &lo) != 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (number(&p, &hi) != 0 || hi < lo)
				return -1;
		}
		if (lo <= last)
			return -1; /* the kernel lists them in order, once */
		for (int c = lo; c <= hi; c++, count++)
			if (count < max)
				ids[count] = c;
		last = hi;
		if (*p != ',')
			break;
		p++;
	}
	while (*p == '\n' || *p == ' ')
		p++;
	return *p ? -1 : count;
}

/* Room for the longest list the kernel writes (every other one of 8192
 * CPUs: ~20 KB), off the stack; the callers (start, a fork child) run one
 * at a time. A list that fills it is not trusted: cut at a comma it would
 * still parse, short of CPUs. */
static char online_text[64 * 1024];

int fl_cpus_online(int *ids, int max)
{
	ssize_t n =
	    fl_sys_read_file("/sys/devices/system/cpu/online", online_text, sizeof(online_text));
	long online;
	int count = -1;
	if (n > 0 && (size_t)n < sizeof(online_text) - 1)
		count = fl_cpus_parse(online_text, ids, max);
	if (count > 0)
		return count;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	if (online < 1)
		online = 1;
	for (long c = 0; c < online && c < max; c++)
		ids[c] = (int)c;
	return (int)online;
}
