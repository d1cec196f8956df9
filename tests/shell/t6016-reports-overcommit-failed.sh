#!/bin/sh
# Failed allocations and the commit charge at the moment of each call: a
# malloc larger than RAM plus swap is listed as failed (size, ENOMEM), among
# the requests larger than RAM+swap, and kept out of the reserved totals;
# malloc(SIZE_MAX) and an overflowing calloc are listed with size_overflow;
# Committed_AS recorded at a reservation moves with the reservations; and
# under strict overcommit the refusals are the program's own count, exactly.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

mode=$(cat /proc/sys/vm/overcommit_memory)
ram_swap=$(awk '/^(MemTotal|SwapTotal):/ { s += $2 } END { printf "%.0f", s * 1024 }' /proc/meminfo)
gib=1073741824
ok=$((64 << 20))

if [ "$mode" = 1 ]; then
	say "# overcommit_memory=1 grants any size: no request larger than RAM+swap fails here"
else
	# An eighth more than RAM plus swap: refused by the heuristic and by strict mode.
	huge=$((ram_swap + ram_swap / 8))
	run_traced "$TMP/big" "$PROGS/p_commit" toolarge "$huge" "$ok" >"$TMP/big.out" &&
		report_json "$TMP/big" overcommit >"$TMP/big.json" || exit 1
	p='.processes[0]'

	test_expect_success 'the malloc larger than RAM+swap is listed as failed, with its size and ENOMEM' '
		[ "$(truth "$TMP/big.out" failed_errno)" = 12 ] &&
		jq -e "[$p.failed.list[] | select(.fn == \"malloc\" and .size == $huge and .errno == 12 and
			.size_overflow == false and .commit_limit > 0)] | length == 1" "$TMP/big.json" >/dev/null
	'

	test_expect_success 'it is among the requests larger than RAM+swap, as failed' '
		jq -e "[$p.too_large[] | select(.size == $huge and .ok == false and .fn == \"malloc\")] |
			length == 1" "$TMP/big.json" >/dev/null
	'

	test_expect_success 'the reserved totals hold the two 64 MiB blocks and not the failed one' '
		jq -e "$p | .reserved >= 2 * $ok and .reserved < 2 * $ok + 262144 and
			([.by_site[].reserved] | add) == .reserved" "$TMP/big.json" >/dev/null
	'

	test_expect_success 'malloc(SIZE_MAX) and the overflowing calloc are listed with size_overflow' '
		jq -e "[$p.failed.list[] | select(.size_overflow)] | map(.fn) | sort == [\"calloc\", \"malloc\"]" \
			"$TMP/big.json" >/dev/null &&
		jq -e "$p.failed | .count == 3 and .largest_overflow" "$TMP/big.json" >/dev/null
	'

	test_expect_success 'the trace reads, its heap totals without the failed sizes' '
		"$FL_SAN" report --json --no-symbols --section summary "$TMP/big" |
			jq .sections.summary.heap >"$TMP/heap" &&
		jq -e ".bytes.malloc >= 2 * $ok and .bytes.malloc < 2 * $ok + 1048576 and
			(.bytes.calloc // 0) < 1048576" "$TMP/heap" >/dev/null
	'

	test_expect_success 'the text report shows the failed allocations' '
		"$FL_SAN" report --no-symbols --section overcommit "$TMP/big" >"$TMP/big.txt" &&
		grep -q "failed allocations: 3 (largest more than" "$TMP/big.txt" &&
		grep -q "requests larger than RAM+swap: 3 (3 failed)" "$TMP/big.txt"
	'
fi

# Committed_AS counts private writable mappings in every mode, so the charge
# read at the second of two 1 GiB reservations is about 1 GiB above the
# first's (other processes move it too: 7/8 GiB is the floor).
run_traced "$TMP/two" "$PROGS/p_commit" reserve 2 $gib >"$TMP/two.out" || exit 1
test_expect_success 'the commit charge recorded at a reservation moves with the reservations' '
	[ "$(truth "$TMP/two.out" refused)" = 0 ] &&
	cat "$TMP"/two/*.ndjson | jq -s "[.[] | select(.e == \"mmap\" and .size == $gib)]" >"$TMP/two.json" &&
	jq -e "length == 2 and .[0].commit_limit > 0 and
		.[1].committed_as - .[0].committed_as >= $gib * 7 / 8" "$TMP/two.json" >/dev/null
'

# Strict mode for the length of one run: a ratio that leaves room for about
# half of N reservations, so that some are refused whatever else runs here.
strict_run() {
	saved_mode=$mode
	saved_ratio=$(cat /proc/sys/vm/overcommit_ratio)
	trap 'echo "$saved_ratio" >/proc/sys/vm/overcommit_ratio; echo "$saved_mode" >/proc/sys/vm/overcommit_memory; rm -rf "$TMP"' EXIT
	size=$((256 << 20))
	ratio=$(awk -v n=16 -v size=$size '
		/^MemTotal:/ { ram = $2 * 1024 } /^SwapTotal:/ { swap = $2 * 1024 }
		/^Committed_AS:/ { c = $2 * 1024 }
		END { r = (c + n / 2 * size - swap) * 100 / ram; printf "%d", r < 1 ? 1 : int(r) + 1 }' /proc/meminfo)
	echo "$ratio" >/proc/sys/vm/overcommit_ratio &&
		echo 2 >/proc/sys/vm/overcommit_memory &&
		run_traced "$TMP/strict" "$PROGS/p_commit" reserve 16 $size >"$TMP/strict.out"
	rc=$?
	echo "$saved_ratio" >/proc/sys/vm/overcommit_ratio
	echo "$saved_mode" >/proc/sys/vm/overcommit_memory
	return $rc
}

if ! is_root; then
	say "# strict-mode refusals: not root, cannot set vm.overcommit_memory"
elif [ "$mode" != 0 ]; then
	say "# strict-mode refusals: overcommit_memory is $mode here, left alone"
else
	strict_run || exit 1
	test_expect_success 'strict-mode refusals are exactly the program'"'"'s own count' '
		refused=$(truth "$TMP/strict.out" refused) &&
		[ "$refused" -gt 0 ] && [ "$refused" -lt 16 ] &&
		report_json "$TMP/strict" overcommit >"$TMP/strict.json" &&
		jq -e ".processes[0] | .mode == 2 and (.strict_refused | length) == $refused and
			all(.strict_refused[]; .from == \"failure\" and .size == $size)" \
			"$TMP/strict.json" >/dev/null
	'
fi

test_done
