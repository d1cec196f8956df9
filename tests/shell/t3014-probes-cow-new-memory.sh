#!/bin/sh
# Without page frames (uid 65534) copy-on-write is counted from fault
# samples on pages that existed at the fork, never from the first touch of
# memory mapped after it: a child mallocs 4000 new pages where its parent
# had a buffer it unmapped before the fork (so the parent's old samples lie
# on those addresses), writes them, and writes every fourth page of a
# 4000-page buffer it shares with the parent. The new pages are demand-zero
# first touches; the child copied 1000 pages, 25 % of the shared buffer
# (tolerance 10 %), with every fault sampled and with one in four.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"
. "$(dirname "$0")/reports-lib.sh"

is_root || skip_all "needs root to switch to uid 65534"
command -v setpriv >/dev/null || skip_all "no setpriv"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod 711 "$TMP" && mkdir "$TMP/nr" && chown 65534:65534 "$TMP/nr" || skip_all "cannot prepare a directory for uid 65534"
as_uid_copies 65534 p_cow_new_memory || skip_all "cannot copy the binaries for uid 65534"
$NOBODY test -r "$LIB" -a -x "$FL" -a -x "$PROGS/p_cow_new_memory" ||
	skip_all "the build directory is not readable by uid 65534"
need_perf 65534

for faults in all 4; do
	$NOBODY "$FL" record -q --interval 50 --faults $faults -o "$TMP/nr/$faults" -- \
		"$PROGS/p_cow_new_memory" 4000 4000 200 >"$TMP/$faults.out" || exit 1
	head -1 "$(trace_of "$TMP/nr/$faults")" | jq -e ".probes.pagemap_pfn.ok == false" >/dev/null ||
		skip_all "uid 65534 reads page frames here: the estimator is not used"
	child=$(kv "$TMP/$faults.out" child)
	report_json "$TMP/nr/$faults" cow >"$TMP/cow.$faults.json" || exit 1
	"$FL_SAN" report --json --no-symbols --section faults --pid "$child" "$TMP/nr/$faults" |
		jq .sections.faults >"$TMP/faults.$faults.json" || exit 1

	test_expect_success "--faults $faults: the new memory's faults are zero_fill, none cow" '
		new=$(kv "$TMP/$faults.out" new) &&
		jq -c --arg a "$new" "$JQ_HEX"'"'"'
			($a | hex) as $a | [.. | objects | select(has("by_vma")) | .by_vma[]
			| select(($a >= (.start | hex)) and ($a < (.end | hex))) | .by_class][0]'"'"' \
			"$TMP/faults.$faults.json" >"$TMP/cls" &&
		cat "$TMP/cls" &&
		jq -e "(.cow // 0) == 0 and .zero_fill >= 3600" "$TMP/cls" >/dev/null
	'

	test_expect_success "--faults $faults: the child copied 25 % of the shared buffer (10 %)" '
		copied=$(kv "$TMP/$faults.out" copied) &&
		got=$(jq "[.forks[] | select(.child_traced)][0].copied_by_child" "$TMP/cow.$faults.json") &&
		echo "faultline $got pages, the program $copied" &&
		within "$got" "$copied" 10
	'
done

test_done
