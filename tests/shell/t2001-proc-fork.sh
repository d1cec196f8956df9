#!/bin/sh
# fork: every child gets its own trace linked to the parent's fork line,
# and the traced run behaves as the native one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

test_expect_success 'a shell pipeline: same output and status as native' '
	bash -c "seq 100000 | sort -r | head -3" >"$TMP/native" 2>&1; n=$? &&
	run_traced "$TMP/pipe" bash -c "seq 100000 | sort -r | head -3" >"$TMP/traced" 2>&1; t=$? &&
	test $n -eq $t && diff -u "$TMP/native" "$TMP/traced"
'

test_expect_success 'the pipeline: bash forks 3 children that each exec once' '
	test "$(ls "$TMP"/pipe/*.ndjson | wc -l)" -eq 7 &&
	test "$(proc_count "$TMP/pipe" ".e==\"fork\" and .kind==\"fork\"")" -eq 3 &&
	test "$(proc_count "$TMP/pipe" ".e==\"exec\" and .result==0")" -eq 3 &&
	test "$(proc_count "$TMP/pipe" ".e==\"exit\" and .how==\"exec\"")" -eq 3 &&
	proc_events "$TMP/pipe" | jq -s -e "map(select(.e==\"header\" and .parent.kind==\"exec\") | .argv[0]) | sort == [\"head\",\"seq\",\"sort\"]" >/dev/null
'

test_expect_success 'the pipeline: every parent link points at its fork or exec line' '
	proc_bad_links "$TMP/pipe" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success 'the pipeline: the wait lines agree with the children exit lines' '
	proc_events "$TMP/pipe" | jq -s -e "
		(map(select(.e==\"exit\" and .how!=\"exec\") | {key: (.fpid|tostring), value: [.status,.signal]}) | from_entries) as \$x
		| map(select(.e==\"wait\")) | length == 3 and all(.[]; \$x[.child|tostring] == [.status,.signal])" >/dev/null
'

test_expect_success '1000 forked children: same output, 1001 traces, all linked' '
	"$PROGS/p_proc_forks" 1000 >"$TMP/native" &&
	run_traced "$TMP/k" "$PROGS/p_proc_forks" 1000 >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced" &&
	test "$(ls "$TMP"/k/*.ndjson | wc -l)" -eq 1001 &&
	test "$(proc_count "$TMP/k" ".e==\"fork\" and .kind==\"fork\"")" -eq 1000 &&
	proc_bad_links "$TMP/k" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success '1000 children: each exit line holds the status its parent reaped' '
	proc_events "$TMP/k" | jq -s -e "
		(map(select(.e==\"exit\") | {key: (.fpid|tostring), value: .status}) | from_entries) as \$x
		| map(select(.e==\"wait\")) | length == 1000 and all(.[]; \$x[.child|tostring] == .status)
		  and (map(.status) | add) == 2997" >/dev/null
'

test_expect_success 'each trace file holds one process: one header, first' '
	jq -c "{f: input_filename, e}" "$TMP"/k/*.ndjson | jq -s -e "
		group_by(.f) | length == 1001 and all(.[]; .[0].e == \"header\" and (map(select(.e == \"header\")) | length) == 1)" >/dev/null
'

test_expect_success 'with --no-follow only the first process is traced' '
	"$FL" record -q --no-follow -o "$TMP/nf" -- bash -c "seq 10 | sort -rn | head -1" >"$TMP/out" &&
	test "$(cat "$TMP/out")" = 10 &&
	test "$(ls "$TMP"/nf/*.ndjson | wc -l)" -eq 1 &&
	test "$(proc_count "$TMP/nf" ".e==\"fork\"")" -eq 3
'
test_done
