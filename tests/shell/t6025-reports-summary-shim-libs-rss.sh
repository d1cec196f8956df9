#!/bin/sh
# The summary's "of which faultline" share of the peak RSS counts the
# resident pages of the libraries only the shim loaded (libunwind, libzstd,
# liblzma, libm here), as VmHWM does, beside the shim's buffers and its own
# image: it once counted only the latter, so sqlite3's 8.0 MiB peak was
# "of which faultline 928 KiB" where its libraries held ~600 KiB more.
# Oracle: the program's own /proc/self/smaps Rss of those libraries just
# before it exits (the shim's exit path may fault in a few more pages, so
# the share is at least that, less 10 %).
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

"$FL" record -q -o "$TMP/t" -- "$PROGS/p_smaps_rss" libunwind liblzma libzstd libm.so >"$TMP/out" || exit 1
"$FL" report --json "$TMP/t" >"$TMP/r.json" || exit 1
libs_rss=$(truth "$TMP/out" rss)

test_expect_success 'the shim loaded libraries the program did not' '
	jq -e ".sections.faults.processes[0].faultline.libraries | map(select(test(\"libunwind|libzstd\"))) | length >= 2" \
		"$TMP/r.json" >/dev/null && test "$libs_rss" -gt 0
'

test_expect_success 'their resident pages are in the share' '
	jq -e --argjson libs "$libs_rss" ".sections.summary.peak_rss_faultline -
		.sections.faults.processes[0].faultline.resident_peak_bytes >= \$libs * 0.9" "$TMP/r.json" >/dev/null
'

test_expect_success 'and the share is less than the peak' '
	jq -e ".sections.summary.peak_rss_faultline < .sections.summary.peak_rss" "$TMP/r.json" >/dev/null
'
test_done
