#!/bin/sh
# The summary's "of which faultline" share of the peak RSS counts the
# resident pages of the libraries only the shim loaded (libunwind, libzstd,
# liblzma, libm here), as VmHWM does, beside the shim's buffers and its own
# image: it once counted only the latter, so sqlite3's 8.0 MiB peak was
# "of which faultline 928 KiB" where its libraries held ~600 KiB more.
# Oracle: the program's own /proc/self/smaps Rss of those libraries just
# before it exits (the shim's exit path may fault in a few more pages, so
# the share is at least that, less 10 %).
# The libraries' pages come from the residency state replayed to the time
# nearest the peak tick, not from the one line nearest it: a line written
# before an unmap lists only the VMAs the unmap takes, and GNU sort's
# share once came out 1.2 MiB short ("of which faultline 516 KiB") because
# the read of its buffer's unmap was nearer its peak tick than its exit
# tick's full line. Test 4 puts such a line right after the peak tick of a
# plain trace of the same program.
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
# The same program traced plain, with a line of an unmap's read (one VMA,
# not a library's) put 1 ns after the counters line of the largest RSS.
"$FL" record -q --no-compress -o "$TMP/u" -- "$PROGS/p_smaps_rss" libunwind liblzma libzstd libm.so \
	>"$TMP/out2" || exit 1
f=$(ls "$TMP"/u/*.ndjson | head -1)
peak_t=$(jq -s -r '[.[] | select(.e == "counters")] | max_by(.rss_anon + .rss_file + .rss_shmem) | .t' "$f")
last_seq=$(jq -s -r 'map(.seq // 0) | max' "$f")
heap=$(jq -s -r '[.[] | select(.e == "maps") | .vmas[] | select(.[5] == "[heap]")] | first | "[\"\(.[0])\",\"\(.[1])\",1,0,0,1,0,0,-1,-1,-1]"' "$f")
jq -c --argjson t "$peak_t" --argjson seq "$last_seq" --argjson row "$heap" \
	'., (select(.e == "counters" and .t == $t) |
	{e: "residency", t: ($t + 1), seq: ($seq + 1), why: "unmap", method: "pagemap_scan", vmas: 1,
	 regions: [$row]})' "$f" >"$TMP/f.ndjson" && mv "$TMP/f.ndjson" "$f"
"$FL_SAN" report --json "$TMP/u" >"$TMP/u.json" || exit 1
libs_rss2=$(truth "$TMP/out2" rss)

test_expect_success 'an unmap line nearest the peak tick leaves the libraries in the share' '
	test "$(jq "[.[] | select(.e == \"residency\" and .why == \"unmap\")] | length" -s "$f")" -ge 1 &&
	jq -e --argjson libs "$libs_rss2" ".sections.summary.peak_rss_faultline -
		.sections.faults.processes[0].faultline.resident_peak_bytes >= \$libs * 0.9" "$TMP/u.json" >/dev/null
'
test_done
