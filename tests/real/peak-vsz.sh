#!/bin/sh
# Peak virtual size of a short python program that mallocs 1 GiB and touches
# it. The traced program's own VmPeak (/proc/self/status, read last) counts
# the shim's mappings too: it is the oracle of peak_vsz_with_shim. peak_vsz
# leaves the shim's mappings out: its oracle is the VmPeak of the same
# program run natively. Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
status_peaks_run "$TMP/t" || exit 1
status_peaks_native "$TMP/native.out" || exit 1
real_compare "summary.peak_vsz_with_shim vs VmPeak (bytes)" \
	"$(real_get "$TMP/t" .sections.summary.peak_vsz_with_shim)" \
	"$(awk '$1 == "VmPeak" { print $2 }' "$TMP/t.out")" 5%
real_compare "summary.peak_vsz vs native VmPeak (bytes)" \
	"$(real_get "$TMP/t" .sections.summary.peak_vsz)" \
	"$(awk '$1 == "VmPeak" { print $2 }' "$TMP/native.out")" 5%
test_done
