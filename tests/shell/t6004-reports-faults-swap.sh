#!/bin/sh
# Swap-in: on a private zram swap device, a program pushes its pages out
# (MADV_PAGEOUT) and reads them back; the faults report puts those major
# anonymous faults in the swap_in class.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

is_root || skip_all "swap set-up needs root"
PATH=$PATH:/sbin:/usr/sbin
[ -e /sys/class/zram-control/hot_add ] || modprobe zram 2>/dev/null
[ -e /sys/class/zram-control/hot_add ] || skip_all "no zram (module not available)"
command -v mkswap >/dev/null && command -v swapon >/dev/null || skip_all "no mkswap/swapon"
dev=$(cat /sys/class/zram-control/hot_add 2>/dev/null) || skip_all "cannot add a zram device"
teardown() {
	swapoff "/dev/zram$dev" 2>/dev/null
	echo "$dev" >/sys/class/zram-control/hot_remove 2>/dev/null
	rm -rf "$TMP"
}
trap teardown EXIT
{ echo 128M >"/sys/block/zram$dev/disksize" && mkswap "/dev/zram$dev" >/dev/null &&
	swapon -p 32767 "/dev/zram$dev"; } 2>/dev/null || skip_all "cannot set up zram swap (container?)"

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
