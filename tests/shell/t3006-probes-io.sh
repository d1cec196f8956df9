#!/bin/sh
# Read-family calls per fd with the fd's path, against the program's count.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

test_expect_success 'read, pread, readv, preadv, preadv2 are counted per fd' '
	head -c 40960 /dev/urandom >"$TMP/data" &&
	"$FL" record -q --interval 50 -o "$TMP/r" -- "$PROGS/p_probe_read" "$TMP/data" 150 >"$TMP/r.out" &&
	fd=$(kv "$TMP/r.out" fd) && calls=$(kv "$TMP/r.out" calls) && bytes=$(kv "$TMP/r.out" bytes) &&
	jq -s -c --argjson fd "$fd" "[.[] | select(.e == \"io\") | .fds[] | select(.[0] == \$fd)] | last" \
		"$(trace_of "$TMP/r")" >"$TMP/io" && cat "$TMP/io" &&
	test "$(cat "$TMP/io")" = "[$fd,\"$TMP/data\",$calls,$bytes]"
'

test_expect_success 'an fd that is not read again is not repeated' '
	n=$(jq -s "[.[] | select(.e == \"io\")] | length" "$(trace_of "$TMP/r")") &&
	test "$n" -le 2
'

test_done
