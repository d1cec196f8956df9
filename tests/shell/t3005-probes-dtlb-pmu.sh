#!/bin/sh
# dTLB misses where a CPU PMU exists: the supported path.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

ls /sys/bus/event_source/devices/cpu* >/dev/null 2>&1 ||
	skip_all "no hardware PMU here (/sys/bus/event_source/devices has no cpu): dTLB events return ENOENT"

test_expect_success 'dTLB misses are counted where the PMU has them' '
	"$FL" record -q --interval 50 -o "$TMP/d" -- "$PROGS/p_probe_touch" 4000 1 150 >/dev/null &&
	f=$(trace_of "$TMP/d") &&
	if head -1 "$f" | jq -e ".probes.perf_dtlb.ok" >/dev/null; then
		jq -s -e "[.[] | select(.e == \"counters\")] | last | .dtlb_load_misses > 0 and .dtlb_store_misses > 0" "$f" >/dev/null
	else
		head -1 "$f" | jq -e ".probes.perf_dtlb.why | type == \"string\"" >/dev/null &&
		jq -s -e "[.[] | select(.e == \"counters\")] | all(.dtlb_load_misses == null)" "$f" >/dev/null
	fi
'

test_done
