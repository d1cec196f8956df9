#!/bin/sh
# The page-frame snapshot of a fork is taken in the prepare handler: a
# parent thread that keeps writing while another thread forks copies pages
# before the parent's first snapshot after the fork, and those copies are
# counted by frame too. Five runs, each within 2 % (or 16 pages) of the
# thread's own count of its copy faults; before, a run missed up to half.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

for i in 1 2 3 4 5; do
	run_traced "$TMP/t$i" "$PROGS/p_probe_fork_busy" >"$TMP/t$i.out" || exit 1
done
need_probe "$TMP/t1" pagemap_pfn

test_expect_success 'copied_by_parent, by frame, matches the copy faults in every run' '
	for i in 1 2 3 4 5; do
		want=$(truth "$TMP/t$i.out" copied_by_parent) &&
		report_json "$TMP/t$i" cow >"$TMP/t$i.json" &&
		got=$(jq ".forks[0].copied_by_parent" "$TMP/t$i.json") &&
		echo "run $i: faultline $got ($(jq -c ".forks[0].copied_method" "$TMP/t$i.json")), thread faults $want" &&
		jq -e ".forks[0].copied_method == \"pfn\"" "$TMP/t$i.json" >/dev/null &&
		{ within "$got" "$want" 2 || test $((got - want)) -le 16 -a $((want - got)) -le 16; } || exit 1
	done
'

test_done
