#!/bin/sh
# The heap totals count every call of every function, with the bytes asked
# for, exactly: the difference between the "heap" lines written just before
# and just after p_heap_counts' window equals the program's own counts.
# "sampled" is the default mode with a sample every 64 bytes on average:
# nearly every block is kept, so moved (record.h), and its live bytes are
# still what the program's malloc_usable_size says.
. "$(dirname "$0")/lib.sh"

export FAULTLINE_INTERVAL_MS=20
delta() { # trace dir -> the window's totals, keys sorted
	jq -s -S -c -f tests/shell/heap/window-delta.jq "$1"/*.ndjson
}

for mode in default sampled all; do
	opt=
	[ $mode = all ] && opt=--all
	[ $mode = sampled ] && opt='--sample 64'
	for th in 1 8; do
		test_expect_success "$mode mode, $th thread(s): counts, bytes and live are exact" "
			\"\$FL\" record -q $opt -o \"\$TMP/$mode$th\" -- \"\$PROGS/p_heap_counts\" $th 6000 >\"\$TMP/$mode$th.own\" &&
			jq -S -c . \"\$TMP/$mode$th.own\" >\"\$TMP/$mode$th.expect\" &&
			delta \"\$TMP/$mode$th\" >\"\$TMP/$mode$th.got\" &&
			diff -u \"\$TMP/$mode$th.expect\" \"\$TMP/$mode$th.got\"
		"
	done
done

test_expect_success 'every function was exercised' '
	jq -e "[.calls[]] | all(. > 1000)" "$TMP/default8.own" >/dev/null
'
test_done
