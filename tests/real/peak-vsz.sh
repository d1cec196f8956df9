#!/bin/sh
# Peak virtual size of a short python program that mallocs 1 GiB and touches
# it. The traced program's own VmPeak (/proc/self/status, read last) counts
# the shim's mappings too: it is the oracle of peak_vsz_with_shim. peak_vsz
# leaves the shim's mappings out: its oracle is the VmPeak of the same
# program run natively. Tolerance 5 % for the first; 0.1 % (1 MiB) for the
# program's own, which is exact here (1,087,848,448 both ways): the shim's
# libraries, their .bss and its perf buffers, counted as the program's
# until ffea7df, were 3.0 MB over.
. "$(dirname "$0")/lib.sh"
status_peaks_run "$TMP/t" || exit 1
status_peaks_native "$TMP/native.out" || exit 1
real_compare "summary.peak_vsz_with_shim vs VmPeak (bytes)" \
	"$(real_get "$TMP/t" .sections.summary.peak_vsz_with_shim)" \
	"$(awk '$1 == "VmPeak" { print $2 }' "$TMP/t.out")" 5%
real_compare "summary.peak_vsz vs native VmPeak (bytes)" \
	"$(real_get "$TMP/t" .sections.summary.peak_vsz)" \
	"$(awk '$1 == "VmPeak" { print $2 }' "$TMP/native.out")" 0.1%
test_done
