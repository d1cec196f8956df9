/* Small compiler helpers shared by the shim and the analyzer. */
#ifndef FAULTLINE_COMPILER_H
#define FAULTLINE_COMPILER_H

#define FL_LIKELY(x) __builtin_expect(!!(x), 1)
#define FL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FL_UNUSED __attribute__((unused))
#define FL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FL_EXPORT __attribute__((visibility("default")))
/* On an extern declaration in the shim: the symbol is in this module, so an
 * access is one PC-relative instruction instead of a load from the GOT. */
#define FL_HIDDEN __attribute__((visibility("hidden")))
#define FL_NORETURN __attribute__((noreturn))
/* A function without a frame of its own in a file built with frame
 * pointers (GCC's per-function optimize attribute; clang has none, and
 * keeps the frame: a few instructions more, nothing else). */
#if defined(__clang__)
#define FL_NO_FRAME
#else
#define FL_NO_FRAME __attribute__((optimize("omit-frame-pointer")))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif
