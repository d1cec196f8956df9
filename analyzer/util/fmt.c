/*
 * Units for humans: bytes in binary units, durations, counts with thousands
 * separators, addresses. The one home of these formats: the text reports, the
 * HTML page and the progress line all print a size the same way.
 */
#include "util/fmt.h"

#include <stdio.h>

const char *fl_fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int u = 0;
	double a = b < 0 ? -b : b;
	while (a >= 1024 && u < 5) {
		a /= 1024;
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", b);
	else
		snprintf(buf, len,
			 a >= 100  ? "%.0f %s"
			 : a >= 10 ? "%.1f %s"
				   : "%.2f %s",
			 b, units[u]);
	return buf;
}

const char *fl_fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

const char *fl_fmt_count(char *buf, size_t len, uint64_t n)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n), o = 0;
	for (int i = 0; i < l && (size_t)o + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

const char *fl_fmt_addr(char *buf, size_t len, uint64_t a)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)a);
	return buf;
}
