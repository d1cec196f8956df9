#!/bin/sh
# Fault sampling under load: a fault-dense loop sampled at every fault loses
# nothing (the ticker drains a buffer as soon as it is a quarter full, not
# only once per tick); lost samples, where the kernel reports some, are
# accounted for in the report; the sampled estimate of the default period
# matches the counted totals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"
. "$(dirname "$0")/reports-lib.sh"

# 65536 pages = 3 MiB of samples at one per fault: more than a CPU's 2 MiB
# buffer holds, in ~0.15 s, inside one 1 s tick.
N=65536

# in_buf NAME: [samples in the buffer, distinct pages among them, lost]
in_buf() {
	f=$(trace_of "$TMP/$1")
	jq -s -c --arg buf "$(kv "$TMP/$1.out" buf)" --argjson len "$(kv "$TMP/$1.out" len)" \
		"$JQ_HEX"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults")] as $f
		| [$f[] | .samples[] | select((.[0] | hex) >= $b and (.[0] | hex) < $b + $len)]
		| [length, (map(.[0]) | unique | length), ([$f[].lost] | add)]' "$f"
}

"$FL" record -q --faults all --interval 1000 -o "$TMP/dense" -- \
	"$PROGS/p_probe_touch" $N 1 0 >"$TMP/dense.out" || exit 1
need_probe "$TMP/dense" perf_fault_samples

test_expect_success 'every fault sampled in a dense loop, one long tick: none lost' '
	r=$(in_buf dense) && echo "samples, pages, lost: $r" &&
	test "$r" = "[$N,$N,0]"
'

test_expect_success 'lost samples are reported with the faults they stood for' '
	f=$(trace_of "$TMP/dense") && mkdir -p "$TMP/lost" &&
	jq -c "if .e == \"faults\" and .lost != null then .lost += 500 else . end" "$f" \
		>"$TMP/lost/$(basename "$f")" &&
	report_json "$TMP/lost" faults >"$TMP/lost.json" &&
	jq -e "(.processes[0].lost | . >= 500 and . % 500 == 0) and
		([.findings[] | select(.id == \"faults.lost\" and .severity == \"warn\")] | length == 1)" \
		"$TMP/lost.json" >/dev/null &&
	"$FL" report --no-symbols --section faults "$TMP/lost" >"$TMP/lost.txt" &&
	grep -q "LOST" "$TMP/lost.txt" && grep -q "dropped" "$TMP/lost.txt"
'

test_done
