#!/bin/sh
# --all with threads allocating at one site at once, mostly far below its
# peak (where each thread counts its calls against headroom the site
# granted it) and then up to a new peak: the site's figures stay exact.
# Oracle: the program's own constants and the bytes it asked for; the site
# found as in t1006.
. "$(dirname "$0")/lib.sh"

command -v nm >/dev/null 2>&1 || skip_all "nm not installed"

test_expect_success 'record p_heap_rooms with --all' '
	"$FL" record -q --all -o "$TMP/a" -- "$PROGS/p_heap_rooms" >"$TMP/own" &&
	cat "$TMP"/a/*.ndjson >"$TMP/trace" &&
	jq -r "\"T=\(.threads) W=\(.warm) R=\(.rounds) K=\(.keep) C=\(.churn) P=\(.top) L=\(.leak) B=\(.bytes)\"" \
		"$TMP/own" >"$TMP/consts"
'

SITE_PROG=$PROGS/p_heap_rooms
. tests/shell/heap/site.sh

test_expect_success 'the site: every call counted, the leaks live, the peak exact' '
	. "$TMP/consts" && site site_alloc >"$TMP/s.json" && cat "$TMP/s.json" &&
	jq -e ".n == 1 and .allocs == $T * ($R * $W + $K + $C + $P + $L) and
		.frees == $T * ($R * $W + $K + $C + $P) and .bytes == $B and
		.live == $T * $L * 40 and .peak == $T * $P * 96" "$TMP/s.json" >/dev/null
'

test_expect_success 'the heap report shows the same peak and leak' '
	. "$TMP/consts" &&
	"$FL" report --json --section heap "$TMP/a" >"$TMP/r.json" &&
	jq -e --argjson peak $((T * P * 96)) \
		"[.. | objects | select(.peak_live? == \$peak)] | length >= 1" "$TMP/r.json" >/dev/null
'
test_done
