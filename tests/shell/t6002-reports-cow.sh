#!/bin/sh
# The COW report against a program that writes 256 MiB, forks, and has one
# side write 25 % of it: that side copied 25 % +- 2 %, 75 % still shared,
# the other side copied nothing; once with the child writing, once the parent.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

run_traced "$TMP/child" "$SAMPLES/fork_cow" 256 25 child >"$TMP/child.out" || exit 1
need_probe "$TMP/child" pagemap
need_probe "$TMP/child" perf_fault_samples
run_traced "$TMP/parent" "$SAMPLES/fork_cow" 256 25 parent >"$TMP/parent.out" || exit 1
report_json "$TMP/child" cow >"$TMP/child.json" || exit 1
report_json "$TMP/parent" cow >"$TMP/parent.json" || exit 1

# the 256 MiB region of the fork: the row with the most pages shared at fork
big='.forks[0].by_vma | max_by(.shared_at_fork)'

test_expect_success 'one fork, traced, with all 65536 written pages shared at fork' '
	for w in child parent; do
		pages=$(truth "$TMP/$w.out" pages) &&
		jq -e ".forks | length == 1 and .[0].child_traced" "$TMP/$w.json" >/dev/null &&
		jq -e "$big | .shared_at_fork == $pages" "$TMP/$w.json" >/dev/null || exit 1
	done
'

test_expect_success 'child writes 25%: the child copied 25% +- 2%, the parent nothing' '
	jq -e "$big | .copied_by_child_pct >= 23 and .copied_by_child_pct <= 27 and .copied_by_parent == 0" \
		"$TMP/child.json" >/dev/null &&
	within "$(jq "$big.copied_by_child" "$TMP/child.json")" "$(truth "$TMP/child.out" written_pages)" 2
'

test_expect_success 'child writes 25%: 75% +- 2% still shared at the end' '
	jq -e "$big | (.shared_end / .shared_at_fork * 100) as \$s | \$s >= 73 and \$s <= 77" \
		"$TMP/child.json" >/dev/null
'

test_expect_success 'parent writes 25%: the parent copied 25% +- 2%, the child nothing' '
	jq -e "$big | .copied_by_parent_pct >= 23 and .copied_by_parent_pct <= 27 and .copied_by_child == 0" \
		"$TMP/parent.json" >/dev/null &&
	within "$(jq "$big.copied_by_parent" "$TMP/parent.json")" "$(truth "$TMP/parent.out" written_pages)" 2
'

test_expect_success 'parent writes 25%: 75% +- 2% still shared at the end' '
	jq -e "$big | (.shared_end / .shared_at_fork * 100) as \$s | \$s >= 73 and \$s <= 77" \
		"$TMP/parent.json" >/dev/null
'

test_expect_success 'bytes copied and the decay over time are reported' '
	jq -e ".forks[0] | .bytes_copied >= 4096 * (.copied_by_child + .copied_by_parent) and
		(.over_time | length >= 2) and (.over_time[0].child_shared >= .over_time[-1].child_shared)" \
		"$TMP/child.json" >/dev/null
'

test_expect_success 'the finding explains copy-on-write' '
	jq -e "[.findings[] | select(.id == \"cow.copied\" and .mechanism == \"cow\")] | length == 1" \
		"$TMP/child.json" >/dev/null
'

# With page frames (root), who copied is counted by frame: exact.
pfn_ok() { cat "$1"/*.ndjson | jq -s -e "[.[] | select(.e == \"header\") | .probes.pagemap_pfn.ok] | all" >/dev/null; }
if pfn_ok "$TMP/child" && pfn_ok "$TMP/parent"; then
	test_expect_success 'with PFNs: each side'"'"'s copies counted by page frame, exactly the pages written' '
		jq -e ".forks[0].copied_method == \"pfn\" and ($big | .method == \"pfn\")" \
			"$TMP/child.json" >/dev/null &&
		test "$(jq "$big.copied_by_child" "$TMP/child.json")" = "$(truth "$TMP/child.out" written_pages)" &&
		test "$(jq "$big.copied_by_parent" "$TMP/child.json")" = 0 &&
		test "$(jq "$big.copied_by_parent" "$TMP/parent.json")" = "$(truth "$TMP/parent.out" written_pages)" &&
		test "$(jq "$big.copied_by_child" "$TMP/parent.json")" = 0
	'
	test_expect_success 'with PFNs: the fault-sample estimate is kept alongside, within 5%' '
		within "$(jq ".forks[0].copied_by_child_samples" "$TMP/child.json")" "$(truth "$TMP/child.out" written_pages)" 5 &&
		within "$(jq ".forks[0].copied_by_parent_samples" "$TMP/parent.json")" "$(truth "$TMP/parent.out" written_pages)" 5
	'
else
	say "skip: PFN checks: pagemap hides page frames here (needs CAP_SYS_ADMIN)"
fi

# Without PFNs (uid 65534), who copied comes from the fault samples.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
if is_root && command -v setpriv >/dev/null && chmod 711 "$TMP" && mkdir "$TMP/nr" &&
	chown 65534:65534 "$TMP/nr" && $NOBODY test -r "$LIB" -a -x "$FL" -a -x "$SAMPLES/fork_cow"; then
	test_expect_success 'as uid 65534 (no PFNs): copies from fault samples, child 25% +- 2%' '
		$NOBODY "$FL" record -q -o "$TMP/nr/child" -- "$SAMPLES/fork_cow" 64 25 child >"$TMP/nr.out" &&
		report_json "$TMP/nr/child" cow >"$TMP/nr.json" &&
		cat "$TMP"/nr/child/*.ndjson | jq -s -e "[.[] | select(.e == \"header\") | .probes.pagemap_pfn.ok] | all(. == false)" >/dev/null &&
		jq -e ".forks[0].copied_method == \"fault_samples\" and ($big | .method == \"fault_samples\" and .copied_by_parent == 0)" "$TMP/nr.json" >/dev/null &&
		within "$(jq "$big.copied_by_child" "$TMP/nr.json")" "$(truth "$TMP/nr.out" written_pages)" 2
	'
else
	say "skip: uid 65534 case: not root, no setpriv, or the build tree is not reachable by uid 65534"
fi

test_expect_success 'fork followed at once by exec is flagged as a case for posix_spawn' '
	run_traced "$TMP/exec" "$SAMPLES/fork_cow" 16 0 exec >/dev/null &&
	report_json "$TMP/exec" cow >"$TMP/exec.json" &&
	jq -e ".forks[0].fork_exec == true and
		([.findings[] | select(.id == \"cow.fork_exec\" and (.explain | test(\"posix_spawn\")))] | length == 1)" \
		"$TMP/exec.json" >/dev/null
'
test_done
