#!/bin/sh
# The writer's watchdog: a thread stalls in the program's SIGSEGV handler
# while the shim holds the trace writer's lock on its behalf (the exec hook
# reading an argv string in a page the program left unreadable,
# p_proc_writer_stall). The other threads must not wait for it: past the
# watchdog's limit (FAULTLINE_TEST_STALL_MS, for tests only; 10 s by
# default) tracing turns off for the process, the program runs on and the
# trace says why it ends.
. "$(dirname "$0")/lib.sh"

export FAULTLINE_COMPACT=0
"$PROGS/p_proc_writer_stall" >"$TMP/native.out" || exit 1

test_expect_success 'the worker runs on while the holder stalls, and the output is the native one' '
	FAULTLINE_TEST_STALL_MS=300 timeout 60 "$FL" record -q --all -o "$TMP/t" -- \
		"$PROGS/p_proc_writer_stall" >"$TMP/traced.out" 2>"$TMP/traced.err" &&
	diff -u "$TMP/native.out" "$TMP/traced.out"
'

# The program's trace (the other is its child's, forked by the worker).
main_trace() {
	grep -l "\"kind\":\"none\"" "$TMP"/t/*.ndjson
}

test_expect_success 'the trace says tracing turned off because the writer stalled' '
	grep "\"e\":\"note\".*\"what\":\"stopped\"" "$(main_trace)" >"$TMP/notes" &&
	grep -q "writer stalled" "$TMP/notes"
'

test_expect_success 'the child forked during the stall has a trace of its own' '
	test "$(ls "$TMP"/t/*.ndjson | wc -l)" -eq 2 &&
	for f in "$TMP"/t/*.ndjson; do
		head -n 1 "$f" | grep -q "\"e\":\"header\"" || exit 1
	done
'

test_expect_success 'nothing of the heap is recorded after the note, and the trace stays small' '
	sed -n "/writer stalled/,\$p" "$(main_trace)" >"$TMP/after" &&
	! grep -E "\"e\":\"(alloc|free|hc|stack)\"" "$TMP/after" &&
	test "$(cat "$TMP"/t/*.ndjson | wc -c)" -lt 1000000
'

test_expect_success 'report reads the stopped trace' '
	"$FL_SAN" report "$TMP/t" >"$TMP/report.out"
'
test_done
