#!/bin/sh
# check, compare, addr and the exports (folded, pprof, perfetto) load a
# trace as report does, folding freed heap blocks as the file is read (model/heap_early.c),
# so that their memory follows the blocks live at a time, not the trace's
# length: on a one-line-per-call trace of 10M malloc/free pairs they took
# 0.5-1 GB where report took 55 MB (compare of two: 1.7 GB). Their output is the same as without the
# fold (FAULTLINE_NO_EARLY_FOLD), and their peak RSS (wait4's ru_maxrss) at
# least 8 bytes a block less than without it (the blocks, 40 B each and
# more, were the part that grew with the trace; ~50 MB do not). export
# --format json lists every block, so it keeps them all, but writes an
# element at a time: built whole, the document took 15 GB for those 10M
# blocks; here it stays within twice the unfolded model's peak, and lists
# every block the program allocated.
. "$(dirname "$0")/lib.sh"

PAIRS=1000000
MB=$top/$BUILD/bench/malloc_bench
RT=$top/$BUILD/bench/runtime
[ -x "$MB" ] && [ -x "$RT" ] || skip_all "no $MB or $RT (make all builds them)"
"$FL" record -q --all --large 1 -o "$TMP/t" -- "$MB" 1 $PAIRS >/dev/null || exit 1

# run NAME CMD...: CMD's output in $TMP/NAME.out, its peak RSS in KiB in $TMP/NAME.rss
run() {
	name=$1
	shift
	"$RT" "$TMP/$name.rt" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || return 1
	awk '{ print $4 }' "$TMP/$name.rt" >"$TMP/$name.rss"
}
both() { # NAME CMD...: with and without the fold
	name=$1
	shift
	run "$name" "$@" && run "$name.nofold" env FAULTLINE_NO_EARLY_FOLD=1 "$@"
}
smaller() { # NAME: peak RSS at least 8 bytes a block less than without the fold
	test "$(cat "$TMP/$1.rss")" -le "$(($(cat "$TMP/$1.nofold.rss") - PAIRS * 8 / 1024))"
}
same_and_smaller() { # NAME: the same output, in less memory
	cmp "$TMP/$1.out" "$TMP/$1.nofold.out" && smaller "$1"
}

test_expect_success 'check: the same verdicts, in less memory' '
	both check "$FL" check --json --max-heap-peak 1G --max-leaked 1G --max-peak-rss 1G "$TMP/t" &&
	jq -e ".budgets | length == 3" "$TMP/check.out" >/dev/null &&
	same_and_smaller check
'

test_expect_success 'compare: the same figures and sites, in less memory' '
	both compare "$FL" compare --json "$TMP/t" "$TMP/t" &&
	jq -e ".heap_sites | length > 0" "$TMP/compare.out" >/dev/null &&
	cmp "$TMP/compare.out" "$TMP/compare.nofold.out" &&
	test "$(cat "$TMP/compare.rss")" -le "$(($(cat "$TMP/compare.nofold.rss") - 2 * PAIRS * 8 / 1024))"
'

for what in alloc peak leaked; do
	test_expect_success "export folded --what $what: the same stacks, in less memory" '
		both folded_$what "$FL" export --no-symbols -f folded --what $what "$TMP/t" &&
		test -s "$TMP/folded_$what.out" && same_and_smaller folded_$what
	'
done

test_expect_success 'export pprof: the same profile, in less memory' '
	both pprof "$FL" export --no-symbols -f pprof "$TMP/t" &&
	gzip -dc <"$TMP/pprof.out" >"$TMP/p1" && gzip -dc <"$TMP/pprof.nofold.out" >"$TMP/p2" &&
	cmp "$TMP/p1" "$TMP/p2" && smaller pprof
'

test_expect_success 'export perfetto: the same tracks (the worker thread too), in less memory' '
	both perfetto "$FL" export -f perfetto "$TMP/t" &&
	test "$(jq "[.traceEvents[] | select(.ph == \"X\" and (.name | startswith(\"thread \")))] | length" \
		"$TMP/perfetto.out")" -ge 1 &&
	same_and_smaller perfetto
'

# The JSON export of 1M blocks is ~140 MB: its blocks are counted as it is
# written, and the one from the middle of the run kept for addr below.
blocks() {
	grep -o '"addr":"0x[0-9a-f]*","size":[0-9]*,"weight":[0-9]*,"t_alloc":[0-9]*' |
		awk -v m=$((PAIRS / 2)) -v out="$TMP/block" 'NR == m { print > out } END { print NR }'
}
test_expect_success 'export json: every block, within twice the unfolded model' '
	"$RT" "$TMP/json.rt" "$FL" export -f json "$TMP/t" | blocks >"$TMP/nblocks" &&
	awk "{ print \$4 }" "$TMP/json.rt" >"$TMP/json.rss" &&
	n=$(cat "$TMP/nblocks") &&
	test "$n" -ge $PAIRS && test "$n" -lt $((PAIRS + 100)) &&
	test "$(cat "$TMP/json.rss")" -lt "$(($(cat "$TMP/check.nofold.rss") * 2))"
'
# addr asks only about the blocks at its address: it folds every other as
# the load reads its free. A block from the middle of the run (from the JSON
# export, which lists them all), at its allocation's time, a while after,
# and at the end (the default): the same answer as without the fold.
block=$(cat "$TMP/block" 2>/dev/null)
baddr=$(echo "$block" | sed 's/.*"addr":"\(0x[0-9a-f]*\)".*/\1/')
talloc=$(echo "$block" | sed 's/.*"t_alloc":\([0-9]*\).*/\1/')
a=$(printf "0x%x" $((baddr + 8)))
test_expect_success 'addr: the same block, in less memory' '
	test -n "$talloc" &&
	both addr "$FL" addr "$a" --trace "$TMP/t" --time $((talloc + 1)) --no-symbols &&
	grep -q "allocation $baddr " "$TMP/addr.out" && same_and_smaller addr &&
	both addr_later "$FL" addr "$a" --trace "$TMP/t" --time $((talloc + 5000000)) --no-symbols &&
	cmp "$TMP/addr_later.out" "$TMP/addr_later.nofold.out" &&
	both addr_end "$FL" addr "$a" --trace "$TMP/t" --no-symbols &&
	cmp "$TMP/addr_end.out" "$TMP/addr_end.nofold.out"
'
test_done
