#!/bin/sh
# Allocation after main returns (atexit, ELF and thread-specific-data
# destructors) is traced and counted, and the leak it makes is seen.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

stress_native dt "$PROGS/p_stress_dtor"
stress_traced dt -- "$PROGS/p_stress_dtor"

test_expect_success 'same output and status traced' 'same_behaviour dt 0'
test_expect_success 'the trace is clean and ends with an exit line' '
	trace_is_clean dt && r=$(root_trace dt) &&
	tail -n 1 "$r" | jq -e ".e == \"exit\" and .how == \"exit\" and .status == 0" >/dev/null
'
test_expect_success 'the destructors allocations are counted' '
	r=$(root_trace dt) &&
	n=$(( $(prog_count dt main_malloc) + $(prog_count dt atexit_malloc) + $(prog_count dt destructor_malloc) )) &&
	at_least "$(final_heap "$r" .calls.malloc)" "$n"
'
test_expect_success 'the bytes the destructor leaked are live at exit' '
	r=$(root_trace dt) && live=$(final_heap "$r" .live) &&
	leak=$(prog_count dt destructor_leaked) &&
	at_least "$live" "$leak" && at_least $((leak + 65536)) "$live"
'
test_done
