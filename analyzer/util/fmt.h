/*
 * Units for humans. Every size, duration and count that faultline prints
 * goes through these, so one figure reads the same in every output.
 */
#ifndef FL_FMT_H
#define FL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "12.3 MiB", "512 B" (binary units; three significant digits from 1 KiB on:
 * "1.50 KiB", "12.3 MiB", "123 GiB"). Returns buf. */
const char *fl_fmt_bytes(char *buf, size_t len, double bytes);
/* "1.23 s", "12.0 ms", "850 us". Returns buf. */
const char *fl_fmt_ns(char *buf, size_t len, double ns);
/* "1,234,567". Returns buf. */
const char *fl_fmt_count(char *buf, size_t len, uint64_t n);
/* "0x7f00..." (lowercase hex). Returns buf. */
const char *fl_fmt_addr(char *buf, size_t len, uint64_t a);

#endif
