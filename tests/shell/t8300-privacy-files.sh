#!/bin/sh
# Trace files are private: 0600 in a 0700 directory, created O_EXCL|O_NOFOLLOW
# so that a symlink planted at a trace path is never followed; record refuses
# directories others can write into or that belong to someone else.
. "$(dirname "$0")/lib.sh"

test_expect_success 'record creates a 0700 directory of 0600 files' '
	"$FL" record -q -o "$TMP/a" -- sh -c "true; /bin/true" &&
	test "$(stat -c %a "$TMP/a")" = 700 &&
	ls "$TMP"/a/*.ndjson >/dev/null &&
	for f in "$TMP"/a/*.ndjson; do test "$(stat -c %a "$f")" = 600 || exit 1; done
'

test_expect_success 'trace files are 0600 whatever the umask' '
	mkdir -m 700 "$TMP/um" &&
	(umask 0 && LD_PRELOAD=$LIB FAULTLINE_OUT=$TMP/um /bin/true) &&
	for f in "$TMP"/um/*.ndjson; do test "$(stat -c %a "$f")" = 600 || exit 1; done
'

# The shell learns its pid first, plants the link, then execs the traced
# program under that same pid.
test_expect_success 'a symlink planted at the trace path is not followed' '
	mkdir -m 700 "$TMP/sl" && echo precious >"$TMP/victim" &&
	LIB=$LIB sh -c "ln -s \"$TMP/victim\" \"$TMP/sl/\$\$.ndjson\" &&
		LD_PRELOAD=\$LIB FAULTLINE_OUT=\"$TMP/sl\" exec /bin/echo traced" >"$TMP/sl.out" &&
	test "$(cat "$TMP/sl.out")" = traced &&
	test "$(cat "$TMP/victim")" = precious &&
	ls "$TMP"/sl/*.1.ndjson >/dev/null &&
	head -n 1 "$TMP"/sl/*.1.ndjson | jq -e ".e == \"header\"" >/dev/null
'

test_expect_success 'a dangling symlink at the trace path creates nothing' '
	mkdir -m 700 "$TMP/dl" &&
	LIB=$LIB sh -c "ln -s \"$TMP/created-by-shim\" \"$TMP/dl/\$\$.ndjson\" &&
		LD_PRELOAD=\$LIB FAULTLINE_OUT=\"$TMP/dl\" exec /bin/true" &&
	! test -e "$TMP/created-by-shim" &&
	ls "$TMP"/dl/*.1.ndjson >/dev/null
'

# With the sticky bit too: t8304.
test_expect_success 'record refuses a world-writable directory, writing nothing' '
	mkdir "$TMP/ww" && chmod 777 "$TMP/ww" &&
	! "$FL" record -q -o "$TMP/ww" -- /bin/true 2>"$TMP/ww.err" &&
	grep -q "world-writable" "$TMP/ww.err" &&
	! ls "$TMP"/ww/*.ndjson 2>/dev/null
'

test_expect_success 'record refuses a directory that belongs to another user' '
	is_root || exit 0
	mkdir "$TMP/other" && chown 65534 "$TMP/other" &&
	! "$FL" record -q -o "$TMP/other" -- /bin/true 2>"$TMP/other.err" &&
	grep -q "another user" "$TMP/other.err"
'

test_expect_success 'record refuses a symlink given as the directory' '
	mkdir -m 700 "$TMP/real" && ln -s "$TMP/real" "$TMP/link" &&
	! "$FL" record -q -o "$TMP/link" -- /bin/true 2>"$TMP/link.err" &&
	! ls "$TMP"/real/*.ndjson 2>/dev/null
'
test_done
