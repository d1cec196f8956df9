#!/bin/sh
# A block glibc mapped for itself goes back with glibc's own munmap, inside
# free(), where no munmap hook sees it: the shim reads its pages first, as
# before a munmap. A program mallocs 64 MiB, writes it, forks; the child
# copies a quarter, the parent half while the child waits, then the parent
# frees the block and exits, within one tick. Who copied what is read by
# page frame before the block goes: exact, not estimated from the fault
# samples (the previous build: "pfn+fault_samples", the parent's 8,192
# copies unread; a python3 parent whose freed bytearray's range was mapped
# again got 22 of its 16,384, tests/real/cow-python-parent.sh).
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh
. "$(dirname "$0")/probes-lib.sh"

"$FL" record -q --interval 10000 -o "$TMP/t" -- "$PROGS/p_cow_freed" 16384 >"$TMP/out" || exit 1
need_probe "$TMP/t" pagemap
report_json "$TMP/t" cow >"$TMP/cow.json" || exit 1
big='.forks[0].by_vma | max_by(.shared_at_fork)'

test_expect_success 'the block was shared whole at the fork' '
	jq -e "$big | .shared_at_fork == $(truth "$TMP/out" pages)" "$TMP/cow.json" >/dev/null
'

pfn_ok() { cat "$1"/*.ndjson | jq -s -e "[.[] | select(.e == \"header\") | .probes.pagemap_pfn.ok] | all" >/dev/null; }
if pfn_ok "$TMP/t"; then
	test_expect_success 'the parent read its copies by frame before free() unmapped the block' '
		jq -e ".forks[0] | .copied_method == \"pfn\" and .copied_by_parent_unread == 0" \
			"$TMP/cow.json" >/dev/null &&
		test "$(jq "$big.copied_by_parent" "$TMP/cow.json")" = "$(truth "$TMP/out" parent_copied)" &&
		test "$(jq "$big.copied_by_child" "$TMP/cow.json")" = "$(truth "$TMP/out" child_copied)"
	'
else
	say "skip: PFN checks: pagemap hides page frames here (needs CAP_SYS_ADMIN)"
fi

# the residency lines read just before an unmap that cover the block
UNMAP_ROWS="$JQ_HEX"'($b | hex) as $a | [.[] | select(.e == "residency" and .why == "unmap")
	| .regions[] | select((.[0] | hex) <= $a and (.[1] | hex) > $a)] | length'
test_expect_success 'the trace has the block read on its way out (why: unmap)' '
	n=$(jq -s --arg b "$(truth "$TMP/out" buf)" "$UNMAP_ROWS" "$TMP"/t/*.ndjson) &&
	echo "unmap rows over the block: $n" && test "$n" -ge 1
'
test_done
