#!/bin/sh
# A block glibc mapped for itself goes back with glibc's own munmap, inside
# free(), or shrinks with its own mremap, inside realloc(), where no hook of
# those sees it: the shim reads its pages first, as before a munmap. A
# program mallocs 64 MiB, writes it, forks; the child copies a quarter, the
# parent half while the child waits, then the parent frees the block (or
# shrinks it to 16 pages first) and exits, within one tick. Who copied what is read by
# page frame before the block goes: exact, not estimated from the fault
# samples (the previous build: "pfn+fault_samples", the parent's 8,192
# copies unread; a python3 parent whose freed bytearray's range was mapped
# again got 22 of its 16,384, tests/real/cow-python-parent.sh).
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh
. "$(dirname "$0")/probes-lib.sh"

for how in free shrink; do
	"$FL" record -q --interval 10000 -o "$TMP/$how" -- "$PROGS/p_cow_freed" 16384 $how \
		>"$TMP/$how.out" || exit 1
	report_json "$TMP/$how" cow >"$TMP/$how.json" || exit 1
done
need_probe "$TMP/free" pagemap
big='.forks[0].by_vma | max_by(.shared_at_fork)'

test_expect_success 'the block was shared whole at the fork' '
	for how in free shrink; do
		jq -e "$big | .shared_at_fork == $(truth "$TMP/$how.out" pages)" "$TMP/$how.json" \
			>/dev/null || exit 1
	done
'

pfn_ok() { cat "$1"/*.ndjson | jq -s -e "[.[] | select(.e == \"header\") | .probes.pagemap_pfn.ok] | all" >/dev/null; }
# copied_by_frame HOW: the copies of each side by frame, exactly the pages written
copied_by_frame() {
	jq -e ".forks[0] | .copied_method == \"pfn\" and .copied_by_parent_unread == 0" \
		"$TMP/$1.json" >/dev/null &&
	test "$(jq "$big.copied_by_parent" "$TMP/$1.json")" = "$(truth "$TMP/$1.out" parent_copied)" &&
	test "$(jq "$big.copied_by_child" "$TMP/$1.json")" = "$(truth "$TMP/$1.out" child_copied)"
}
if pfn_ok "$TMP/free" && pfn_ok "$TMP/shrink"; then
	test_expect_success 'the parent read its copies by frame before free() unmapped the block' '
		copied_by_frame free
	'
	test_expect_success 'the parent read its copies by frame before realloc() shrank the block' '
		copied_by_frame shrink
	'
else
	say "skip: PFN checks: pagemap hides page frames here (needs CAP_SYS_ADMIN)"
fi

# the residency lines read just before an unmap that cover the block
UNMAP_ROWS="$JQ_HEX"'($b | hex) as $a | [.[] | select(.e == "residency" and .why == "unmap")
	| .regions[] | select((.[0] | hex) <= $a and (.[1] | hex) > $a)] | length'
test_expect_success 'the trace has the block read on its way out (why: unmap)' '
	n=$(jq -s --arg b "$(truth "$TMP/free.out" buf)" "$UNMAP_ROWS" "$TMP"/free/*.ndjson) &&
	echo "unmap rows over the block: $n" && test "$n" -ge 1
'
test_done
