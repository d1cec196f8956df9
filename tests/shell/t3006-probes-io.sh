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

test_expect_success 'an fd number reused for another file within a tick: each file keeps its own reads' '
	head -c 40960 /dev/urandom >"$TMP/a" && head -c 10000 /dev/urandom >"$TMP/b" &&
	"$FL" record -q -o "$TMP/reuse" -- "$PROGS/p_io_reuse" "$TMP/a" "$TMP/b" >"$TMP/reuse.out" &&
	o=$TMP/reuse.out &&
	"$FL_SAN" report --json --section io "$TMP/reuse" >"$TMP/reuse.json" &&
	jq -c ".sections.io.processes[0].files | map({fd, path, calls, bytes}) | sort_by(.path)" "$TMP/reuse.json" >"$TMP/got" &&
	echo "[{\"fd\":$(kv "$o" fd_a),\"path\":\"$TMP/a\",\"calls\":$(kv "$o" calls_a),\"bytes\":$(kv "$o" bytes_a)},{\"fd\":$(kv "$o" fd_b),\"path\":\"$TMP/b\",\"calls\":$(kv "$o" calls_b),\"bytes\":$(kv "$o" bytes_b)}]" >"$TMP/want" &&
	diff -u "$TMP/want" "$TMP/got"
'

test_done
