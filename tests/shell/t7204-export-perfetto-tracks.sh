#!/bin/sh
# export --format perfetto: the live heap and RSS as counter tracks per
# process, an arrow (flow) from each fork to its child, and a track per
# thread, from the tids of the trace lines.
. "$(dirname "$0")/lib.sh"

[ -x "$SAMPLES/fork_cow" ] || skip_all "samples not built"
[ -x "$PROGS/p_heap_threads" ] || skip_all "test programs not built"

test_expect_success 'record fork_cow (two processes) and p_heap_threads (four threads)' '
	run_traced "$TMP/fk" "$SAMPLES/fork_cow" 16 50 child >/dev/null &&
	test "$(ls "$TMP"/fk/*.ndjson | wc -l)" -eq 2 &&
	"$FL" record -q --sample 64 -o "$TMP/th" -- "$PROGS/p_heap_threads" >"$TMP/th.out" &&
	"$FL_SAN" export --format perfetto -o "$TMP/fk.json" "$TMP/fk" &&
	"$FL_SAN" export --format perfetto -o "$TMP/th.json" "$TMP/th"
'

test_expect_success 'each process has a "heap live" counter with the trace heap ticks' '
	for f in "$TMP"/fk/*.ndjson "$TMP"/th/*.ndjson; do
		pid=$(head -1 "$f" | jq .pid) &&
		grep "\"e\":\"heap\"" "$f" | jq -s -c "map(.live)" >"$TMP/want" &&
		cat "$TMP/fk.json" "$TMP/th.json" |
			jq -s -c "[.[].traceEvents[] | select(.ph == \"C\" and .name == \"heap live\" and .pid == $pid) | .args.live]" >"$TMP/got" &&
		diff -u "$TMP/want" "$TMP/got" && test "$(cat "$TMP/got")" != "[]" || exit 1
	done
'

test_expect_success 'each process has an "RSS" counter' '
	for f in "$TMP"/fk/*.ndjson; do
		pid=$(head -1 "$f" | jq .pid) &&
		jq -e "[.traceEvents[] | select(.ph == \"C\" and .name == \"RSS\" and .pid == $pid and (.args.anon | type) == \"number\")] | length > 0" "$TMP/fk.json" >/dev/null || exit 1
	done
'

test_expect_success 'a flow goes from the fork in the parent to the start of the child' '
	parent_file=$(grep -l "\"e\":\"fork\"" "$TMP"/fk/*.ndjson) &&
	parent=$(head -1 "$parent_file" | jq .pid) &&
	child=$(grep "\"e\":\"fork\"" "$parent_file" | jq .child) &&
	jq -c "[.traceEvents[] | select(.ph == \"s\" and .cat == \"fork\")] | map({id, pid})" "$TMP/fk.json" >"$TMP/s" &&
	jq -c "[.traceEvents[] | select(.ph == \"f\" and .cat == \"fork\")] | map({id, pid})" "$TMP/fk.json" >"$TMP/f" &&
	jq -e "length == 1 and .[0].pid == $parent" "$TMP/s" >/dev/null &&
	jq -e "length == 1 and .[0].pid == $child" "$TMP/f" >/dev/null &&
	jq -e --slurpfile s "$TMP/s" ".[0].id == \$s[0][0].id" "$TMP/f" >/dev/null &&
	fork_ts=$(jq "[.traceEvents[] | select(.ph == \"s\")][0].ts" "$TMP/fk.json") &&
	jq -e "[.traceEvents[] | select(.ph == \"X\" and .pid == $child and .tid == $child)][0].ts == ([.traceEvents[] | select(.ph == \"f\")][0].ts) and ([.traceEvents[] | select(.ph == \"f\")][0].ts >= $fork_ts)" "$TMP/fk.json" >/dev/null
'

test_expect_success 'every thread of the trace lines has its named track, with a slice' '
	pid=$(head -1 "$TMP"/th/*.ndjson | jq .pid) &&
	cat "$TMP"/th/*.ndjson | jq -s -c "[.[] | select(.tid != null and .tid != $pid) | .tid] | unique" >"$TMP/want" &&
	jq -e "length == 4" "$TMP/want" >/dev/null &&
	jq -c "[.traceEvents[] | select(.ph == \"M\" and .name == \"thread_name\" and .tid != .pid) | .tid] | unique" "$TMP/th.json" >"$TMP/named" &&
	jq -c "[.traceEvents[] | select(.ph == \"X\" and .tid != .pid) | .tid] | unique" "$TMP/th.json" >"$TMP/sliced" &&
	diff -u "$TMP/want" "$TMP/named" && diff -u "$TMP/want" "$TMP/sliced"
'
test_done
