#!/bin/sh
# The shim prints nothing on the program's stderr: its warnings go into the
# trace as notes. Here a seccomp filter (as man-db's sandbox has) refuses
# thread creation, perf_event_open and timer_create to a program that then
# execs another: the shim in that program cannot start its tick timer and
# says so.
. "$(dirname "$0")/lib.sh"

# perf_event_open EACCES, timer_create EPERM, clone3 ENOSYS (glibc falls
# back to clone), threads through clone EPERM
SANDBOX="$PROGS/p_seccomp_exec perf_event_open=13 timer_create=1 clone3=38 threads=1 --"

# The warnings are not silenced here: that is what this test looks at.
unset FAULTLINE_QUIET

test_expect_success 'a sandboxed child (no threads, perf or timers) prints nothing extra on stderr' '
	$SANDBOX /bin/echo hello >"$TMP/n.out" 2>"$TMP/n.err" &&
	run_traced "$TMP/t" $SANDBOX /bin/echo hello >"$TMP/t.out" 2>"$TMP/t.err" &&
	diff -u "$TMP/n.out" "$TMP/t.out" &&
	diff -u "$TMP/n.err" "$TMP/t.err"
'

test_expect_success 'the warning is in the trace instead' '
	grep -h "\"e\":\"note\"" "$TMP"/t/*.ndjson | grep "\"what\":\"warning\"" >"$TMP/notes" &&
	grep -q "tick timer" "$TMP/notes"
'
test_done
