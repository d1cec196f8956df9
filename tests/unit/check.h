/*
 * A minimal unit-test harness: CHECK(expr) prints "file:line: check failed:
 * expr" and counts the failure; main returns check_result().
 */
#ifndef FL_CHECK_H
#define FL_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                                   \
	do {                                                                          \
		check_count++;                                                        \
		if (!(expr)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr); \
			check_failures++;                                             \
		}                                                                     \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                              \
	do {                                                                            \
		unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
		check_count++;                                                          \
		if (va_ != vb_) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s == %s (%llu != %llu)\n", \
				__FILE__, __LINE__, #a, #b, va_, vb_);                  \
			check_failures++;                                               \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *sa_ = (a), *sb_ = (b);                                      \
		check_count++;                                                          \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                            \
			fprintf(stderr, "%s:%d: check failed: %s == %s ('%s' != '%s')\n", \
				__FILE__, __LINE__, #a, #b, sa_ ? sa_ : "(null)",      \
				sb_ ? sb_ : "(null)");                                  \
			check_failures++;                                               \
		}                                                                       \
	} while (0)

static inline int check_result(void)
{
	fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
