#!/bin/sh
# Version 4's coded heap lines ("r", asked for with record --coded-heap)
# read back exactly as version 3's columns (the default) of the same
# program: the heap report and its JSON are byte for byte the same, by the
# fast path and by jansson; a coded string that is not what the shim wrote
# is reported with its file and line, never guessed at.
. "$(dirname "$0")/lib.sh"

command -v setarch >/dev/null 2>&1 || skip_all "setarch not installed"
export FAULTLINE_COMPRESS=0

test_expect_success 'record every heap function in both forms' '
	setarch -R "$FL" record -q --all --large 1 -o "$TMP/c3" -- \
		"$PROGS/p_heap_counts" 1 3000 >/dev/null &&
	setarch -R "$FL" record -q --all --large 1 --coded-heap -o "$TMP/c1" -- \
		"$PROGS/p_heap_counts" 1 3000 >/dev/null &&
	v=$(sed -n "s/^#define FL_TRACE_VERSION //p" "$top/include/faultline/schema.h") &&
	grep -q "\"v\":$v," "$TMP"/c1/*.ndjson &&
	grep -q "\"e\":\"hc\".*\"m\":[0-9]*,\"r\":\"[A-Za-z0-9+/]*\"" "$TMP"/c1/*.ndjson &&
	! grep -q "\"e\":\"hc\".*\"k\":\"" "$TMP"/c1/*.ndjson &&
	grep -q "\"e\":\"hc\".*\"k\":\"" "$TMP"/c3/*.ndjson &&
	! grep -q "\"e\":\"hc\".*\"r\":\"" "$TMP"/c3/*.ndjson
'

test_expect_success 'the coded lines are the smaller' '
	test "$(grep "\"e\":\"hc\"" "$TMP"/c1/*.ndjson | wc -c)" -lt \
		"$(grep "\"e\":\"hc\"" "$TMP"/c3/*.ndjson | wc -c)"
'

test_expect_success 'the heap report is byte for byte the same' '
	"$FL" report --no-symbols --section heap "$TMP/c3" >"$TMP/r3" &&
	"$FL" report --no-symbols --section heap "$TMP/c1" >"$TMP/r1" &&
	grep -q . "$TMP/r1" &&
	diff -u "$TMP/r3" "$TMP/r1"
'

# The heap section and the error count, without the pid (two runs, two pids).
heap_json() {
	"$FL" report --json --no-symbols --section heap "$1" |
		jq -S "(.sections.heap | walk(if type == \"object\" then del(.pid, .key) else . end)),
			.errors" | sed "s/ \[[0-9][0-9]*\]\"/\"/g"
}

test_expect_success 'and its JSON, by the fast path and by jansson' '
	heap_json "$TMP/c3" >"$TMP/j3" &&
	heap_json "$TMP/c1" >"$TMP/j1" &&
	FAULTLINE_NO_FAST_PATH=1 heap_json "$TMP/c1" >"$TMP/j1slow" &&
	jq -e -s ".[0].records > 1000 and .[1] == 0" "$TMP/j1" >/dev/null &&
	diff -u "$TMP/j3" "$TMP/j1" && diff -u "$TMP/j3" "$TMP/j1slow"
'

test_expect_success 'a coded string with a character out of base64: file, line, message' '
	mkdir "$TMP/bad" && f=$(ls "$TMP"/c1/*.ndjson) &&
	n=$(grep -n "\"e\":\"hc\"" "$f" | head -1 | cut -d: -f1) &&
	sed "${n}s/\"r\":\"\(...\)./\"r\":\"\1!/" "$f" >"$TMP/bad/1.ndjson" &&
	{ "$FL" report --no-symbols --section heap "$TMP/bad" >/dev/null 2>"$TMP/err"
		test $? -eq 1; } &&
	grep "^faultline: $TMP/bad/1.ndjson:$n: a coded heap calls string that is not base64" \
		"$TMP/err"
'

test_expect_success 'a coded string cut short: file, line, message' '
	f=$(ls "$TMP"/c1/*.ndjson) &&
	n=$(grep -n "\"e\":\"hc\"" "$f" | head -1 | cut -d: -f1) &&
	sed "${n}s/....\"}$/\"}/" "$f" >"$TMP/bad/1.ndjson" &&
	{ "$FL" report --no-symbols --section heap "$TMP/bad" >/dev/null 2>"$TMP/err"
		test $? -eq 1; } &&
	grep "^faultline: $TMP/bad/1.ndjson:$n: a coded heap calls string" "$TMP/err"
'
test_done
