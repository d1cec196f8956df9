#!/bin/sh
# --wss: the written working set of a program that writes exactly K
# distinct pages per window is K, and the tracking faults are counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

K=300 W=4 IV=100

test_expect_success 'without --wss the header says the tracker is off, written is -1' '
	"$FL" record -q --interval $IV -o "$TMP/off" -- "$PROGS/p_probe_wss" 10 1 $IV >/dev/null &&
	f=$(trace_of "$TMP/off") &&
	head -1 "$f" | jq -e ".probes.uffd_wp.ok == false and (.probes.uffd_wp.why | test(\"--wss\"))" >/dev/null &&
	jq -s -e "[.[] | select(.e == \"residency\") | .regions[] | .[8]] | all(. == -1)" "$f" >/dev/null &&
	jq -s -e "[.[] | select(.e == \"counters\") | .tracking_faults] | all(. == null)" "$f" >/dev/null &&
	test "$(jq -s "[.[] | select(.e == \"wss\")] | length" "$f")" = 0
'

# bursts FILE: the buffer's written counts per window, regrouped so that a
# burst a late tick split over two windows counts once: prints the groups
bursts() {
	jq -s -c --arg b "$b" --argjson k $K "[.[] | select(.e == \"wss\") | [.regions[] | select(.[0] == \$b) | .[2]] | add // 0 | select(. > 0)]
		| reduce .[] as \$x ({cur: 0, out: []}; .cur += \$x | if .cur >= \$k then .out += [.cur] | .cur = 0 else . end)
		| .out + (if .cur > 0 then [.cur] else [] end)" "$1"
}

# The tracker needs the kernel's help: skip where this machine lacks it
# (the header must then say off; where the machine has it, it must be on).
"$FL" record -q --interval $IV --wss -o "$TMP/on" -- "$PROGS/p_probe_wss" $K $W $IV >"$TMP/on.out" || exit 1
why=$(uffd_wp_missing "$(trace_of "$TMP/on")") && skip_all "--wss write tracking: $why"

test_expect_success '--wss: each burst of K page writes is one window of K' '
	f=$(trace_of "$TMP/on") && b=$(kv "$TMP/on.out" buf) &&
	head -1 "$f" | jq -e ".probes.uffd_wp.ok" >/dev/null &&
	bursts "$f" >"$TMP/w" && cat "$TMP/w" &&
	test "$(cat "$TMP/w")" = "[$K,$K,$K,$K]"
'

test_expect_success '--wss: the residency rows carry the written counts' '
	f=$(trace_of "$TMP/on") && b=$(kv "$TMP/on.out" buf) &&
	jq -s -e --arg b "$b" "[.[] | select(.e == \"residency\") | .regions[] | select(.[0] == \$b) | .[8]]
		| all(. >= 0 and . <= $K) and any(. > 0)" "$f" >/dev/null
'

test_expect_success '--wss: tracking faults are counted, one per written page' '
	f=$(trace_of "$TMP/on") &&
	jq -s -e "([.[] | select(.e == \"wss\") | .tracking_faults] | add) as \$w
		| ([.[] | select(.e == \"counters\")] | last | .tracking_faults) == \$w and \$w >= $K * $W" "$f" >/dev/null
'

test_expect_success '--wss: the extra faults perf counted are the tracking faults' '
	f0=$(trace_of "$TMP/off") &&
	"$FL" record -q --interval $IV -o "$TMP/base" -- "$PROGS/p_probe_wss" $K $W $IV >/dev/null &&
	base=$(jq -s "[.[] | select(.e == \"counters\")] | last | .minflt" "$(trace_of "$TMP/base")") &&
	on=$(jq -s "[.[] | select(.e == \"counters\")] | last | .minflt - .tracking_faults" "$(trace_of "$TMP/on")") &&
	echo "without --wss: $base, with --wss minus tracking: $on" &&
	test $((on - base)) -le 64 && test $((base - on)) -le 64
'

test_done
