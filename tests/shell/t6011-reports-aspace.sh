#!/bin/sh
# One address-space timeline. A program mallocs 3x RAM in 1 GiB blocks and
# touches 0.2 % of each, pausing 10 ms after each: glibc maps each block with its own mmap, and those
# mmaps merge into VMAs that grow downwards. Each page must be counted once:
# "touched" against the program's own RssAnon (10 %), the faults of one VMA
# in one row however it grew, >= 95 % of the faults in their allocation
# block, and `addr --trace` finding a block freed before the end.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

mode=$(cat /proc/sys/vm/overcommit_memory)
[ "$mode" = 0 ] || [ "$mode" = 1 ] || skip_all "overcommit_memory is $mode: 3x RAM in 1 GiB blocks needs mode 0 or 1"
need_perf
# 3x RAM in 1 GiB blocks, at most 96 blocks; 2 pages per 1000 touched keeps it under a few seconds
ram_gib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1048576 }' /proc/meminfo)
chunks=$((ram_gib * 3))
[ "$chunks" -ge 3 ] || chunks=3
[ "$chunks" -le 96 ] || chunks=96

run_traced "$TMP/t" "$PROGS/p_model_bigblocks" "$chunks" 1024 2 10 300 >"$TMP/out" ||
	skip_all "the program could not malloc $chunks x 1 GiB"
report_json "$TMP/t" overcommit >"$TMP/oc.json" &&
report_json "$TMP/t" faults >"$TMP/f.json" || exit 1

test_expect_success 'touched is the program'"'"'s own RssAnon within 10 %' '
	touched=$(jq ".processes[0].touched" "$TMP/oc.json") &&
	rss=$(awk "\$1 == \"rss_anon_kb\" { print \$2 * 1024 }" "$TMP/out") &&
	say "touched $touched, RssAnon $rss" &&
	within "$touched" "$rss" 10
'

test_expect_success 'no two rows of faults by VMA overlap: a VMA that grew is one row' '
	jq -r ".processes[0].by_vma[] | [.start, .end] | @tsv" "$TMP/f.json" |
		while read -r s e; do printf "%d %d\n" "$s" "$e"; done | sort -n >"$TMP/vmas" &&
	awk "NR > 1 && \$1 < end { bad = 1 } { if (\$2 > end) end = \$2 } END { exit bad }" "$TMP/vmas"
'

test_expect_success 'at least 95 % of the faults lie in a known VMA and in their malloc block' '
	total=$(jq ".processes[0].faults" "$TMP/f.json") &&
	unknown=$(jq ".processes[0].by_class.unknown.faults // 0" "$TMP/f.json") &&
	in_site=$(jq "[.processes[0].by_site[] | select(.stack != 0) | .faults] | add" "$TMP/f.json") &&
	say "faults $total, unknown VMA $unknown, in a recorded block $in_site" &&
	at_least "$((total - unknown))" "$total" 95 &&
	at_least "$in_site" "$total" 95
'

test_expect_success 'addr --trace finds a block freed before the end, at the time it was mapped' '
	block=$(awk "\$1 == \"block\" { print \$2; exit }" "$TMP/out") &&
	"$FL" addr "$(printf "0x%x" $((block + 409600)))" --trace "$TMP/t" --no-symbols >"$TMP/addr" &&
	grep "allocation $block + 1073741824 (offset 409600) by malloc" "$TMP/addr"
'

test_done
