#!/bin/sh
# faultline's own private pages in a forked child are kept apart from the
# program's: a child that writes 300 shared pages and 50 new ones reads
# its own Private_Dirty from smaps (under the shim, so faultline's pages are
# in it); cow child_private_end (the program's, without the shim's .bss)
# plus child_shim_private_end (faultline's) agree with it within 3 %.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

run_traced "$TMP/t" "$PROGS/p_probe_fork_private" >"$TMP/out" || exit 1
need_probe "$TMP/t" pagemap
report_json "$TMP/t" cow >"$TMP/cow.json" || exit 1

test_expect_success 'the child reported its Private_Dirty' '
	test "$(truth "$TMP/out" private_dirty_kb)" -gt 1400
'

test_expect_success 'program and faultline together match the kernel Private_Dirty within 3%' '
	pd=$(( $(truth "$TMP/out" private_dirty_kb) / 4 )) &&
	got=$(jq "[.forks[] | select(.child_traced)][0] |
		.child_private_end + .child_shim_private_end" "$TMP/cow.json") &&
	echo "faultline $got pages, smaps $pd pages" &&
	within "$got" "$pd" 3
'

test_expect_success 'faultline has private pages of its own in the child, kept apart' '
	jq -e "[.forks[] | select(.child_traced)][0] | .child_shim_private_end > 0" \
		"$TMP/cow.json" >/dev/null
'

test_done
