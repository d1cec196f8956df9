#!/bin/sh
# Sizes above INT64_MAX (a failed malloc(SIZE_MAX), an overflowing calloc)
# are written in a form the reader accepts: clamped to INT64_MAX
# (doc/trace-schema.md, "Integers"). A larger number made the reader reject
# the line ("too big integer") and lose every heap total.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/huge.c" <<'PROG'
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
	volatile size_t big = SIZE_MAX, half = SIZE_MAX / 2 + 2;
	char *keep = malloc(100000); /* a large block: always recorded */
	if (!keep || malloc(big) || calloc(half, 4) || realloc(keep, big) ||
	    calloc(big, big))
		return 1;
	memset(keep, 1, 100000);
	free(keep);
	return 0;
}
PROG

test_expect_success 'malloc(SIZE_MAX) and an overflowing calloc: the trace reads, heap totals kept' '
	cc -O0 -o "$TMP/huge" "$TMP/huge.c" &&
	"$TMP/huge" &&
	run_traced "$TMP/t" "$TMP/huge" &&
	"$FL" report "$TMP/t" >"$TMP/report" 2>"$TMP/err" &&
	! grep -q "too big" "$TMP/err" &&
	! grep -q "Heap calls: none" "$TMP/report" &&
	grep -q "Heap calls" "$TMP/report"
'

test_done
