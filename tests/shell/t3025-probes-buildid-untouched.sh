#!/bin/sh
# The shim reads the build-id (and unwind tables) of each file mapped from
# offset 0 from the process's own memory, which faults in a page the
# program may never touch: a data file's first page then sat in its page
# tables (its RSS, and a disk read when cold) where natively it did not.
# A first page not yet in the page tables is now left alone (the loader
# has read every ELF object's headers through its mapping). Oracle: the
# program's own /proc/self/pagemap, natively and traced.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh

head -c 1048576 /dev/urandom >"$TMP/data" || exit 1
"$PROGS/p_mmap_untouched" "$TMP/data" 300 >"$TMP/native" || exit 1
"$FL" record -q --interval 50 -o "$TMP/t" -- "$PROGS/p_mmap_untouched" "$TMP/data" 300 \
	>"$TMP/out" || exit 1

test_expect_success 'natively the untouched page is not in the page tables' '
	test "$(truth "$TMP/native" present)" = 0
'
test_expect_success 'traced, after ticks that read the maps, neither' '
	test "$(trace_cat "$TMP"/t/*.ndjson* | jq -s "[.[] | select(.e == \"maps\")] | length")" -ge 2 &&
	test "$(truth "$TMP/out" present)" = 0
'
test_expect_success 'the program.s own objects still have their build-ids' '
	trace_cat "$TMP"/t/*.ndjson* | jq -e -s "[.[] | select(.e == \"maps\") | .vmas[]
		| select(.[5] | endswith(\"/p_mmap_untouched\")) | .[6] // empty] | length >= 1" >/dev/null
'
test_done
