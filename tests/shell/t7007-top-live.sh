#!/bin/sh
# faultline top: while the program runs, a line per tick with RSS when
# stdout is not a terminal, the terminal redraw under a pty; the trace it
# leaves is record's (report reads it) and the exit status the program's.
. "$(dirname "$0")/lib.sh"

test_expect_success 'not a terminal: periodic plain lines with RSS figures' '
	"$FL_SAN" top -o "$TMP/plain" -- sleep 0.5 >"$TMP/out" 2>"$TMP/err" &&
	cat "$TMP/out" &&
	test "$(grep -c "rss [0-9.]* [KMG]\{0,1\}i\{0,1\}B" "$TMP/out")" -ge 2 &&
	! grep -q "$(printf "\033")" "$TMP/out" &&
	grep -q "faultline report $TMP/plain" "$TMP/err"
'

test_expect_success 'the trace is record'"'"'s: report reads it' '
	ls "$TMP/plain"/*.ndjson >/dev/null &&
	"$FL_SAN" report --json --no-symbols "$TMP/plain" >"$TMP/r.json" &&
	jq -e ".errors == 0 and .processes == 1 and .sections.summary.peak_rss > 0" "$TMP/r.json"
'

test_expect_success 'the exit status is the program'"'"'s' '
	"$FL_SAN" top -o "$TMP/st" -- sh -c "sleep 0.2; exit 7" >/dev/null 2>&1
	test $? -eq 7 &&
	"$FL_SAN" top -o "$TMP/nf" -- no-such-program-here >/dev/null 2>"$TMP/err"
	test $? -eq 127 && grep -q "command not found" "$TMP/err"
'

test_expect_success '--interval sets the refresh and the sampler tick' '
	"$FL_SAN" top --interval 50 -o "$TMP/fast" -- sleep 0.5 >"$TMP/out" 2>/dev/null &&
	cat "$TMP/out" && test "$(wc -l <"$TMP/out")" -ge 6 &&
	head -1 "$TMP/fast"/*.ndjson | jq -e ".options.interval_ms == 50"
'

test_expect_success 'no program, or a bad interval, is a usage error' '
	"$FL_SAN" top 2>"$TMP/err"
	test $? -eq 2 && grep -q "no program given" "$TMP/err" &&
	"$FL_SAN" top --interval 0 -- true 2>"$TMP/err"
	test $? -eq 2
'

test_expect_success 'on a terminal (a pty): the screen is redrawn each tick' '
	command -v script >/dev/null 2>&1 || { echo "skipped: no script(1)"; exit 0; }
	script -qec "\"$FL_SAN\" top -o \"$TMP/tty\" -- sleep 0.5" "$TMP/typescript" \
		>/dev/null 2>&1 </dev/null &&
	test "$(grep -o "$(printf "\033")\[H$(printf "\033")\[2J" "$TMP/typescript" | wc -l)" -ge 2 &&
	grep -q "^PID .*RSS .*HEAP LIVE" "$TMP/typescript" &&
	"$FL" report --no-symbols "$TMP/tty" >/dev/null
'
test_done
