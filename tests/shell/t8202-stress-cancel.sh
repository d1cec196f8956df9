#!/bin/sh
# Threads cancelled while they allocate: no hang afterwards (a lock or guard
# left behind would hang the next allocation), every call counted.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

stress_native can "$PROGS/p_stress_cancel" 15 8
stress_traced can -- "$PROGS/p_stress_cancel" 15 8
stress_traced canall --all -- "$PROGS/p_stress_cancel" 4 8
stress_traced can0 -- "$PROGS/p_stress_cancel" 1 1

test_expect_success 'all threads cancelled, status 0, traced too' '
	grep -x "rounds 15 cancelled 120" "$TMP/can.native.out" &&
	test "$(cat "$TMP/can.traced.status")" -eq 0 &&
	grep -x "rounds 15 cancelled 120" "$TMP/can.traced.out" &&
	test "$(cat "$TMP/canall.traced.status")" -eq 0 &&
	grep -x "rounds 4 cancelled 32" "$TMP/canall.traced.out"
'
test_expect_success 'the traces are clean' 'trace_is_clean can && trace_is_clean canall'

# The counts vary from run to run: compare with what this run printed.
test_expect_success 'every malloc and free of the program is counted' '
	r=$(root_trace can) &&
	at_least "$(final_heap "$r" .calls.malloc)" "$(awk "\$1 == \"malloc\" { print \$2 }" "$TMP/can.traced.out")" &&
	at_least "$(final_heap "$r" .calls.free)" "$(awk "\$1 == \"free\" { print \$2 }" "$TMP/can.traced.out")"
'
# A thread cancelled inside the shim (libunwind's address checks write() to
# a pipe, a cancellation point) used to die with its block counted but never
# handed to the program: live bytes at exit grew by that block. The program
# frees every block it got, so live at exit equals that of a one-thread, one-round run (what libc
# keeps: stdio buffers, libgcc_s loaded for the first cancellation).
test_expect_success 'live bytes at exit are what libc itself keeps' '
	test "$(final_heap "$(root_trace can)" .live)" -eq "$(final_heap "$(root_trace can0)" .live)" &&
	test "$(final_heap "$(root_trace canall)" .live)" -eq "$(final_heap "$(root_trace can0)" .live)"
'
test_done
