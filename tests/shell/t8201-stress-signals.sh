#!/bin/sh
# Signal handlers that allocate, interrupting a thread that is inside hooked
# calls: no crash, no hang, the handlers' calls are counted.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

stress_native sig "$PROGS/p_stress_signals" 5000
stress_traced sig -- "$PROGS/p_stress_signals" 5000
stress_traced sigall --all -- "$PROGS/p_stress_signals" 5000

test_expect_success 'same output and status traced' 'same_behaviour sig 0'
test_expect_success 'same output and status traced with --all' '
	cp "$TMP/sig.native.out" "$TMP/sigall.native.out" &&
	cp "$TMP/sig.native.status" "$TMP/sigall.native.status" &&
	same_behaviour sigall 0
'
test_expect_success 'the traces are clean' 'trace_is_clean sig && trace_is_clean sigall'

# The handler makes 1 malloc, 1 calloc and 1 realloc per signal.
test_expect_success 'the handlers allocations are counted' '
	r=$(root_trace sig) && n=$(prog_count sig signals) &&
	at_least "$(final_heap "$r" .calls.calloc)" "$n" &&
	at_least "$(final_heap "$r" .calls.realloc)" "$n" &&
	at_least "$(final_heap "$r" .calls.malloc)" "$n"
'
test_expect_success 'what the handlers freed is not live at exit' '
	r=$(root_trace sig) && at_least 65536 "$(final_heap "$r" .live)"
'
test_done
