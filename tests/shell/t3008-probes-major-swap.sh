#!/bin/sh
# Major faults from swap-in: a private zram swap device, MADV_PAGEOUT, and
# a re-read; the shim's counts against `perf stat -e major-faults`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

command -v perf >/dev/null 2>&1 && perf stat -e major-faults -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count major-faults here"
zram_swap 256M

# perf stat counts to the process's end, the trace to its last counters
# line at the shim's exit: a page of the exit path read back after it (a
# loaded machine reclaims one now and then: 8193 against 8192 once) is in
# perf's count alone. At most 2 such faults.
test_expect_success 'swap-in: majflt equals perf stat (but for the exit path) and the pages swapped' '
	mkdir -p "$TMP/s" &&
	perf stat -e major-faults -x, -o "$TMP/s.stat" -- env LD_PRELOAD="$LIB" \
		FAULTLINE_OUT="$TMP/s" FAULTLINE_INTERVAL_MS=50 FAULTLINE_FAULTS=all "$PROGS/p_probe_major" swap 32 200 >"$TMP/s.out" &&
	stat=$(grep major-faults "$TMP/s.stat" | cut -d, -f1) &&
	swapped=$(kv "$TMP/s.out" swapped) &&
	f=$(trace_of "$TMP/s") &&
	got=$(jq -s "[.[] | select(.e == \"counters\")] | last | .majflt" "$f") &&
	echo "perf stat: $stat, trace: $got, swapped: $swapped" &&
	test "$swapped" -ge 4096 && test "$got" -le "$stat" && test $((stat - got)) -le 2 &&
	test "$got" -ge "$swapped"
'

test_expect_success 'swap-in: every swapped page has a major sample in the buffer' '
	f=$(trace_of "$TMP/s") &&
	n=$(jq -s -c --arg b "$(kv "$TMP/s.out" buf)" --arg e "$(kv "$TMP/s.out" end)" "$JQ_HEX"'"'"'
		[.[] | select(.e == "faults") | .samples[] | select(.[4] == 1)
		 | select((.[0] | hex) >= ($b | hex) and (.[0] | hex) < ($e | hex)) | .[0]] | unique | length'"'"' "$f") &&
	echo "major samples: $n" && test "$n" = "$(kv "$TMP/s.out" swapped)"
'

test_expect_success 'residency and VmSwap saw the pages in swap before they came back' '
	f=$(trace_of "$TMP/s") && swapped=$(kv "$TMP/s.out" swapped) &&
	jq -s -e --arg b "$(kv "$TMP/s.out" buf)" --argjson n "$swapped" \
		"[.[] | select(.e == \"residency\") | .regions[] | select(.[0] == \$b) | .[3]] | max == \$n" "$f" >/dev/null &&
	jq -s -e --argjson n "$swapped" "[.[] | select(.e == \"counters\") | .swap] | max >= \$n * 4096" "$f" >/dev/null
'

test_done
