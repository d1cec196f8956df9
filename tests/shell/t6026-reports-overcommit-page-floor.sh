#!/bin/sh
# A heap block smaller than a page is no reservation, whatever --large
# says: `record --all --large 1` puts every call on a line, and the
# overcommit section must still weigh only the blocks with pages of their
# own (a million small blocks used to make a million reservations, and the
# report's peak). The blocks of a page or more stay reservations: every one
# the default --large weighs is still weighed.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

[ "$(cat /proc/sys/vm/overcommit_memory)" != 2 ] || skip_all "strict overcommit (mode 2) is on"
page=$(getconf PAGESIZE)

# every heap function, with sizes from 1 byte to a few pages, and a few large blocks
"$FL" record -q --all --large 1 -o "$TMP/one" -- "$PROGS/p_heap_counts" 1 200 >"$TMP/out1" || exit 1
run_traced "$TMP/def" "$PROGS/p_heap_counts" 1 200 >"$TMP/out2" || exit 1
report_json "$TMP/one" overcommit >"$TMP/one.json" || exit 1
report_json "$TMP/def" overcommit >"$TMP/def.json" || exit 1

test_expect_success 'the trace with --large 1 holds blocks smaller than a page' '
	zstdcat -f "$TMP"/one/*.ndjson* | grep "\"e\":\"hc\"" >/dev/null ||
		zstdcat -f "$TMP"/one/*.ndjson* | grep -q "\"e\":\"alloc\".*\"size\":[0-9]\{1,3\},"
'

test_expect_success 'no reservation is smaller than a page' '
	jq -e --argjson page "$page" "[.processes[].by_site[] | select(.reserved < $page * .count)] | length == 0" \
		"$TMP/one.json" >/dev/null
'

test_expect_success 'every reservation the default --large weighs is still weighed' '
	def=$(jq "[.processes[0].by_site[].reserved] | add" "$TMP/def.json") &&
	one=$(jq "[.processes[0].by_site[].reserved] | add" "$TMP/one.json") &&
	test "$def" -gt 0 && test "$one" -ge "$def"
'
test_done
