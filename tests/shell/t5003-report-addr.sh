#!/bin/sh
# faultline addr: page-table indices computed by hand, canonical forms, and
# what an address was in a traced run.
. "$(dirname "$0")/lib.sh"

# field ADDRESS NAME: the number after NAME in `faultline addr` output
field() { "$FL_SAN" addr "$1" | sed -n "s/^$2 *\([0-9a-fx]*\).*/\1/p"; }

check() { # ADDRESS PGD PUD PMD PTE OFFSET
	test "$(field "$1" "PGD index")" = "$2" &&
	test "$(field "$1" "PUD index")" = "$3" &&
	test "$(field "$1" "PMD index")" = "$4" &&
	test "$(field "$1" "PTE index")" = "$5" &&
	test "$(field "$1" "page offset")" = "$6"
}

# 0x7fffffffe123 = 0 11111111 111111111 111111111 111111110 000100100011
test_expect_success 'top of the user stack area' '
	check 0x7fffffffe123 255 511 511 510 0x123 &&
	"$FL" addr 0x7fffffffe123 | grep -q "^canonical *yes" &&
	"$FL" addr 0x7fffffffe123 | grep -q "^half *user"
'

# 0x7f0012345678: 011111110 000000000 010010001 101000101 011001111000
test_expect_success 'a typical mmap address' '
	check 0x7f0012345678 254 0 145 325 0x678
'

# 0xffffffff81000abc: kernel text, 111111111 111111110 000001000 000000000 101010111100
test_expect_success 'kernel half' '
	check 0xffffffff81000abc 511 510 8 0 0xabc &&
	"$FL" addr 0xffffffff81000abc | grep -q "^half *kernel"
'

test_expect_success 'non-canonical with 4 levels, canonical with LA57' '
	"$FL" addr 0x00ff800000000000 >"$TMP/o" &&
	grep -q "^canonical *no with 4-level paging" "$TMP/o" &&
	grep -q "canonical with 5-level paging (LA57" "$TMP/o" &&
	grep -q "^with LA57 *PGD index 255 (bits 56..48), then P4D index 256" "$TMP/o" &&
	"$FL" addr 0x1234567890abcdef | grep -q "nor with LA57"
'

test_expect_success 'decimal input and bad input' '
	check 4096 0 0 0 1 0x000 &&
	! "$FL" addr 0xzz 2>"$TMP/err" && grep -q "not an address" "$TMP/err"
'

test_expect_success 'with --trace: the allocation and its stack' '
	# the address is read from its alloc line: one line per call
	FAULTLINE_COMPACT=0 "$FL" record -q --large 1 -o "$TMP/leak" -- "$PROGS/p_report_leak" >/dev/null &&
	a=$(grep -h "\"size\":48," "$TMP"/leak/*.ndjson | head -1 | jq -r .addr) &&
	inside=$(printf "0x%x" $((a + 8))) &&
	"$FL_SAN" addr "$inside" --trace "$TMP/leak" >"$TMP/o" &&
	grep -q "heap" "$TMP/o" &&
	grep -q "allocation $a + 48 (offset 8) by malloc" "$TMP/o" &&
	grep -q "never freed" "$TMP/o" &&
	grep -q "#0  leak_here (p_report_leak.c:" "$TMP/o"
'

test_expect_success 'with --trace: an unmapped address says so' '
	"$FL" addr 0x10 --trace "$TMP/leak" | grep -q "^not mapped"
'
test_done
