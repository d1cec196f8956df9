#!/bin/sh
# Peak virtual size of a short python program that mallocs 1 GiB and touches
# it, against its own VmPeak (/proc/self/status, read last). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
status_peaks_run "$TMP/t" || exit 1
real_compare "summary.peak_vsz vs VmPeak (bytes)" "$(real_get "$TMP/t" .sections.summary.peak_vsz)" \
	"$(awk '$1 == "VmPeak" { print $2 }' "$TMP/t.out")" 5%
test_done
