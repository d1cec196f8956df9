#!/bin/sh
# Peaks of a program shorter than one tick: it mallocs and touches 300 MiB,
# frees it and exits, with no tick during its life (--interval 10000). Peak
# RSS, peak virtual and peak live heap must be its own VmHWM, VmPeak and
# live bytes (printed by the program itself, read last), within 5 %.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"
. "$(dirname "$0")/reports-lib.sh"

# peaks NAME BLOCK_KIB: records the program, leaves its output in NAME.out
# and the summary's figures in NAME.sum
peaks() {
	"$FL" record -q --interval 10000 -o "$TMP/$1" -- "$PROGS/p_probe_peaks" 300 "$2" \
		>"$TMP/$1.out" &&
	"$FL" report --json "$TMP/$1" | jq .sections.summary >"$TMP/$1.sum" &&
	cat "$TMP/$1.out" && jq -c "[.peak_rss, .peak_vsz, .peak_vsz_with_shim, .heap.peak_live]" \
		"$TMP/$1.sum"
}
fig() { jq "$2" "$TMP/$1.sum"; }

for run in "one:307200" "many:1024"; do
	name=${run%%:*} kib=${run#*:}
	peaks "$name" "$kib" >"$TMP/$name.log" 2>&1
	test_expect_success "$name block(s): peak RSS is the program's own VmHWM" '
		cat "$TMP/$name.log" &&
		within "$(fig $name .peak_rss)" "$(kv "$TMP/$name.out" hwm)" 5 &&
		test "$(fig $name .peak_rss_source)" = "\"VmHWM\""
	'
	test_expect_success "$name block(s): peak live heap is the program's own live bytes" '
		within "$(fig $name .heap.peak_live)" "$(kv "$TMP/$name.out" live)" 5
	'
	test_expect_success "$name block(s): peak virtual with the shim is the program's own VmPeak" '
		within "$(fig $name .peak_vsz_with_shim)" "$(kv "$TMP/$name.out" vmpeak)" 5
	'
done

# Without the shim's own mappings, the peak virtual size is the one the
# same program has when it runs natively.
test_expect_success 'peak virtual without the shim is the native run'"'"'s VmPeak' '
	"$PROGS/p_probe_peaks" 300 1024 >"$TMP/native.out" && cat "$TMP/native.out" &&
	within "$(fig many .peak_vsz)" "$(kv "$TMP/native.out" vmpeak)" 5 &&
	test "$(fig many .peak_vsz_source)" = "\"VmPeak\""
'

# A small program (8 MiB at its peak) in a run without a tick: the shim's
# regions grow after the program's peak (the first tick, here its exit,
# maps ~12 MiB of tables), and VmPeak less the regions at the end took
# them off a peak they were not in (2.5 MiB against 10.3 natively). Its
# libraries (libzstd, libunwind, ...) and perf's sample buffers are the
# shim's too (2.3 MiB more). 2 %: the rest is the environment's size on
# the stack and 16 bytes a kept block.
test_expect_success 'a small program: peak virtual without the shim is the native VmPeak, within 2 %' '
	"$PROGS/p_probe_peaks" 8 64 >"$TMP/small-native.out" &&
	"$FL" record -q --interval 10000 -o "$TMP/small" -- "$PROGS/p_probe_peaks" 8 64 >/dev/null &&
	"$FL" report --json "$TMP/small" | jq .sections.summary >"$TMP/small.sum" &&
	say "native VmPeak $(kv "$TMP/small-native.out" vmpeak), peak_vsz $(fig small .peak_vsz)" &&
	within "$(fig small .peak_vsz)" "$(kv "$TMP/small-native.out" vmpeak)" 2
'

test_done
