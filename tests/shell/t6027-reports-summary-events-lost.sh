#!/bin/sh
# Heap events the shim could not keep are said in the summary, with their
# numbers from the trace's notes: "dropped" (an event that did not fit its
# thread's ring even after the ring was written out) and "ring_damaged"
# (the bytes of a ring given up from a record a stray write left, which
# t_evbuf makes happen). The numbers are summed over the notes; a trace
# without them has no such finding.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

"$FL" record -q --no-compress -o "$TMP/t" -- "$PROGS/p_heap_counts" >"$TMP/out" || exit 1
f=$(ls "$TMP"/t/*.ndjson)
cp -r "$TMP/t" "$TMP/lost"
g=$TMP/lost/$(basename "$f")
# The notes go before the exit line, as the shim writes them (at a tick).
seq=$(jq -s 'map(.seq) | max' "$f")
grep -v '"e":"exit"' "$f" >"$g"
for n in 1 2 3; do
	printf '{"e":"note","t":%d,"seq":%d,"what":"%s","why":"test","n":%d}\n' \
		"$n" $((seq + n)) "$([ "$n" = 2 ] && echo ring_damaged || echo dropped)" $((n * 100)) >>"$g"
done
grep '"e":"exit"' "$f" | jq -c ".seq = $((seq + 4))" >>"$g"

finding() { # DIR: the finding's text, or nothing
	"$FL" report --json --section summary "$1" |
		jq -r '.sections.summary.findings[] | select(.id == "summary.events_lost") | .text'
}

test_expect_success 'notes of lost events: the finding, with their sums' '
	got=$(finding "$TMP/lost") &&
	echo "$got" | grep -q "400 dropped, 200 bytes of damaged ring"
'

test_expect_success 'the text report says it too' '
	"$FL" report --section summary "$TMP/lost" | grep -q "heap events lost in 1 process"
'

test_expect_success 'no notes: no finding' '
	test -z "$(finding "$TMP/t")"
'
test_done
