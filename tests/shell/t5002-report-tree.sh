#!/bin/sh
# The process tree in the report: links, exits, signals, SIGKILL; --pid narrows.
. "$(dirname "$0")/lib.sh"

G=tests/golden/tree

test_expect_success 'golden tree: text output and the truncated line of the killed child' '
	"$FL_SAN" report --section tree "$G" >"$TMP/out" 2>"$TMP/err" &&
	diff -u tests/golden/tree.tree.expected "$TMP/out" &&
	diff -u tests/golden/tree.stderr.expected "$TMP/err"
'

test_expect_success 'golden tree: links, exit status and signal in JSON' '
	"$FL" report --json --section tree "$G" 2>/dev/null >"$TMP/t.json"
	jq -c ".sections.tree.processes[] | [.key, .parent, .link, .exit.status, .exit.signal, .killed]" \
		"$TMP/t.json" >"$TMP/got" &&
	cat >"$TMP/want" <<-\EOF &&
	["100",null,"none",null,null,false]
	["101","100","fork",3,null,false]
	["102","100","vfork",null,11,false]
	["103","100","posix_spawn",null,null,true]
	["100.1","100","exec",0,null,false]
	EOF
	diff -u "$TMP/want" "$TMP/got"
'

test_expect_success '--pid keeps only that process (every exec image of it)' '
	"$FL" report --json --pid 100 "$G" 2>/dev/null >"$TMP/p.json"
	jq -e ".processes == 2 and (.sections.tree.processes | map(.key) == [\"100\", \"100.1\"]) and
		(.sections.summary.per_process | length == 2)" "$TMP/p.json" >/dev/null &&
	! "$FL" report --pid 999 "$G" 2>"$TMP/err" >/dev/null &&
	grep -q "no process 999" "$TMP/err"
'

test_expect_success 'a real run: three forks, one exec, one SIGKILL' '
	run_traced "$TMP/run" "$PROGS/p_report_tree" >"$TMP/pids" &&
	"$FL_SAN" report --json --section tree "$TMP/run" >"$TMP/r.json"
	test $? -le 1 &&
	k=$(jq .killed "$TMP/pids") && x=$(jq .exec "$TMP/pids") && e=$(jq .exit7 "$TMP/pids") &&
	jq -e --argjson k "$k" --argjson x "$x" --argjson e "$e" "
		.sections.tree as \$t |
		(\$t.processes | length) == 5 and \$t.children == 3 and \$t.execs == 1 and
		([\$t.processes[] | select(.pid == \$k)][0] | .killed and .link == \"fork\" and
			.exit.signal == 9 and .exit.from_wait) and
		([\$t.processes[] | select(.pid == \$e)][0] | .killed == false and .link == \"fork\") and
		([\$t.processes[] | select(.pid == \$x)] | map(.link) == [\"fork\", \"exec\"]) and
		([\$t.processes[] | select(.pid == \$x)][1].exe == \"/usr/bin/true\")" "$TMP/r.json" >/dev/null
'

test_expect_success 'the SIGKILLed child still has its counters in the summary' '
	k=$(jq .killed "$TMP/pids") &&
	"$FL" report --json --pid "$k" --section summary "$TMP/run" >"$TMP/k.json"
	test $? -le 1 &&
	jq -e ".sections.summary.per_process[0] | .killed and .runtime_ns >= 100000000" "$TMP/k.json" >/dev/null
'
test_done
