#!/bin/sh
# Residency per VMA: pages the program wrote are present and exclusive;
# after fork every pre-written page is shared, and once the child writes a
# known quarter, exactly that quarter is exclusive in the child.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

N=400

# row FILE BUF WHY: the buffer VMA's rows (one per line), from lines WHY
rows() {
	jq -c --arg b "$2" --arg why "$3" \
		'select(.e == "residency" and .why == $why) | .regions[] | select(.[0] == $b)' "$1"
}

test_expect_success 'written pages are present and exclusive' '
	"$FL" record -q --interval 50 -o "$TMP/t" -- "$PROGS/p_probe_touch" 2000 1 150 >"$TMP/t.out" &&
	f=$(trace_of "$TMP/t") && b=$(kv "$TMP/t.out" buf) &&
	head -1 "$f" | jq -e ".probes.pagemap.ok" >/dev/null &&
	rows "$f" "$b" tick | tail -1 >"$TMP/t.row" && cat "$TMP/t.row" &&
	jq -e ".[2] == 2000 and .[3] == 0 and .[4] == 0 and .[5] == 2000 and .[6] == 0" "$TMP/t.row" >/dev/null
'

test_expect_success 'rows are written only when they changed' '
	f=$(trace_of "$TMP/t") && b=$(kv "$TMP/t.out" buf) &&
	n=$(rows "$f" "$b" tick | wc -l) && echo "buffer rows: $n" &&
	test "$n" -le 3
'

test_expect_success 'the method is PAGEMAP_SCAN where the header says it works' '
	f=$(trace_of "$TMP/t") &&
	m=$(head -1 "$f" | jq -r "if .probes.pagemap_scan.ok then \"pagemap_scan\" else \"pagemap\" end") &&
	jq -s -e --arg m "$m" "[.[] | select(.e == \"residency\")] | all(.method == \$m)" "$f" >/dev/null
'

test_expect_success 'fork: the child snapshot shows every written page shared' '
	"$FL" record -q --interval 50 -o "$TMP/f" -- "$PROGS/p_probe_fork" $N 200 >"$TMP/f.out" &&
	child=$(kv "$TMP/f.out" child) && b=$(kv "$TMP/f.out" buf) &&
	cf="$TMP/f/$child.ndjson" && test -f "$cf" &&
	rows "$cf" "$b" fork >"$TMP/fork.row" && cat "$TMP/fork.row" &&
	test "$(wc -l <"$TMP/fork.row")" = 1 &&
	jq -e ".[2] == $N and .[5] == 0 and .[6] == $N" "$TMP/fork.row" >/dev/null
'

test_expect_success 'fork: after the child writes a quarter, exactly that quarter is exclusive' '
	child=$(kv "$TMP/f.out" child) && b=$(kv "$TMP/f.out" buf) &&
	rows "$TMP/f/$child.ndjson" "$b" tick | tail -1 >"$TMP/child.row" && cat "$TMP/child.row" &&
	jq -e ".[2] == $N and .[5] == $N / 4 and .[6] == $N * 3 / 4" "$TMP/child.row" >/dev/null
'

test_expect_success 'fork: once the child is gone the parent owns every page again' '
	child=$(kv "$TMP/f.out" child) && b=$(kv "$TMP/f.out" buf) &&
	pf=$(ls "$TMP"/f/*.ndjson | grep -v "/$child.ndjson") &&
	rows "$pf" "$b" tick | tail -1 >"$TMP/parent.row" && cat "$TMP/parent.row" &&
	jq -e ".[2] == $N and .[5] == $N and .[6] == 0" "$TMP/parent.row" >/dev/null
'

test_done
