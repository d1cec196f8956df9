#!/bin/sh
# Peak RSS of a short python program that mallocs 1 GiB and touches it,
# against its own VmHWM (/proc/self/status, read last). Tolerance 5 %.
. "$(dirname "$0")/lib.sh"
status_peaks_run "$TMP/t" || exit 1
real_compare "summary.peak_rss vs VmHWM (bytes)" "$(real_get "$TMP/t" .sections.summary.peak_rss)" \
	"$(awk '$1 == "VmHWM" { print $2 }' "$TMP/t.out")" 5%
test_done
