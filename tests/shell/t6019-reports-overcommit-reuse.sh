#!/bin/sh
# Overcommit's "touched" for heap blocks that reuse freed memory: one
# 100 KiB block (above faultline's "large" size, below glibc's mmap
# threshold: carved from the [heap]) allocated, written and freed 500
# times. Only the first round's pages take faults; every later block gets
# the same pages back, resident. The program writes every byte of every
# block, so nearly all it reserved was touched: the report once said 0 %
# (a later block's pages took no fault while it lived, and a sample was
# looked for among only 64 of the 500 blocks at its address). Every fault
# sampled (--faults all) for an exact count; pages the heap had before the
# sampling began are not seen, hence 80 %. A program that writes one byte
# of each block touched at most its first page and the pages glibc's
# chunk headers share with it.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

size=102400
run() { # NAME WRITE [RECORD OPTIONS]
	_n=$1 _w=$2
	shift 2
	"$FL" record -q "$@" -o "$TMP/$_n" -- "$PROGS/p_reuse_block" $size 500 "$_w" >"$TMP/$_n.out" &&
		report_json "$TMP/$_n" overcommit >"$TMP/$_n.json"
}
run all all --faults all || exit 1
need_probe "$TMP/all" perf_fault_samples
run first first --faults all || exit 1
run all16 all || exit 1
proc='.processes[0]'

test_expect_success 'the 500 blocks are reservations of the one site' '
	reserved=$(truth "$TMP/all.out" reserved) &&
	jq -e "$proc | .reservations == 500 and .reserved == $reserved and
		(.by_site | length) == 1 and .by_site[0].count == 500" "$TMP/all.json" >/dev/null
'

test_expect_success 'writing every byte: touched at least 80% of reserved, most of it reused' '
	jq -e "$proc | .touched_pct >= 80 and .touched_pct <= 100 and
		.touched_reused >= .touched * 0.9 and .touched_from == \"fault_samples\"" \
		"$TMP/all.json" >/dev/null
'

test_expect_success 'writing one byte a block: touched at most 4 of its 26 pages' '
	jq -e "$proc | .touched <= .reservations * 4 * 4096" "$TMP/first.json" >/dev/null
'

test_expect_success 'one fault in 16 sampled (the default): an estimate of at least half' '
	jq -e "$proc | .touched_pct >= 50 and .touched_pct <= 100" "$TMP/all16.json" >/dev/null
'
test_done
