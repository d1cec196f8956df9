#!/bin/sh
# Findings whose severity means something: WARN only where the user should
# act. Page-cache hits of an mmap scan are expected (INFO); a working set past
# the TLB's reach is worth a WARN only past the second-level TLB and over a
# long run, and says it is a model; repeated findings fold into one, counted.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

# with_tlb SRC DST: a copy of trace SRC whose header reports a dTLB of 64
# L1 and 1536 L2 entries for 4 KiB pages (a common x86 core), as CPUID would
# on a machine that reports them (many hypervisors hide them).
with_tlb() {
	mkdir -p "$2" &&
	for f in "$1"/*.ndjson; do
		{ head -1 "$f" | jq -c '.tlb = {"l1d_4k": 64, "l1d_2m": 32, "l2_4k": 1536,
			"l2_2m": 1024, "l2_1g": 16, "source": "test"}' &&
		  tail -n +2 "$f"; } >"$2/$(basename "$f")" || return 1
	done
}

test_expect_success 'the page-cache hits of a warm mmap scan are INFO, not WARN' '
	head -c 67108864 /dev/urandom >"$TMP/data" && cat "$TMP/data" >/dev/null &&
	run_traced "$TMP/mmap" "$SAMPLES/mmap_scan" "$TMP/data" >/dev/null &&
	report_json "$TMP/mmap" faults >"$TMP/mmap.json" &&
	jq -e ".processes[0].by_class.cache_hit.pct > 50" "$TMP/mmap.json" >/dev/null &&
	jq -e "[.findings[] | select(.id == \"faults.cache_hit\")] |
		length == 1 and .[0].severity == \"info\"" "$TMP/mmap.json" >/dev/null
'

# 32 MiB cycled over: 8192 pages, past the 1536 entries of the L2 TLB.
test_expect_success 'a short run past the TLB reach gets an INFO that says it is a model' '
	"$FL" record -q --wss -o "$TMP/short.raw" -- "$SAMPLES/tlb_cycle" 32 50 >/dev/null &&
	with_tlb "$TMP/short.raw" "$TMP/short" &&
	report_json "$TMP/short" ws >"$TMP/short.json" &&
	jq -e ".processes[0].tlb.beyond_reach == true" "$TMP/short.json" >/dev/null &&
	jq -e "[.findings[] | select(.id == \"ws.tlb_reach\")] | length == 1 and
		(.[0] | .severity == \"info\" and (.text | test(\"second-level\")) and
		 (.text | test(\"a model\")) and (.text | test(\"too short\")))" \
		"$TMP/short.json" >/dev/null
'

test_expect_success 'no finding of a short run is a TLB WARN' '
	"$FL_SAN" report --json --no-symbols "$TMP/short" >"$TMP/short-all.json" &&
	jq -e "[.sections[].findings[]? | select(.mechanism == \"tlb-reach\" and
		.severity == \"warn\")] | length == 0" "$TMP/short-all.json" >/dev/null
'

test_expect_success 'the same working set over a long run past the L2 TLB is a WARN' '
	"$FL" record -q --wss -o "$TMP/long.raw" -- "$SAMPLES/tlb_cycle" 32 1200 >/dev/null &&
	with_tlb "$TMP/long.raw" "$TMP/long" &&
	report_json "$TMP/long" ws >"$TMP/long.json" &&
	jq -e "[.findings[] | select(.id == \"ws.tlb_reach\")] | length == 1 and
		.[0].severity == \"warn\"" "$TMP/long.json" >/dev/null
'

test_expect_success 'five like overcommit reservations fold into one finding with a count' '
	"$FL" record -q -o "$TMP/oc" -- sh -c "for i in 1 2 3 4 5; do \"$SAMPLES/overcommit\" 128 1; done" \
		>/dev/null &&
	report_json "$TMP/oc" overcommit >"$TMP/oc.json" &&
	jq -e "[.findings[] | select(.id == \"overcommit.site\")] | length == 1 and
		(.[0] | .count == 5 and (.examples | length) == 3 and
		 (.text | test(\"^×5: pid [0-9]+: .* reserved 128 MiB .*; and 4 more like it$\")))" \
		"$TMP/oc.json" >/dev/null
'

test_expect_success 'the folded finding reads as one line in the text report' '
	"$FL_SAN" report --section overcommit "$TMP/oc" >"$TMP/oc.txt" &&
	test "$(grep -c "reserved 128 MiB" "$TMP/oc.txt")" -ge 1 &&
	test "$(grep -c "^  - ×5: pid" "$TMP/oc.txt")" = 1
'

test_done
