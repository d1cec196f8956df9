#!/bin/sh
# faultline report's process tree against the tree known by construction:
# who is whose parent, how each was made, how each ended; --pid narrows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc-lib.sh"

# tree DIR [ARGS]: the tree section's processes, one compact line each.
tree() {
	_d=$1
	shift
	"$FL_SAN" report --json --section tree "$@" "$_d" |
		jq -c ".sections.tree.processes[] | {key, pid, parent, link, depth, exe, argv, exit, killed}"
}

test_expect_success 'eight ways out: eight fork children of the root, each ending as it did' '
	run_traced "$TMP/x" "$PROGS/p_proc_exit" children >/dev/null &&
	tree "$TMP/x" >"$TMP/x.tree" &&
	test "$(wc -l <"$TMP/x.tree")" -eq 9 &&
	root=$(jq -r "select(.parent == null) | .key" "$TMP/x.tree") &&
	test "$(jq -c "select(.parent == \"$root\" and .link == \"fork\" and .depth == 1)" "$TMP/x.tree" | wc -l)" -eq 8 &&
	jq -s -c "map(select(.parent != null)) | map(if .killed then \"killed\" elif .exit.signal then \"sig\(.exit.signal)\" else \"\(.exit.how) \(.exit.status)\" end)" "$TMP/x.tree" >"$TMP/ends" &&
	test "$(cat "$TMP/ends")" = "[\"exit 5\",\"_exit 5\",\"exit_group 5\",\"sig6\",\"sig11\",\"killed\",\"sig15\",\"_exit 3\"]"
'

test_expect_success 'the child killed by SIGKILL: no exit line, its parent reaped signal 9' '
	k=$(jq -r "select(.killed) | .pid" "$TMP/x.tree") &&
	proc_events "$TMP/x" | jq -s -e "map(select(.e == \"wait\" and .child == $k)) | .[0].signal == 9" >/dev/null
'

test_expect_success 'a pipeline: three forks, each exec image under its fork at the same depth' '
	run_traced "$TMP/p" bash -c "seq 1000 | sort -rn | head -1" >/dev/null &&
	tree "$TMP/p" >"$TMP/p.tree" &&
	test "$(wc -l <"$TMP/p.tree")" -eq 7 &&
	jq -s -e "
		(map({key: .key, value: .}) | from_entries) as \$k
		| map(select(.link == \"exec\")) | length == 3
		  and all(.[]; .depth == 1 and \$k[.parent].link == \"fork\" and \$k[.parent].pid == .pid
			and \$k[\$k[.parent].parent].parent == null)
		  and (map(.argv[0]) | sort) == [\"head\",\"seq\",\"sort\"]" "$TMP/p.tree" >/dev/null &&
	"$FL_SAN" report --json --section tree "$TMP/p" | jq -e ".sections.tree.children == 3 and .sections.tree.execs == 3" >/dev/null
'

test_expect_success 'vfork, posix_spawn, system and popen children: their link kinds' '
	run_traced "$TMP/s" "$PROGS/p_proc_spawn" >/dev/null &&
	tree "$TMP/s" | jq -s -c "map(select(.parent != null) | .link) | sort" >"$TMP/links" &&
	test "$(cat "$TMP/links")" = "[\"posix_spawn\",\"posix_spawn\",\"posix_spawn\",\"posix_spawn\",\"vfork\"]"
'

test_expect_success 'vfork and posix_spawn children are execs too: five made, five exec'"'"'d' '
	"$FL_SAN" report --json --section tree "$TMP/s" >"$TMP/s.json" &&
	jq -e ".sections.tree.children == 5 and .sections.tree.execs == 5" "$TMP/s.json" >/dev/null
'

test_expect_success 'an exec chain: one process, eleven images, depth 0' '
	run_traced "$TMP/c" "$PROGS/p_proc_exec_chain" 10 >/dev/null &&
	tree "$TMP/c" >"$TMP/c.tree" &&
	test "$(wc -l <"$TMP/c.tree")" -eq 11 &&
	jq -s -e "all(.[]; .depth == 0) and (map(select(.link == \"exec\")) | length) == 10
		and (map(.pid) | unique | length) == 1" "$TMP/c.tree" >/dev/null
'

test_expect_success '--pid N: only that process (all its exec images)' '
	pid=$(jq -r "select(.argv[0] == \"sort\") | .pid" "$TMP/p.tree") &&
	tree "$TMP/p" --pid "$pid" >"$TMP/one" &&
	test "$(wc -l <"$TMP/one")" -eq 2 &&
	jq -s -e "all(.[]; .pid == $pid)" "$TMP/one" >/dev/null
'
test_done
