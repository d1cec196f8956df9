#!/bin/sh
# The compact heap lines ("hc", the default) read back into the same model
# as one line per call (FAULTLINE_COMPACT=0): the same program recorded
# both ways gives the same heap report; a trace killed with SIGKILL reads
# up to its last complete line.
. "$(dirname "$0")/lib.sh"

command -v setarch >/dev/null 2>&1 || skip_all "setarch not installed"

# The heap section without what differs between two runs of one program.
heap_json() {
	"$FL" report --json --section heap "$1" |
		jq -S 'del(.trace, .events) | walk(if type == "object" then del(.pid, .key) else . end)' |
		sed 's/ \[[0-9][0-9]*\]"/"/g'
}

test_expect_success 'record p_heap_leak with --all --large 1, both forms' '
	for c in 0 1; do
		FAULTLINE_COMPACT=$c setarch -R "$FL" record -q --all --large 1 \
			-o "$TMP/c$c" -- "$PROGS/p_heap_leak" >/dev/null || return 1
	done &&
	! grep -q "\"e\":\"hc\"" "$TMP"/c0/*.ndjson &&
	grep -q "\"e\":\"hc\"" "$TMP"/c1/*.ndjson &&
	! grep -q "\"e\":\"alloc\"" "$TMP"/c1/*.ndjson
'

test_expect_success 'the compact form is the smaller' '
	test "$(cat "$TMP"/c1/*.ndjson | wc -c)" -lt "$(cat "$TMP"/c0/*.ndjson | wc -c)"
'

test_expect_success 'both forms give the same heap report' '
	heap_json "$TMP/c0" >"$TMP/r0" && heap_json "$TMP/c1" >"$TMP/r1" &&
	jq -e "[.. | .allocs? // empty] | length > 0" "$TMP/r0" >/dev/null &&
	diff -u "$TMP/r0" "$TMP/r1"
'

test_expect_success 'kill -9 while writing compact lines' '
	mkdir "$TMP/k" &&
	{ LD_PRELOAD=$LIB FAULTLINE_OUT="$TMP/k" FAULTLINE_SAMPLE=1 FAULTLINE_LARGE=1 \
		FAULTLINE_INTERVAL_MS=20 "$PROGS/p_heap_sample" spin & } &&
	pid=$! && echo $pid >"$TMP/pid" &&
	f="$TMP/k/$pid.ndjson" && i=0 &&
	until [ -s "$f" ] && [ "$(grep -c "\"e\":\"hc\"" "$f")" -ge 4 ]; do
		i=$((i + 1)) && [ $i -le 1200 ] || { kill -KILL $pid; exit 1; }
		sleep 0.05
	done &&
	kill -KILL $pid &&
	{ wait $pid; test $? -eq 137; }
'

# The kill can land inside a write (the kernel stops a write to a file
# between pages for a fatal signal): the trace then ends in part of a line,
# which the report skips with a warning, as the end of the trace, not an
# error (exit 0).
test_expect_success 'the killed trace reads up to its last complete line' '
	pid=$(cat "$TMP/pid") && f="$TMP/k/$pid.ndjson" && mkdir "$TMP/w" &&
	if [ "$(tail -c 1 "$f" | od -An -c | tr -d " ")" = "\\n" ]; then
		cp "$f" "$TMP/w/$pid.ndjson" && cut=0
	else
		head -n -1 "$f" >"$TMP/w/$pid.ndjson" && cut=1
	fi &&
	test "$(grep -c "\"e\":\"hc\"" "$TMP/w/$pid.ndjson")" -ge 3 &&
	"$FL" report --json --section heap "$f" >"$TMP/k.json" 2>"$TMP/k.err" &&
	{ test $cut -eq 0 || grep -q "warning: .*:[0-9]*: truncated last line" "$TMP/k.err"; } &&
	"$FL" report --json --section heap "$TMP/w/$pid.ndjson" >"$TMP/w.json" &&
	jq -e ".errors == 0" "$TMP/k.json" >/dev/null &&
	jq -S "del(.trace)" "$TMP/k.json" >"$TMP/k.cmp" &&
	jq -S "del(.trace)" "$TMP/w.json" >"$TMP/w.cmp" &&
	diff -u "$TMP/w.cmp" "$TMP/k.cmp"
'
test_done
