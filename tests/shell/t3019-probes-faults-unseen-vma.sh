#!/bin/sh
# Faults in memory glibc maps and unmaps itself between two maps snapshots
# (large blocks, each a mapping of its own, freed at once): no snapshot
# shows their VMA, yet they are heap blocks, anonymous and private, and
# each written page is a demand-zero first touch. They were classified
# "unknown VMA" (python3 had 2 % of its faults so). And when the shim later
# mapped a buffer of its own at such an address (it unmaps some), the
# samples there were dropped as the shim's (a plain trace kept 46 of
# 10,300) or, in the report, counted as "shim buffers". Every fault sampled;
# oracle: the pages the program wrote, less one a block: glibc writes a
# mapped block's header on its first page inside malloc, before the block
# exists, and that fault stays unknown (the program's own write there then
# takes none).
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

rounds=40
"$FL" record -q --faults all -o "$TMP/t" -- "$PROGS/p_short_blocks" 1048576 $rounds >"$TMP/out" || exit 1
need_probe "$TMP/t" perf_fault_samples
report_json "$TMP/t" faults >"$TMP/r.json" || exit 1
pages=$(( $(truth "$TMP/out" pages) - rounds ))
cls() { jq ".processes[0].by_class.$1.faults" "$TMP/r.json"; }

test_expect_success 'the blocks took their pages as demand-zero faults' '
	test "$(cls zero_fill)" -ge "$pages"
'

test_expect_success 'no more left without a VMA than those headers and 1 %' '
	test $(( ($(cls unknown) - rounds) * 100 )) -le "$pages"
'

test_expect_success 'and they count for the blocks allocation site' '
	jq -e --argjson n "$pages" "[.processes[0].by_site[] | select(.stack != 0) | .faults] | add >= \$n" \
		"$TMP/r.json" >/dev/null
'
test_done
