#!/bin/sh
# A traced program killed with SIGKILL leaves a trace whose lines all parse,
# except possibly a truncated last one, and which holds what the ticks
# wrote before the kill.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0

test_expect_success 'kill -9 a program in the middle of allocating' '
	mkdir "$TMP/k" &&
	{ LD_PRELOAD=$LIB FAULTLINE_OUT="$TMP/k" FAULTLINE_INTERVAL_MS=20 "$PROGS/p_heap_sample" spin & } &&
	pid=$! && echo $pid >"$TMP/pid" &&
	# kill once the ticks have written what the last test looks for, one
	# line more as the last may be cut (not after a fixed sleep: a loaded
	# machine may not have got there); the bound is only against a hang
	f="$TMP/k/$pid.ndjson" && i=0 &&
	until [ -s "$f" ] && [ "$(grep -c "\"e\":\"heap\"" "$f")" -ge 4 ] &&
		[ "$(grep -c "\"e\":\"alloc\"" "$f")" -gt 11 ]; do
		i=$((i + 1)) && [ $i -le 1200 ] || { kill -KILL $pid; exit 1; }
		sleep 0.05
	done &&
	kill -KILL $pid &&
	{ wait $pid; test $? -eq 137; }
'

test_expect_success 'every complete line parses' '
	f="$TMP/k/$(cat "$TMP/pid").ndjson" && test -s "$f" &&
	if [ "$(tail -c 1 "$f" | od -An -c | tr -d " ")" = "\\n" ]; then
		jq -c . "$f" >/dev/null
	else
		head -n -1 "$f" | jq -c . >/dev/null &&
		! tail -n 1 "$f" | jq -c . >/dev/null 2>&1
	fi
'

test_expect_success 'the ticks before the kill are there: heap totals and samples' '
	f="$TMP/k/$(cat "$TMP/pid").ndjson" &&
	head -n -1 "$f" | jq -s -e "([.[] | select(.e == \"heap\")] | length) >= 3 and
		([.[] | select(.e == \"alloc\")] | length) > 10 and
		([.[] | select(.e == \"exit\")] | length) == 0" >/dev/null
'
test_done
