#!/bin/sh
# report in a directory others could write to: a FIFO named *.ndjson does
# not hang it, a symlinked trace file is refused without quoting the
# target, an empty file (a child killed at start) is only a warning.
. "$(dirname "$0")/lib.sh"

hdr='{"e":"header","t":0,"v":1,"pid":100,"ppid":1,"exe":"/bin/x","argv":["x"],"page_size":4096}'
heap='{"e":"heap","t":50,"seq":9,"calls":{"malloc":3,"free":1},"bytes":{"malloc":300},"live":200,"peak":300}'
mkdir "$TMP/d" && printf '%s\n%s\n' "$hdr" "$heap" >"$TMP/d/100.ndjson"

test_expect_success 'a FIFO named *.ndjson is refused, not waited on' '
	mkdir "$TMP/fifo" && cp "$TMP/d/100.ndjson" "$TMP/fifo/" && mkfifo "$TMP/fifo/200.ndjson" &&
	{ timeout 10 "$FL_SAN" report "$TMP/fifo" >"$TMP/out" 2>"$TMP/err"; test $? -eq 1; } &&
	grep -q "200.ndjson. is not a regular file" "$TMP/err" &&
	grep -q "malloc 3 (300 B)" "$TMP/out" &&
	{ timeout 10 "$FL_SAN" report "$TMP/fifo/200.ndjson" 2>"$TMP/err"; test $? -eq 1; } &&
	grep -q "not a regular file" "$TMP/err"
'

test_expect_success 'a symlinked trace file is refused and its target not quoted' '
	mkdir "$TMP/link" && cp "$TMP/d/100.ndjson" "$TMP/link/" &&
	echo "SECRETTOKEN and more" >"$TMP/secret" &&
	ln -s "$TMP/secret" "$TMP/link/300.ndjson" &&
	{ "$FL_SAN" report "$TMP/link" >"$TMP/out" 2>"$TMP/err"; test $? -eq 1; } &&
	grep -q "300.ndjson. is a symbolic link" "$TMP/err" &&
	! grep -q SECRETTOKEN "$TMP/err" "$TMP/out" &&
	grep -q "malloc 3 (300 B)" "$TMP/out"
'

test_expect_success 'a file that is not a trace is refused without quoting it' '
	echo "SECRETTOKEN and more" >"$TMP/link/400.ndjson" &&
	{ "$FL_SAN" report "$TMP/link/400.ndjson" 2>"$TMP/err"; test $? -eq 1; } &&
	grep -q "400.ndjson:1: not a faultline trace" "$TMP/err" &&
	! grep -q SECRETTOKEN "$TMP/err"
'

test_expect_success 'an empty trace file is a warning and the rest is read (exit 0)' '
	mkdir "$TMP/empty" && cp "$TMP/d/100.ndjson" "$TMP/empty/" && : >"$TMP/empty/500.ndjson" &&
	"$FL_SAN" report "$TMP/empty" >"$TMP/out" 2>"$TMP/err" &&
	grep -q "^faultline: warning: .*500.ndjson. is empty: the process may have been killed at start" "$TMP/err" &&
	grep -q "malloc 3 (300 B)" "$TMP/out"
'

test_expect_success 'a directory of only empty files still has no usable trace' '
	mkdir "$TMP/allempty" && : >"$TMP/allempty/1.ndjson" &&
	{ "$FL_SAN" report "$TMP/allempty" 2>"$TMP/err"; test $? -eq 1; } &&
	grep -q "no usable trace" "$TMP/err"
'
test_done
