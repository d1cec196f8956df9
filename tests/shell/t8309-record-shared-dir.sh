#!/bin/sh
# record -o refuses a directory other users can write into, sticky or not
# (/tmp itself): they could add *.ndjson files that the report reads as this
# run's, or a FIFO that blocks it. A new subdirectory of it is fine: record
# creates it private (0700).
. "$(dirname "$0")/lib.sh"

test_expect_success 'record -o /tmp is refused, with the reason and a way out' '
	! "$FL" record -q -o /tmp -- true 2>"$TMP/tmp.err" &&
	grep -q "^faultline: trace directory '\''/tmp'\'' is world-writable" "$TMP/tmp.err" &&
	grep -q "new subdirectory" "$TMP/tmp.err"
'

test_expect_success 'an empty sticky world-writable directory of our own is refused' '
	mkdir "$TMP/shared" && chmod 1777 "$TMP/shared" &&
	! "$FL" record -q -o "$TMP/shared" -- true 2>"$TMP/shared.err" &&
	grep -q "world-writable (mode 1777)" "$TMP/shared.err" &&
	! ls "$TMP"/shared/*.ndjson 2>/dev/null
'

test_expect_success 'a new subdirectory of it is created 0700 and used' '
	"$FL" record -q -o "$TMP/shared/new" -- true &&
	ls "$TMP"/shared/new/*.ndjson >/dev/null &&
	echo 700 >"$TMP/mode.expect" &&
	stat -c %a "$TMP/shared/new" >"$TMP/mode.out" &&
	diff -u "$TMP/mode.expect" "$TMP/mode.out"
'

test_expect_success 'a directory of our own that only we and our group write is fine' '
	mkdir "$TMP/team" && chmod 2770 "$TMP/team" &&
	"$FL" record -q -o "$TMP/team" -- true &&
	ls "$TMP"/team/*.ndjson >/dev/null
'
test_done
