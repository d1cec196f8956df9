#!/bin/sh
# exec, vfork, posix_spawn, system, popen: what a child execs is followed and
# linked, even through a clean environment; a failed exec is recorded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

test_expect_success 'an exec chain 10 deep through a clean envp: same output' '
	"$PROGS/p_proc_exec_chain" 10 >"$TMP/native" &&
	run_traced "$TMP/chain" "$PROGS/p_proc_exec_chain" 10 >"$TMP/traced" &&
	diff -u "$TMP/native" "$TMP/traced"
'

test_expect_success 'the chain: 11 images of one pid, each linked to the previous exec' '
	test "$(ls "$TMP"/chain/*.ndjson | wc -l)" -eq 11 &&
	test "$(proc_events "$TMP/chain" | jq -s "map(select(.e==\"header\") | .pid) | unique | length")" -eq 1 &&
	test "$(proc_count "$TMP/chain" ".e==\"header\" and .parent.kind==\"exec\"")" -eq 10 &&
	test "$(proc_count "$TMP/chain" ".e==\"exec\" and .result==0")" -eq 10 &&
	proc_bad_links "$TMP/chain" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success 'the chain: the images follow each other (argv counts down)' '
	proc_events "$TMP/chain" | jq -s -e "
		map(select(.e==\"header\")) | sort_by(.start_monotonic_ns)
		| map(.argv[1] // \"10\") == [\"10\",\"9\",\"8\",\"7\",\"6\",\"5\",\"4\",\"3\",\"2\",\"1\",\"0\"]" >/dev/null
'

test_expect_success 'the chain: every pre-exec image ends with exit how=exec' '
	test "$(proc_count "$TMP/chain" ".e==\"exit\" and .how==\"exec\"")" -eq 10 &&
	test "$(proc_count "$TMP/chain" ".e==\"exit\" and .how==\"exit\" and .status==0")" -eq 1
'

test_expect_success 'vfork, posix_spawn(p), system, popen: same output and status' '
	"$PROGS/p_proc_spawn" >"$TMP/native" 2>&1; n=$? &&
	run_traced "$TMP/sp" "$PROGS/p_proc_spawn" >"$TMP/traced" 2>&1; t=$? &&
	test $n -eq 0 && test $t -eq 0 && diff -u "$TMP/native" "$TMP/traced"
'

test_expect_success 'spawned children are linked with their kind' '
	test "$(proc_count "$TMP/sp" ".e==\"fork\" and .kind==\"vfork\"")" -eq 2 &&
	test "$(proc_count "$TMP/sp" ".e==\"fork\" and .kind==\"posix_spawn\"")" -eq 4 &&
	test "$(proc_count "$TMP/sp" ".e==\"header\" and .parent.kind==\"vfork\"")" -eq 1 &&
	test "$(proc_count "$TMP/sp" ".e==\"header\" and .parent.kind==\"posix_spawn\"")" -eq 4 &&
	proc_bad_links "$TMP/sp" >"$TMP/bad" && test ! -s "$TMP/bad"
'

test_expect_success 'system and popen run sh, followed' '
	proc_events "$TMP/sp" | jq -s -e "map(select(.e==\"header\" and .argv[0]==\"sh\") | .argv[2]) | sort == [\"echo popen\",\"echo system\"]" >/dev/null
'

test_expect_success 'a failed exec is recorded with its errno and tracing goes on' '
	f=$(grep -l "\"parent\":{\"pid\":[0-9]*,\"kind\":\"none\"" "$TMP"/sp/*.ndjson) &&
	jq -s -e "map(select(.e==\"exec\")) | length == 2 and .[0].result == 0 and .[1].result == -1 and .[1].errno == 2" "$f" >/dev/null &&
	jq -s -e "(.[-1].e == \"exit\") and (.[-1].how == \"exit\") and (map(select(.e==\"heap\")) | length) >= 2" "$f" >/dev/null
'

test_expect_success 'the vfork child that only _exits is reaped, never traced' '
	proc_events "$TMP/sp" | jq -s -e "
		(map(select(.e==\"header\") | .pid)) as \$traced
		| map(select(.e==\"fork\" and .kind==\"vfork\") | .child) | map(select(. as \$c | \$traced | index(\$c) | not)) | length == 1" >/dev/null
'

test_expect_success 'with --no-follow, a clean-envp exec is followed but spawned children are not' '
	"$FL" record -q --no-follow -o "$TMP/nf" -- "$PROGS/p_proc_spawn" >"$TMP/out" 2>&1 &&
	diff -u "$TMP/native" "$TMP/out" &&
	test "$(ls "$TMP"/nf/*.ndjson | wc -l)" -eq 1
'
test_done
