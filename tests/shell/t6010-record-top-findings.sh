#!/bin/sh
# record's closing summary ends with the top findings of every section: an
# overcommitting program's reservation that is barely touched comes first.
. "$(dirname "$0")/lib.sh"

test_expect_success 'the closing summary lists the top findings, warnings first' '
	FAULTLINE_QUIET= "$FL" record -o "$TMP/t" -- "$SAMPLES/overcommit" 1024 1 >"$TMP/out" 2>"$TMP/err" &&
	grep -q "^Top findings" "$TMP/err" &&
	sed -n "/^Top findings/,\$p" "$TMP/err" >"$TMP/top" &&
	sed -n 2p "$TMP/top" | grep -q "! \[overcommit\].*reserve_big.*touched only"
'
test_done
