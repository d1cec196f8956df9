#!/bin/sh
# The CPU time of the shim's own work on the program's threads (its ticks,
# its drains between them, its residency reads before an unmap) is in each
# counters line (shim_cpu_ns) and, to the process's end, in its exit line
# (the final tick's counters line is written in the middle of that tick),
# said in the summary ("faultline itself: ... of CPU in its ticks and
# reads") and taken out of compare's own time. The oracle: the process's
# own CPU time (the exit line's getrusage), which holds the shim's work,
# and the trace's span that compare measures.
. "$(dirname "$0")/lib.sh"

# 2000 fresh pages between two quiet periods of 300 ms, a tick every 20 ms
"$FL" record -q --interval 20 -o "$TMP/t" -- "$PROGS/p_probe_touch" 2000 1 300 >/dev/null ||
	exit 1
trace_cat "$TMP"/t/*.ndjson* >"$TMP/lines"

test_expect_success 'every counters line says it, growing, within the process.s CPU time' '
	jq -s -e "([.[] | select(.e == \"counters\") | .shim_cpu_ns]) as \$w
		| ([.[] | select(.e == \"exit\")] | last) as \$x
		| (\$w | length) >= 10 and all(\$w[]; type == \"number\") and \$w == (\$w | sort)
		  and \$w[-1] > 0 and \$w[-1] <= \$x.ru_utime_ns + \$x.ru_stime_ns" "$TMP/lines" >/dev/null
'

test_expect_success 'the exit line says it to the end: at least the last counters line.s' '
	jq -s -e "([.[] | select(.e == \"counters\") | .shim_cpu_ns] | last) as \$c
		| ([.[] | select(.e == \"exit\")] | last) as \$x
		| \$x.shim_cpu_ns > \$c and \$x.shim_cpu_ns <= \$x.ru_utime_ns + \$x.ru_stime_ns" \
		"$TMP/lines" >/dev/null
'

test_expect_success 'the summary says it, in its JSON and its text' '
	"$FL_SAN" report --json --section summary "$TMP/t" >"$TMP/s.json" &&
	last=$(jq -s "[.[] | select(.e == \"exit\") | .shim_cpu_ns] | last" "$TMP/lines") &&
	test "$(jq .sections.summary.faultline.cpu_ns "$TMP/s.json")" = "$last" &&
	"$FL_SAN" report --section summary "$TMP/t" | tr -s "\n " "  " |
		grep -q "faultline itself: .* of CPU in its ticks and reads"
'

test_expect_success 'compare.s own time is the span from the start-up.s end, less it' '
	"$FL_SAN" compare --json "$TMP/t" "$TMP/t" >"$TMP/c.json" &&
	want=$(jq -s "([.[] | .t] | max) - ([.[] | select(.e == \"maps\")] | first | .t)
		- ([.[] | select(.e == \"exit\") | .shim_cpu_ns] | last)" "$TMP/lines") &&
	got=$(jq .a.own_ns "$TMP/c.json") &&
	say "own_ns $got, the trace.s span less shim_cpu_ns $want" &&
	test "$got" = "$want"
'
test_done
