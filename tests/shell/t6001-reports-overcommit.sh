#!/bin/sh
# The overcommit report against a program that reserves 8 GiB in one malloc
# and touches 10 % of it: touched 10 % +- 1 %, the allocating function named
# with its file:line, and the mechanism explained.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

ram_swap_kb=$(awk '/^(MemTotal|SwapTotal):/ { s += $2 } END { print s }' /proc/meminfo)
[ "$ram_swap_kb" -gt 9437184 ] || skip_all "8 GiB is more than RAM plus swap here; the heuristic mode would refuse it"
[ "$(cat /proc/sys/vm/overcommit_memory)" != 2 ] || skip_all "strict overcommit (mode 2) is on"

run_traced "$TMP/oc" "$SAMPLES/overcommit" 8192 10 >"$TMP/out" || skip_all "the sample could not reserve 8 GiB"
report_json "$TMP/oc" overcommit >"$TMP/r.json" || exit 1
# with symbols, for the function name (the sanitized build is slow on DWARF)
"$FL" report --json --section overcommit "$TMP/oc" | jq .sections.overcommit >"$TMP/rs.json"
site='.processes[0].by_site[0]'

test_expect_success 'the 8 GiB reservation is the top site' '
	reserved=$(truth "$TMP/out" reserved) &&
	jq -e "$site | .reserved >= $reserved and .reserved < $reserved + 65536 and .count == 1" "$TMP/r.json" >/dev/null
'

test_expect_success 'touched is 10% +- 1%, and agrees with the program within 1% of the reservation' '
	pct=$(jq "$site.touched_pct" "$TMP/r.json") &&
	awk -v p="$pct" "BEGIN { exit !(p >= 9 && p <= 11) }" &&
	touched=$(jq "$site.touched" "$TMP/r.json") &&
	awk -v a="$touched" -v b="$(truth "$TMP/out" touched_bytes)" -v r="$(truth "$TMP/out" reserved)" \
		"BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= r / 100) }"
'

test_expect_success 'the allocating function is named with file:line' '
	line=$(grep -n "p = malloc(bytes)" samples/overcommit.c | cut -d: -f1) &&
	jq -e "$site.site.site | .func == \"reserve_big\" and (.file | endswith(\"overcommit.c\")) and .line == $line" \
		"$TMP/rs.json" >/dev/null
'

test_expect_success 'Committed_AS, CommitLimit, mode and OOM score are reported' '
	jq -e ".processes[0] | .mode == $(cat /proc/sys/vm/overcommit_memory) and .commit_limit > 0 and
		.committed_as_peak >= 8589934592 and .oom_score_peak > 0" "$TMP/r.json" >/dev/null
'

test_expect_success 'the finding names overcommit and explains it' '
	jq -e "[.findings[] | select(.id == \"overcommit.site\" and .mechanism == \"overcommit\" and
		(.explain | test(\"address space\")))] | length == 1" "$TMP/r.json" >/dev/null
'

test_expect_success 'the text report names the site and its share' '
	"$FL" report --section overcommit "$TMP/oc" >"$TMP/r.txt" &&
	grep -q "reserve_big (overcommit.c:[0-9]*).*8.00 GiB.*10.0%" "$TMP/r.txt"
'
test_done
