#!/bin/sh
# faultline check: every budget against the report's own figure, the exit
# status a CI job gates on (0 held, 1 exceeded, 2 usage, 3 unreadable trace,
# 4 unmeasured), --json, and estimates labelled as such. Budgets are set at
# the measured figure and one below it, so nothing here is a fixed number.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

# An exact heap (--all) that leaks, and a fork whose child copies pages.
"$FL" record -q --all -o "$TMP/leak" -- "$PROGS/p_report_leak" >/dev/null &&
"$FL" record -q -o "$TMP/sampled" -- "$PROGS/p_report_leak" >/dev/null &&
"$FL" record -q -o "$TMP/cow" -- "$SAMPLES/fork_cow" 8 50 child >/dev/null || exit 1

# figure TRACE JQ-PATH: the report's figure
figure() { "$FL" report --json --no-symbols "$1" | jq -r "$2"; }

# option TRACE-NAME JQ-PATH: the pairs "option trace path" each kind is checked with
kinds="
max-peak-rss leak .sections.summary.peak_rss
max-peak-virtual leak .sections.summary.peak_vsz
max-heap-peak leak .sections.summary.heap.peak_live
max-leaked leak .sections.heap.leaked_bytes
max-cow cow [.sections.cow.forks[].bytes_copied]|add
max-minor-faults leak .sections.summary.faults.rusage_minor
"

test_expect_success 'the figures the budgets are checked on are there and not zero' '
	echo "$kinds" | while read -r opt trace path; do
		[ -n "$opt" ] || continue
		v=$(figure "$TMP/$trace" "$path") &&
		echo "$opt $v" && test "$v" -gt 0 || exit 1
	done
'

test_expect_success 'a budget equal to each figure holds: exit 0, every line OK' '
	echo "$kinds" | while read -r opt trace path; do
		[ -n "$opt" ] || continue
		v=$(figure "$TMP/$trace" "$path") &&
		"$FL_SAN" check --"$opt" "$v" "$TMP/$trace" >"$TMP/out" ||
			{ cat "$TMP/out"; exit 1; }
		grep -q " OK" "$TMP/out" && ! grep -q OVER "$TMP/out" &&
		grep -q "^0 of 1 budgets exceeded" "$TMP/out" || exit 1
	done
'

test_expect_success 'a budget one below each figure is exceeded: exit 1, that line OVER' '
	echo "$kinds" | while read -r opt trace path; do
		[ -n "$opt" ] || continue
		v=$(figure "$TMP/$trace" "$path") &&
		name=${opt#max-} &&
		"$FL_SAN" check --"$opt" $((v - 1)) "$TMP/$trace" >"$TMP/out"
		rc=$? && cat "$TMP/out" &&
		test $rc -eq 1 && grep -q "^$name .* OVER" "$TMP/out" &&
		grep -q "^1 of 1 budgets exceeded" "$TMP/out" || exit 1
	done
'

test_expect_success 'major faults: a budget below the cold-file faults is exceeded' '
	head -c $((1 << 20)) /dev/urandom >"$TMP/cold" &&
	{ droppable "$TMP/cold" || { echo "skipped: $_why"; exit 0; }; } &&
	"$FL" record -q -o "$TMP/major" -- "$PROGS/p_probe_major" file "$TMP/cold" >/dev/null &&
	v=$(figure "$TMP/major" .sections.summary.faults.rusage_major) &&
	test "$v" -ge 256 &&
	"$FL_SAN" check --max-major-faults "$v" "$TMP/major" >/dev/null &&
	"$FL_SAN" check --max-major-faults $((v - 1)) "$TMP/major" >"$TMP/out"
	test $? -eq 1 && grep -q "^major-faults .* OVER" "$TMP/out"
'

test_expect_success 'several budgets: one exceeded is exit 1, the others still OK' '
	rss=$(figure "$TMP/leak" .sections.summary.peak_rss) &&
	"$FL_SAN" check --max-peak-rss "$rss" --max-leaked 1K --max-major-faults 1000000 \
		"$TMP/leak" >"$TMP/out"
	test $? -eq 1 &&
	grep -q "^peak-rss .* OK" "$TMP/out" && grep -q "^leaked .* OVER" "$TMP/out" &&
	grep -q "^major-faults .* OK" "$TMP/out" && grep -q "^1 of 3 budgets exceeded" "$TMP/out"
'

test_expect_success 'sizes take suffixes: 1G holds a small program, 1K does not' '
	"$FL_SAN" check --max-peak-rss 1G "$TMP/leak" >/dev/null &&
	"$FL_SAN" check --max-peak-rss=1K "$TMP/leak" >/dev/null
	test $? -eq 1
'

test_expect_success '--json: each budget with its figure (the report'"'"'s) and verdict' '
	leaked=$(figure "$TMP/leak" .sections.heap.leaked_bytes) &&
	rss=$(figure "$TMP/leak" .sections.summary.peak_rss) &&
	"$FL_SAN" check --json --max-leaked $((leaked - 1)) --max-peak-rss "$rss" \
		"$TMP/leak" >"$TMP/j"
	test $? -eq 1 &&
	jq -e --argjson l "$leaked" --argjson r "$rss" "
		.status == 1 and .exceeded == 1 and .errors == 0 and (.budgets | length) == 2 and
		(.budgets[] | select(.name == \"leaked\") | .measured == \$l and
			.limit == \$l - 1 and .verdict == \"over\" and .unit == \"bytes\" and
			.estimate == false) and
		(.budgets[] | select(.name == \"peak-rss\") | .measured == \$r and
			.verdict == \"ok\" and .source == \"VmHWM\")" "$TMP/j"
'

test_expect_success 'a sampled leak is labelled an estimate, in text and JSON' '
	"$FL_SAN" check --max-leaked 1T "$TMP/sampled" >"$TMP/out" &&
	grep -q "^leaked .*~.* OK  (estimate" "$TMP/out" &&
	"$FL_SAN" check --json --max-leaked 1T "$TMP/sampled" >"$TMP/j" &&
	jq -e ".budgets[0].estimate == true and (.budgets[0].rse | type) == \"number\"" "$TMP/j" &&
	"$FL_SAN" check --max-leaked 1T "$TMP/leak" >"$TMP/out" &&
	! grep -q estimate "$TMP/out"
'

test_expect_success 'a bad size is a usage error: exit 2' '
	"$FL_SAN" check --max-peak-rss 12Q "$TMP/leak" 2>"$TMP/err"
	test $? -eq 2 && grep -q "max-peak-rss.*12Q" "$TMP/err" &&
	"$FL_SAN" check --max-major-faults -3 "$TMP/leak" 2>"$TMP/err"
	test $? -eq 2
'

test_expect_success 'no budget, or no trace, is a usage error: exit 2' '
	"$FL_SAN" check "$TMP/leak" 2>"$TMP/err"
	test $? -eq 2 && grep -q "no budget given" "$TMP/err" &&
	"$FL_SAN" check --max-leaked 1K 2>"$TMP/err"
	test $? -eq 2
'

test_expect_success 'a missing trace: exit 3, said on stderr' '
	"$FL_SAN" check --max-leaked 1K "$TMP/nothing-here" >"$TMP/out" 2>"$TMP/err"
	test $? -eq 3 && grep -q "cannot open .*nothing-here" "$TMP/err" && test ! -s "$TMP/out"
'

test_expect_success 'a trace with a broken line: exit 3 even when the budgets hold' '
	mkdir "$TMP/broken" && cp "$TMP/leak"/*.ndjson "$TMP/broken/" &&
	echo "{\"e\":\"counters\",\"t\":" >>"$(trace_of "$TMP/broken")" &&
	"$FL_SAN" check --max-peak-rss 1T "$TMP/broken" >"$TMP/out" 2>"$TMP/err"
	test $? -eq 3 && grep -q "peak-rss .* OK" "$TMP/out" && test -s "$TMP/err"
'

test_expect_success 'a figure the trace did not measure: UNMEASURED, exit 4' '
	mkdir "$TMP/nocounters" &&
	f=$(trace_of "$TMP/leak") &&
	grep -v "\"e\":\"counters\"" "$f" >"$TMP/nocounters/${f##*/}" &&
	test "$(figure "$TMP/nocounters" .sections.summary.peak_rss)" = null &&
	"$FL_SAN" check --max-peak-rss 1T "$TMP/nocounters" >"$TMP/out"
	test $? -eq 4 && grep -q "^peak-rss .* UNMEASURED" "$TMP/out"
'
test_done
