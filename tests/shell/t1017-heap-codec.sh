#!/bin/sh
# The compact heap lines (hc) of each trace version read back into the
# calls the program made: a committed version 2 trace (calls as integers,
# ns times) reads as its per-call twin recorded by the same build; a
# recording in version 3's columns (calls as columns of digits, us times;
# the default) of a program calling every heap function reads as
# its per-call form; zstdcat of a compressed trace gives back NDJSON.
# Version 4's coded lines: t1013.
. "$(dirname "$0")/lib.sh"

fixtures=$top/tests/shell/heap
# The heap figures the reader derives from the per-call records.
figures() {
	"$FL" report --json --no-symbols --section heap "$1" |
		jq -c '{errors, records: .sections.heap.records,
			leaked_bytes: .sections.heap.leaked_bytes,
			leaked_blocks: .sections.heap.leaked_blocks,
			bytes: .sections.heap.flame.bytes, calls: .sections.heap.totals.calls}'
}

test_expect_success 'the version 2 fixture holds compact lines as integers' '
	grep -q "\"v\":2," "$fixtures/v2-compact.ndjson" &&
	grep -q "\"e\":\"hc\".*\"d\":\[" "$fixtures/v2-compact.ndjson" &&
	! grep -q "\"e\":\"hc\"" "$fixtures/v2-percall.ndjson"
'

test_expect_success 'a version 2 compact trace reads as its per-call twin' '
	figures "$fixtures/v2-compact.ndjson" >"$TMP/v2c" &&
	figures "$fixtures/v2-percall.ndjson" >"$TMP/v2p" &&
	jq -e ".errors == 0 and .records > 0 and .bytes > 0" "$TMP/v2c" >/dev/null &&
	diff -u "$TMP/v2p" "$TMP/v2c"
'

command -v setarch >/dev/null 2>&1 || skip_all "setarch not installed"

test_expect_success 'record every heap function in both forms (version 3)' '
	for c in 0 3; do
		FAULTLINE_COMPACT=$c setarch -R "$FL" record -q --all --large 1 \
			-o "$TMP/c$c" -- "$PROGS/p_heap_counts" 1 300 >"$TMP/own$c" || return 1
	done &&
	mv "$TMP/c3" "$TMP/c1" && mv "$TMP/own3" "$TMP/own1" &&
	grep -q "\"e\":\"hc\".*\"k\":\"" "$TMP"/c1/*.ndjson
'

test_expect_success 'the columns read as the per-call lines' '
	figures "$TMP/c1" >"$TMP/f1" && figures "$TMP/c0" >"$TMP/f0" &&
	jq -e ".errors == 0" "$TMP/f1" >/dev/null &&
	jq -e -s ".[0].records >= ([.[1].calls | to_entries[] | select(.key != \"free\") |
		.value] | add)" "$TMP/f1" "$TMP/own1" >/dev/null &&
	diff -u "$TMP/f0" "$TMP/f1"
'

test_expect_success 'the fast path and jansson read the columns alike' '
	FAULTLINE_NO_FAST_PATH=1 figures "$TMP/c1" >"$TMP/f1slow" &&
	diff -u "$TMP/f1slow" "$TMP/f1"
'

test_expect_success 'zstdcat of a trace compressed by default is NDJSON with the same calls' '
	env -u FAULTLINE_COMPRESS "$FL" record -q --all --large 1 -o "$TMP/z" -- \
		"$PROGS/p_heap_counts" 1 300 >/dev/null &&
	mkdir "$TMP/u" && for f in "$TMP"/z/*.ndjson.zst; do
		b=$(basename "$f" .zst) && zstdcat "$f" >"$TMP/u/$b" || return 1
	done &&
	jq -c . "$TMP"/u/*.ndjson >/dev/null &&
	grep -q "\"e\":\"hc\".*\"k\":\"" "$TMP"/u/*.ndjson &&
	figures "$TMP/z" >"$TMP/fz" && figures "$TMP/u" >"$TMP/fu" &&
	diff -u "$TMP/fu" "$TMP/fz"
'
test_done
