#!/bin/sh
# 16 threads allocate and free random sizes while another thread forks and
# execs: no crash, no hang, every call counted, the heap balanced at exit.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

stress_native st "$PROGS/p_stress_threads" 16 30000 24
stress_traced st -- "$PROGS/p_stress_threads" 16 30000 24

test_expect_success 'same output and status traced' 'same_behaviour st 0'
test_expect_success 'the trace is clean' 'trace_is_clean st'

test_expect_success 'every allocator call of the program is counted' '
	r=$(root_trace st) &&
	for fn in malloc calloc realloc posix_memalign free; do
		at_least "$(final_heap "$r" ".calls.$fn")" "$(prog_count st $fn)" || exit 1
	done
'

test_expect_success 'requested bytes are all counted' '
	r=$(root_trace st) &&
	at_least "$(final_heap "$r" "[.bytes[]] | add")" "$(prog_count st bytes)"
'

test_expect_success 'live bytes at exit reflect that everything was freed' '
	r=$(root_trace st) && live=$(final_heap "$r" .live) &&
	at_least 65536 "$live"
'

# 24 forks: 8 exec /bin/true, 8 exec the program itself, 8 only allocate.
test_expect_success 'every forked child and every exec has a linked trace file' '
	for f in "$TMP"/st.trace/*.ndjson; do head -n 1 "$f" | jq -r .parent.kind; done |
		sort | uniq -c >"$TMP/kinds" &&
	grep -q -x " *24 fork" "$TMP/kinds" && grep -q -x " *16 exec" "$TMP/kinds" &&
	test "$(grep -h "\"e\":\"fork\"" "$TMP"/st.trace/*.ndjson | wc -l)" -eq 24
'
test_done
