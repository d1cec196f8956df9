#!/bin/sh
# Ticks under --all: a thread's tick signal mostly comes while it is inside
# the shim (every heap call takes the slow path, its guard set), where no
# tick may run. The signal now leaves a note the allocation's slow path
# takes on its way out, so a due tick runs there: two threads allocating
# for half a second with --interval 20 wrote 2-3 heap lines (one tick and
# the exit), and now about one an interval. The program's output and
# status are as natively.
. "$(dirname "$0")/lib.sh"

MB=$top/$BUILD/bench/malloc_bench
[ -x "$MB" ] || skip_all "no $MB (make all builds it)"
"$MB" 2 3000000 | sed 's/^[0-9]*$/N/' >"$TMP/native.out"
"$FL" record -q --all --large 1 --interval 20 -o "$TMP/t" -- "$MB" 2 3000000 >"$TMP/traced.out"
echo "status $?" >"$TMP/status"

test_expect_success 'the program runs as natively' '
	grep -qx "status 0" "$TMP/status" &&
	sed "s/^[0-9]*$/N/" "$TMP/traced.out" | cmp -s - "$TMP/native.out"
'

test_expect_success 'a heap line at least every third interval of the run' '
	zstdcat -f "$TMP"/t/*.ndjson* >"$TMP/all.ndjson" &&
	end=$(grep "\"e\":\"exit\"" "$TMP/all.ndjson" | jq .t) &&
	lines=$(grep -c "\"e\":\"heap\"" "$TMP/all.ndjson") &&
	want=$((end / 20000000 / 3)) &&
	test "$want" -ge 3 && test "$lines" -ge "$want"
'
test_done
