#!/bin/sh
# faultline record runs a program unchanged and leaves a readable trace.
. "$(dirname "$0")/lib.sh"

test_expect_success 'record returns the program exit status and output' '
	"$FL" record -q -o "$TMP/a" -- sh -c "echo hello; exit 7" >"$TMP/out" 2>"$TMP/err"
	test $? -eq 7 && test "$(cat "$TMP/out")" = hello
'

test_expect_success 'a signal death is reported as 128+N' '
	"$FL" record -q -o "$TMP/b" -- sh -c "kill -TERM \$\$"
	test $? -eq 143
'

test_expect_success 'trace files are private and start with a header' '
	f=$(ls "$TMP"/a/*.ndjson | head -1) &&
	test "$(stat -c %a "$f")" = 600 &&
	v=$(sed -n "s/^#define FL_TRACE_VERSION \([0-9]*\)$/\1/p" include/faultline/schema.h) &&
	head -1 "$f" | jq -e ".e == \"header\" and .v == $v" >/dev/null
'

test_expect_success 'every line of the trace is valid JSON' '
	for f in "$TMP"/a/*.ndjson; do jq -c . "$f" >/dev/null || exit 1; done
'

test_expect_success 'record refuses a world-writable directory without sticky bit' '
	mkdir "$TMP/ww" && chmod 777 "$TMP/ww" &&
	! "$FL" record -q -o "$TMP/ww" -- true 2>"$TMP/err" &&
	grep -q "world-writable" "$TMP/err"
'

test_expect_success 'record refuses a static program with a clear message' '
	if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
		! "$FL" record -q -o "$TMP/s" -- /bin/busybox true 2>"$TMP/err" &&
		grep -q "statically linked" "$TMP/err"
	fi
'
test_done
