#!/bin/sh
# The working-set report: a program writing exactly K distinct pages per
# window shows K per window (written with --wss, and first touches); a
# program cycling over more pages than the dTLB holds is flagged by the
# TLB-reach model, and a small working set is not.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

K=1000
W=8
"$FL" record -q --wss -o "$TMP/k" -- "$SAMPLES/wss_writer" $K $W 100 >"$TMP/k.out" || exit 1
need_probe "$TMP/k" uffd_wp
report_json "$TMP/k" ws >"$TMP/k.json" || exit 1
buf='.processes[0].by_region | max_by(.total_written)'

test_expect_success 'written: the buffer has K pages written per window (+- 5%), K*W in all (+- 0.5%)' '
	within "$(jq "$buf.total_written" "$TMP/k.json")" "$(truth "$TMP/k.out" written_pages)" 0.5 &&
	within "$(jq "$buf.written.p50" "$TMP/k.json")" $K 5
'

test_expect_success 'written: the whole process writes K per window at the median (+- 5%)' '
	within "$(jq ".processes[0].stats.written.p50" "$TMP/k.json")" $K 5
'

test_expect_success 'first touch: K first touches per window at the median (+- 5%), at least K*W in all' '
	within "$(jq ".processes[0].stats.first_touch.p50" "$TMP/k.json")" $K 5 &&
	jq -e ".processes[0].stats.first_touch.total >= $K * $W" "$TMP/k.json" >/dev/null
'

test_expect_success 'a working set of K pages is within the TLB reach' '
	jq -e ".processes[0].tlb | .beyond_reach == false and .reach_4k > 0 and .ws_pages_4k < 4 * $K" \
		"$TMP/k.json" >/dev/null
'

test_expect_success 'a 64 MiB cycling working set is flagged as beyond the TLB reach' '
	"$FL" record -q --wss -o "$TMP/tlb" -- "$SAMPLES/tlb_cycle" 64 600 >"$TMP/tlb.out" &&
	report_json "$TMP/tlb" ws >"$TMP/tlb.json" &&
	pages=$(truth "$TMP/tlb.out" ws_pages) &&
	jq -e ".processes[0] | .stats.written.peak >= $pages / 2 and .tlb.beyond_reach == true and
		.tlb.ws_pages_4k > .tlb.reach_4k / 4096" "$TMP/tlb.json" >/dev/null &&
	jq -e "[.findings[] | select(.id == \"ws.tlb_reach\" and .mechanism == \"tlb-reach\")] | length == 1" \
		"$TMP/tlb.json" >/dev/null
'

test_expect_success 'the tracker'"'"'s own write faults are classed apart, as many as the shim counted' '
	report_json "$TMP/tlb" faults >"$TMP/tlbf.json" &&
	tf=$(jq -s "[.[] | select(.e == \"counters\")] | last | .tracking_faults" "$TMP"/tlb/*.ndjson) &&
	within "$(jq ".processes[0].by_class.write_tracking.faults" "$TMP/tlbf.json")" "$tf" 2 &&
	jq -e ".processes[0] | .faults < .samples and .by_class.zero_fill.pct > 95" "$TMP/tlbf.json" >/dev/null
'

test_expect_success 'the model says which geometry it used, and RAM is compared' '
	jq -e ".processes[0] | (.tlb.source == \"model\" or .tlb.source == \"measured\") and
		(.tlb.geometry_source | length > 0) and .ram.mem_total > 0" "$TMP/tlb.json" >/dev/null
'

test_expect_success 'the text report shows the methods and the verdict on reach' '
	"$FL" report --section ws "$TMP/tlb" >"$TMP/tlb.txt" &&
	grep -q "written" "$TMP/tlb.txt" && grep -q "BEYOND reach" "$TMP/tlb.txt"
'
test_done
