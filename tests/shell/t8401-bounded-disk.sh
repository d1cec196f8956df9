#!/bin/sh
# A trace never fills its disk nor grows at a rate no real run needs: the
# recording stops (the program runs on unchanged, the totals are still
# written) and a note says why. The thresholds are lowered for the test
# with FAULTLINE_KEEP_FREE and FAULTLINE_RATE_LIMIT (doc/limits.md).
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

"$PROGS/p_trace_steady" 6 >"$TMP/native.out" || exit 1

# Unbounded, this run writes about 11 MB at about 1.9 MB/s with one line
# per heap call (the compact form writes 20 times less, under the limit);
# the limit stops it after 3 s over the limit.
test_expect_success 'a process writing faster than the rate limit stops recording, with a note' '
	FAULTLINE_COMPACT=0 FAULTLINE_RATE_LIMIT=100000 "$FL" record -q -o "$TMP/rate" -- \
		"$PROGS/p_trace_steady" 6 >"$TMP/rate.out" &&
	diff -u "$TMP/native.out" "$TMP/rate.out" &&
	f=$(ls "$TMP"/rate/*.ndjson) &&
	grep "\"e\":\"note\"" "$f" |
		jq -e "select(.what == \"stopped\") | .why | test(\"faster\")" >/dev/null &&
	at_least 9000000 "$(stat -c %s "$f")" &&
	tail -n 1 "$f" | jq -e ".e == \"exit\"" >/dev/null &&
	test "$(grep "\"e\":\"heap\"" "$f" | tail -n 1 | jq .calls.malloc)" -ge 60000
'

test_expect_success '--max-size lifts the rate limit' '
	FAULTLINE_COMPACT=0 FAULTLINE_RATE_LIMIT=100000 "$FL" record -q --max-size 100M \
		-o "$TMP/rate2" -- \
		"$PROGS/p_trace_steady" 6 >"$TMP/rate2.out" &&
	diff -u "$TMP/native.out" "$TMP/rate2.out" &&
	! grep -h "\"what\":\"stopped\"" "$TMP"/rate2/*.ndjson
'

test_expect_success 'the trace stops before its filesystem is left with less than the free space kept' '
	is_root || exit 0
	mkdir "$TMP/small" &&
	if ! mount -t tmpfs -o size=32m,mode=700 tmpfs "$TMP/small" 2>/dev/null; then
		say "# skipped: cannot mount a small tmpfs"; exit 0
	fi
	# one line per heap call (not the compact form): enough bytes to reach the reserve
	FAULTLINE_COMPACT=0 FAULTLINE_KEEP_FREE=$((30 * 1024 * 1024)) "$FL" record -q -o "$TMP/small/t" -- \
		"$PROGS/p_trace_steady" 3 >"$TMP/disk.out"
	st=$?
	cp -r "$TMP/small/t" "$TMP/disk"
	umount "$TMP/small"
	test $st -eq 0 && "$PROGS/p_trace_steady" 3 | diff -u - "$TMP/disk.out" &&
	f=$(ls "$TMP"/disk/*.ndjson) &&
	at_least $((2 * 1024 * 1024)) "$(stat -c %s "$f")" &&
	grep "\"e\":\"note\"" "$f" |
		jq -e "select(.what == \"stopped\") | .why | test(\"nearly full\")" >/dev/null &&
	tail -n 1 "$f" | jq -e ".e == \"exit\"" >/dev/null
'
test_done
