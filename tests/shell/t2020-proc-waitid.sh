#!/bin/sh
# A child reaped with waitid has its whole-life getrusage figures, as one
# reaped with the wait4 family has: glibc's waitid asks the kernel for no
# rusage, so the shim reaps with the system call itself (blocking calls
# wait in glibc's with WNOWAIT first: a cancellation point). Oracle: the
# parent's own getrusage(RUSAGE_CHILDREN) after the wait, its only child
# being the one reaped. The child faults on 2000 fresh pages after its
# exit line (p_proc_late_faults): the exit line alone is short by them.
. "$(dirname "$0")/lib.sh"

PAGES=2000
for mode in pid all nohang peek; do
	test_expect_success "waitid ($mode): what the program sees is unchanged" '
		"$PROGS/p_waitid" $mode "$PROGS/p_proc_late_faults" $PAGES | tail -1 |
			sed "s/ c_minflt=.*//" >"$TMP/$mode.native" &&
		"$FL" record -q -o "$TMP/$mode" -- "$PROGS/p_waitid" $mode \
			"$PROGS/p_proc_late_faults" $PAGES >"$TMP/$mode.out" &&
		tail -1 "$TMP/$mode.out" | sed "s/ c_minflt=.*//" | cmp - "$TMP/$mode.native" &&
		grep -q "code=1 status=0 same_pid=1" "$TMP/$mode.native"
	'
	test_expect_success "waitid ($mode): the child's minor faults equal the parent's getrusage of it" '
		"$FL_SAN" report --json "$TMP/$mode" >"$TMP/$mode.json" &&
		want=$(tail -1 "$TMP/$mode.out" | sed "s/.*c_minflt=//") &&
		got=$(pid_sum "$TMP/$mode.json" p_proc_late_faults ru_minflt) &&
		src=$(jq -r ".sections.summary.per_process[] | select(.exe | endswith(\"p_proc_late_faults\")) | .ru_source" "$TMP/$mode.json") &&
		echo "parent getrusage(RUSAGE_CHILDREN) $want, faultline $got ($src)" &&
		test "$got" = "$want" && test "$src" = wait4
	'
done

# A thread blocked in waitid is cancelled as natively (a cancellation point);
# the raw system call alone would have held it until the child's end (5 s),
# and it would have said cancelled=0.
test_expect_success 'waitid: a blocked thread is cancelled as natively' '
	"$PROGS/p_waitid" cancel /bin/sleep 5 | sed "s/ c_minflt=.*//" >"$TMP/cancel.native" &&
	"$FL" record -q -o "$TMP/cancel" -- "$PROGS/p_waitid" cancel /bin/sleep 5 |
		sed "s/ c_minflt=.*//" | cmp - "$TMP/cancel.native" &&
	grep -q "^cancelled=1 code=2 status=9 same_pid=1" "$TMP/cancel.native"
'
test_done
