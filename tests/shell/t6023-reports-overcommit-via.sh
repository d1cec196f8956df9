#!/bin/sh
# Two stacks through one allocating line (big_block, called from
# from_reader and from_writer) are two rows of the overcommit section's
# site table with the same text: each row says the caller where its stack
# parts from the other's, as the heap tables do, so that the two rows do
# not read as one printed twice; the HTML page's table says the same.
. "$(dirname "$0")/lib.sh"

"$FL" record -q -o "$TMP/t" -- "$PROGS/p_two_callers" 20 >"$TMP/out" || exit 1
"$FL" report --section overcommit "$TMP/t" >"$TMP/r.txt" || exit 1

test_expect_success 'two rows name big_block' '
	test "$(grep -c "^  big_block " "$TMP/r.txt")" = 2
'

test_expect_success 'each is followed by its own caller' '
	grep -A1 "^  big_block " "$TMP/r.txt" | grep -q "^    via from_reader" &&
	grep -A1 "^  big_block " "$TMP/r.txt" | grep -q "^    via from_writer"
'
test_expect_success 'the HTML table labels the two rows with their callers' '
	"$FL" report --html "$TMP/r.html" "$TMP/t" >/dev/null &&
	grep -q "big_block (p_two_callers.c:[0-9]*) via from_reader" "$TMP/r.html" &&
	grep -q "big_block (p_two_callers.c:[0-9]*) via from_writer" "$TMP/r.html"
'
test_done
