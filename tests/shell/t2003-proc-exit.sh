#!/bin/sh
# Every way out is recorded (status or signal) and the program dies exactly
# as it would natively: same status, same signal, same core dump.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

# way WAY EXPECTED-STATUS HOW STATUS SIGNAL: one run of p_proc_exit, native
# then traced; compares the shell's status and checks the exit line.
way() {
	"$PROGS/p_proc_exit" "$1" 9 >/dev/null 2>&1; n=$?
	rm -rf "$TMP/w" && mkdir "$TMP/w"
	preload "$TMP/w" "$PROGS/p_proc_exit" "$1" 9 >/dev/null 2>&1; t=$?
	test $n -eq "$2" && test $t -eq "$2" || { echo "$1: native $n traced $t, want $2"; return 1; }
	jq -s -e --arg how "$3" --argjson st "$4" --argjson sig "$5" \
		'.[-1] | .e == "exit" and .how == $how and .status == $st and .signal == $sig' \
		"$TMP"/w/*.ndjson >/dev/null || { echo "$1: bad exit line:"; tail -n 1 "$TMP"/w/*.ndjson; return 1; }
}

test_expect_success 'return from main' 'way return 9 exit 9 0'
test_expect_success 'exit()' 'way exit 9 exit 9 0'
test_expect_success '_exit()' 'way _exit 9 _exit 9 0'
test_expect_success '_Exit()' 'way _Exit 9 _exit 9 0'
test_expect_success 'exit_group through syscall()' 'way exit_group 9 exit_group 9 0'
test_expect_success 'abort()' 'way abort 134 signal -1 6'
test_expect_success 'SIGSEGV' 'way segv 139 signal -1 11'
test_expect_success 'SIGBUS' 'way bus 135 signal -1 7'
test_expect_success 'SIGFPE' 'way fpe 136 signal -1 8'
test_expect_success 'SIGILL' 'way ill 132 signal -1 4'
test_expect_success 'SIGTERM' 'way term 143 signal -1 15'
test_expect_success 'the program own SIGSEGV handler runs, not ours' 'way handled 3 _exit 3 0'

test_expect_success 'SIGKILL: the trace reads, the parent saw the signal' '
	run_traced "$TMP/ch" "$PROGS/p_proc_exit" children >"$TMP/out" &&
	"$PROGS/p_proc_exit" children >"$TMP/native" &&
	diff -u "$TMP/native" "$TMP/out" &&
	proc_all_json "$TMP/ch" &&
	proc_bad_links "$TMP/ch" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	proc_events "$TMP/ch" | jq -s -e "
		(map(select(.e==\"header\")) | map({key: (.pid|tostring), value: .}) | from_entries) as \$h
		| map(select(.e==\"wait\" and .signal==9)) | length == 1 and (\$h[.[0].child|tostring] != null)" >/dev/null
'

test_expect_success 'children killed by SIGSEGV and SIGABRT: exit line and wait line agree' '
	proc_events "$TMP/ch" | jq -s -e "
		(map(select(.e==\"exit\")) | map({key: (.fpid|tostring), value: .signal}) | from_entries) as \$x
		| [.[] | select(.e==\"wait\" and (.signal==11 or .signal==6)) | \$x[.child|tostring] == .signal]
		| length == 2 and all" >/dev/null
'

test_expect_success 'a crash dumps core exactly as it does natively' '
	mkdir "$TMP/core_n" "$TMP/core_t" &&
	(cd "$TMP/core_n" && ulimit -c unlimited 2>/dev/null && "$PROGS/p_proc_exit" segv; echo $? >rc) 2>/dev/null &&
	(cd "$TMP/core_t" && ulimit -c unlimited 2>/dev/null && preload "$TMP/core_t/tr" "$PROGS/p_proc_exit" segv; echo $? >rc) 2>/dev/null &&
	test "$(cat "$TMP/core_n/rc")" = "$(cat "$TMP/core_t/rc")" &&
	n=$(ls "$TMP/core_n" | grep -c "^core") ; t=$(ls "$TMP/core_t" | grep -c "^core") ;
	test "$n" = "$t" &&
	if [ "$n" -eq 0 ]; then say "# note: no core dumps here (core_pattern or limits)"; fi
'

test_expect_success 'signal dispositions the program sees are the native ones' '
	"$PROGS/p_proc_sigquery" >"$TMP/native" &&
	preload "$TMP/sq" "$PROGS/p_proc_sigquery" >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced"
'
test_done
