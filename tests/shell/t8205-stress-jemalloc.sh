#!/bin/sh
# A program that brings its own allocator: Debian's jemalloc preloaded next
# to faultline, in either order. No crash, same output; with faultline first
# every call still goes through its hooks and is counted.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/lib.sh"
. "$top/tests/corpus/stress.sh"

JE=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
corpus_apt libjemalloc2 "$JE"

stress_native je "$PROGS/p_stress_threads" 16 20000 12
LD_PRELOAD=$JE stress_traced je -- "$PROGS/p_stress_threads" 16 20000 12

test_expect_success 'jemalloc really serves the traced program' '
	r=$(root_trace je) &&
	grep "\"e\":\"maps\"" "$r" | jq -r ".vmas[][5]" | grep -q "/libjemalloc\.so"
'
test_expect_success 'faultline then jemalloc: same output and status' 'same_behaviour je 0'
test_expect_success 'faultline then jemalloc: the trace is clean' 'trace_is_clean je'
test_expect_success 'faultline then jemalloc: every call is counted' '
	r=$(root_trace je) &&
	for fn in malloc calloc realloc posix_memalign free; do
		at_least "$(final_heap "$r" ".calls.$fn")" "$(prog_count je $fn)" || exit 1
	done &&
	# live at the end: what the program did not free, and what was
	# allocated before it started and stays: jemalloc brings libstdc++,
	# whose constructor allocates its emergency exception pool (72,704
	# bytes with GCC 12, an 80 KiB block of jemalloc) before the shim
	# starts, counted since the shim counts the calls made before then
	at_least $((65536 + 131072)) "$(final_heap "$r" .live)"
'

# jemalloc first: its malloc wins, faultline sees only what reaches libc.
test_expect_success 'jemalloc then faultline: same output and status' '
	mkdir "$TMP/je2" &&
	LD_PRELOAD=$JE:$LIB FAULTLINE_OUT=$TMP/je2 timeout "$STRESS_TIMEOUT" \
		"$PROGS/p_stress_threads" 16 20000 12 >"$TMP/je2.out" &&
	diff -u "$TMP/je.native.out" "$TMP/je2.out" &&
	for f in "$TMP"/je2/*.ndjson; do jq -e "has(\"e\")" "$f" >/dev/null || exit 1; done
'
test_done
