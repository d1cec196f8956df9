#!/bin/sh
# Swap-in: on a private zram swap device, a program pushes its pages out
# (MADV_PAGEOUT) and reads them back; the faults report puts those major
# anonymous faults in the swap_in class.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

zram_swap 128M

run_traced "$TMP/s" "$SAMPLES/swap_in" 32 >"$TMP/s.out" || exit 1
need_probe "$TMP/s" perf_fault_samples
swapped=$(truth "$TMP/s.out" swapped)
[ "${swapped:-0}" -ge 4096 ] || skip_all "MADV_PAGEOUT swapped only ${swapped:-0} pages here"
report_json "$TMP/s" faults >"$TMP/s.json" || exit 1

test_expect_success 'every page swapped out and read back is one swap_in fault (+- 5%)' '
	within "$(jq ".processes[0].by_class.swap_in.faults" "$TMP/s.json")" "$swapped" 5
'

test_expect_success 'swap-ins are >= 95% of the major faults' '
	s=$(jq ".processes[0].by_class.swap_in.faults" "$TMP/s.json") &&
	d=$(jq ".processes[0].by_class.disk.faults" "$TMP/s.json") &&
	at_least "$s" "$((s + d))" 95
'

test_expect_success 'the swap finding explains swap entries' '
	jq -e "[.findings[] | select(.id == \"faults.swap_in\" and (.explain | test(\"swap entry\")))] |
		length == 1" "$TMP/s.json" >/dev/null
'
test_done
