#!/bin/sh
# `record --large 1` puts every block of a byte or more on a line, which is
# every call but malloc(0): the shim records it as --all does (its per-site
# lines), so the site figures are exact rather than estimated from records
# that were never samples, and the report drops freed blocks as it reads
# (model/heap_early.c) instead of holding every one: 243 MB of RSS against
# 76 MB for 2M pairs before. Oracles: the program's own count of malloc
# calls (PAIRS), the same report without the early fold, and its peak RSS
# (wait4's ru_maxrss).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reports-lib.sh"

PAIRS=2000000
MB=$top/$BUILD/bench/malloc_bench
RT=$top/$BUILD/bench/runtime
[ -x "$MB" ] && [ -x "$RT" ] || skip_all "no $MB or $RT (make all builds them)"
"$FL" record -q --large 1 -o "$TMP/one" -- "$MB" 1 $PAIRS >/dev/null || exit 1
"$FL" record -q --all --large 1 -o "$TMP/all" -- "$MB" 1 $PAIRS >/dev/null || exit 1

test_expect_success 'the per-site figures are exact: the shim kept every call' '
	"$FL" report --json --no-symbols "$TMP/one" >"$TMP/r.json" &&
	jq -e ".sections.heap | .mode == \"exact\" and .estimate == false and
		.site_source == \"aggregates\"" "$TMP/r.json" >/dev/null
'

test_expect_success 'every allocation is a recorded block, as the program made them' '
	every_call_recorded "$TMP/r.json" $PAIRS
'

test_expect_success 'the heap figures are those of --all --large 1' '
	"$FL" report --json --no-symbols "$TMP/all" >"$TMP/a.json" &&
	for f in .mode .records .sites_total .totals.calls .totals.bytes .leaked_bytes; do
		test "$(jq -c ".sections.heap$f" "$TMP/r.json")" = \
			"$(jq -c ".sections.heap$f" "$TMP/a.json")" || return 1
	done
'

# The report holds the live blocks, not every block: the same report
# without the early fold (FAULTLINE_NO_EARLY_FOLD) is the oracle for both
# the output and the memory (at least 8 bytes a block more).
test_expect_success 'the report folds freed blocks as it reads, and says the same' '
	"$RT" "$TMP/f.rt" "$FL" report --no-symbols "$TMP/one" >"$TMP/f.out" &&
	"$RT" "$TMP/n.rt" env FAULTLINE_NO_EARLY_FOLD=1 "$FL" report --no-symbols "$TMP/one" \
		>"$TMP/n.out" &&
	cmp "$TMP/f.out" "$TMP/n.out" &&
	f=$(awk "{ print \$4 }" "$TMP/f.rt") && n=$(awk "{ print \$4 }" "$TMP/n.rt") &&
	echo "report RSS: $f KiB folded, $n KiB not" &&
	test "$f" -le $((n - PAIRS * 8 / 1024))
'
test_done
