#!/bin/sh
# faultline report on broken traces: FILE:LINE messages, exit 1, the rest analysed,
# never a crash (also under ASan/UBSan).
. "$(dirname "$0")/lib.sh"

expect_code() { # CODE COMMAND...: runs COMMAND, succeeds if it exits with CODE
	_want=$1
	shift
	"$@"
	_got=$?
	[ "$_got" -eq "$_want" ] || { echo "exit $_got, wanted $_want: $*" >&2; return 1; }
}

hdr='{"e":"header","t":0,"v":1,"pid":100,"ppid":1,"parent":{"pid":1,"kind":"none"},"exe":"/bin/x","argv":["x"],"start_realtime_ns":1000,"page_size":4096}'
heap='{"e":"heap","t":50,"seq":9,"calls":{"malloc":3,"free":1},"bytes":{"malloc":300},"live":200,"peak":300}'
mkdir -p "$TMP/good" && printf '%s\n%s\n' "$hdr" "$heap" >"$TMP/good/100.ndjson"

for cli in "$FL" "$FL_SAN"; do
	test_expect_success "a good trace reports with exit 0 ($(basename "$(dirname "$cli")"))" '
		"$cli" report "$TMP/good" >"$TMP/out" 2>"$TMP/err" &&
		! test -s "$TMP/err" &&
		grep -q "malloc 3 (300 B)" "$TMP/out"
	'

	test_expect_success 'an empty file is a warning, the other files are still read' '
		rm -rf "$TMP/e" && cp -r "$TMP/good" "$TMP/e" && : >"$TMP/e/7.ndjson" &&
		expect_code 0 "$cli" report "$TMP/e" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "faultline: warning: .*/7.ndjson.* is empty" "$TMP/err" &&
		grep -q "malloc 3 (300 B)" "$TMP/out"
	'

	test_expect_success 'binary garbage is refused at line 1' '
		head -c 3000 /bin/sh >"$TMP/garbage.ndjson" &&
		expect_code 1 "$cli" report "$TMP/garbage.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "garbage.ndjson:1: not a faultline trace" "$TMP/err" &&
		test $(wc -l <"$TMP/err") -le 2
	'

	# What a process killed inside a write leaves: the end of the
	# trace, a warning (as a cut zstd frame is), not an error.
	test_expect_success 'a truncated last line is a warning with its line number, skipped' '
		printf "%s\n%s\n{\"e\":\"free\",\"t\":60,\"se" "$hdr" "$heap" >"$TMP/trunc.ndjson" &&
		expect_code 0 "$cli" report "$TMP/trunc.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "warning: .*trunc.ndjson:3: truncated last line" "$TMP/err" &&
		grep -q "malloc 3 (300 B)" "$TMP/out"
	'

	test_expect_success 'a line with wrong types names the key and the rest is read' '
		printf "%s\n%s\n%s\n" "$hdr" "{\"e\":\"alloc\",\"t\":5,\"seq\":1,\"addr\":\"0x10\",\"size\":\"big\"}" "$heap" >"$TMP/types.ndjson" &&
		expect_code 1 "$cli" report "$TMP/types.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "types.ndjson:2: .size. should be a non-negative integer, not a string" "$TMP/err" &&
		grep -q "malloc 3 (300 B)" "$TMP/out"
	'

	test_expect_success 'a missing header is reported' '
		printf "%s\n" "$heap" >"$TMP/nohdr.ndjson" &&
		expect_code 1 "$cli" report "$TMP/nohdr.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		grep -q "nohdr.ndjson:1: missing header" "$TMP/err"
	'

	test_expect_success 'a newer schema is refused with both versions' '
		printf "%s\n" "{\"e\":\"header\",\"t\":0,\"v\":7,\"pid\":1,\"whatever\":[1]}" >"$TMP/new.ndjson" &&
		expect_code 1 "$cli" report "$TMP/new.ndjson" >"$TMP/out" 2>"$TMP/err" &&
		v=$(sed -n "s/^#define FL_TRACE_VERSION //p" "$top/include/faultline/schema.h") &&
		grep -q "new.ndjson:1: trace schema version 7 is newer than this faultline understands ($v)" "$TMP/err"
	'
done

test_expect_success 'a missing trace and a bad option are told apart (exit 1 vs 2)' '
	expect_code 1 "$FL" report "$TMP/none" 2>"$TMP/err" &&
	grep -q "cannot open" "$TMP/err" &&
	expect_code 2 "$FL" report --bogus "$TMP/good" 2>/dev/null &&
	expect_code 2 "$FL" report --section nosuch "$TMP/good" 2>/dev/null
'

test_expect_success 'many bad lines: the first ten are shown, all are counted' '
	{ echo "$hdr"; for i in $(seq 1 50); do echo "{bad"; done; echo "$heap"; } >"$TMP/many.ndjson" &&
	expect_code 1 "$FL" report --json "$TMP/many.ndjson" >"$TMP/out" 2>"$TMP/err" &&
	test $(grep -c "not valid JSON" "$TMP/err") -eq 10 &&
	grep -q "40 more bad lines" "$TMP/err" &&
	jq -e ".errors == 50" "$TMP/out" >/dev/null
'
test_done
