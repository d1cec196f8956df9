/*
 * Number formatting and parsing without stdio or locale: async-signal-safe,
 * usable in a fork child, before exec and while the shim is booting.
 */
#ifndef FL_FMT_H
#define FL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Write v in decimal (or "0x..." in hex) at dst, unterminated; return the
 * number of chars written (at most 20, or 18 for hex). */
size_t fl_fmt_u64(char *dst, uint64_t v);
size_t fl_fmt_hex(char *dst, uint64_t v);
/* The number of decimal digits of v (1 for 0): what fl_fmt_u64 writes. */
size_t fl_fmt_u64_len(uint64_t v);
/* Parses a decimal or 0x number; returns 0 on success. */
int fl_parse_u64(const char *s, uint64_t *v);
/* The value of "Key" in a /proc text such as status or meminfo, kB as bytes;
 * -1 when the key or its number is missing. */
int64_t fl_parse_field_kb(const char *text, const char *key);

#endif
