#!/bin/sh
# Allocations that fail (malloc(SIZE_MAX), and a malloc, calloc, realloc and
# posix_memalign of 64 TiB) are calls, counted, but they got nothing: their
# sizes stay out of the bytes asked for, and the trace still reads.
. "$(dirname "$0")/lib.sh"

test_expect_success 'failed allocations are counted and their sizes left out of the bytes' '
	"$FL" record -q -o "$TMP/f" -- "$PROGS/p_heap_failed" 100000 >"$TMP/f.out" &&
	cat "$TMP/f.out" && grep -q "^failed=5 " "$TMP/f.out" &&
	"$FL" report --json "$TMP/f" | jq .sections.summary.heap >"$TMP/heap" &&
	jq -c . "$TMP/heap" &&
	jq -e ".calls.calloc == 1 and .calls.realloc == 1 and .calls.posix_memalign == 1 and
		.calls.malloc >= 4" "$TMP/heap" >/dev/null &&
	jq -e ".bytes.calloc == 0 and .bytes.realloc == 0 and .bytes.posix_memalign == 0" \
		"$TMP/heap" >/dev/null &&
	# the blocks it got (100,016 bytes) and stdio buffers, nothing near 64 TiB
	jq -e ".bytes.malloc >= 100016 and .bytes.malloc < 100016 + 65536" "$TMP/heap" >/dev/null
'

test_done
