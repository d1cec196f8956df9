#!/bin/sh
# In the default mode per-site heap figures are estimates from samples: they
# read as estimates (≈ and the sampling period, in text and JSON), and the
# counts the report calls exact are the program's own.
. "$(dirname "$0")/lib.sh"

# p_report_leak leaks exactly 1000 blocks of 48 bytes (48000 bytes) from
# leak_here and frees the 1000 it allocates in keep_and_free. A period of
# 2 KiB samples about 23 of the leaked blocks: enough to estimate the leak.
"$FL" record -q --sample 2048 -o "$TMP/leak" -- "$PROGS/p_report_leak" >/dev/null &&
"$FL_SAN" report --section heap "$TMP/leak" >"$TMP/leak.txt" &&
"$FL_SAN" report --json --section heap "$TMP/leak" >"$TMP/leak.json" || exit 1

test_expect_success 'the leak finding is an estimate with ≈ and its period' '
	jq -r ".sections.heap.findings[] | select(.id == \"heap.leak\") | .text" \
		"$TMP/leak.json" >"$TMP/finding" &&
	grep -q "^≈.* in ≈[0-9]* blocks (±[0-9]*%) was still allocated at exit" "$TMP/finding" &&
	grep -q "one sample per 2.00 KiB allocated on average" "$TMP/finding" &&
	grep -q "live at end, exact: " "$TMP/finding" &&
	grep -q "leak_here" "$TMP/finding"
'

test_expect_success 'the leak table marks every column ≈, under the period' '
	sed -n "/^Leaked at exit/,/^$/p" "$TMP/leak.txt" >"$TMP/leaks" &&
	grep -q "^Leaked at exit .*(≈, one sample per 2.00 KiB)$" "$TMP/leaks" &&
	grep -q "^ *≈BYTES *≈CALLS ≈PEAK LIVE *≈AT EXIT  SITE$" "$TMP/leaks" &&
	grep -q "^ *[0-9.]* KiB *[0-9,]* *[0-9.]* KiB *[0-9.]* KiB  leak_here" "$TMP/leaks"
'

test_expect_success 'the JSON marks the site as an estimate with its period and samples' '
	jq -e ".sections.heap | .estimate == true and .sample_period_bytes == 2048 and
		(.leaks[0] | .site.func == \"leak_here\" and .estimate == true and
		 .sample_period_bytes == 2048 and .leaked_samples > 0 and
		 .leaked_sampled_bytes == 48 * .leaked_samples and .rse.leaked_bytes > 0)" \
		"$TMP/leak.json" >/dev/null
'

test_expect_success 'no sampled CALLS column reads as an exact count' '
	grep "CALLS" "$TMP/leak.txt" >"$TMP/heads" &&
	test -s "$TMP/heads" &&
	! grep -v "≈CALLS" "$TMP/heads"
'

test_expect_success 'the calls the report calls exact are the program'"'"'s own' '
	"$FL" record -q -o "$TMP/base" -- "$PROGS/p_report_calls" 1 0 >/dev/null &&
	"$FL" record -q -o "$TMP/calls" -- "$PROGS/p_report_calls" 1 100000 >"$TMP/own" &&
	base=$("$FL_SAN" report --section heap "$TMP/base" |
		sed -n "s/^Calls (exact):  malloc \([0-9,]*\) .*/\1/p" | tr -d ,) &&
	got=$("$FL_SAN" report --section heap "$TMP/calls" |
		sed -n "s/^Calls (exact):  malloc \([0-9,]*\) .*/\1/p" | tr -d ,) &&
	test "$((got - base))" = "$(jq .malloc "$TMP/own")"
'

test_expect_success '--all: the CALLS column is the exact count, without ≈' '
	"$FL" record -q --all -o "$TMP/all" -- "$PROGS/p_report_leak" >/dev/null &&
	"$FL_SAN" report --section heap "$TMP/all" >"$TMP/all.txt" &&
	grep -q "^ *46.9 KiB *1,000 *46.9 KiB *46.9 KiB  leak_here" "$TMP/all.txt" &&
	! grep -q "≈" "$TMP/all.txt"
'

test_done
