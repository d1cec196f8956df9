#!/bin/sh
# Blocks the record keeps are moved behind a header that sends their free
# to the slow path (preload/record/record.h): the program still gets what
# it may rely on (p_heap_moved checks alignment, usable sizes, zeroes,
# contents through reallocs, realloc(p, 0), glibc's own reallocs, a block
# freed by another thread and in an atexit handler), and the trace still
# pairs every free with its block. With --sample 16 nearly every block is
# kept; with --all none is moved (its free() takes the slow path anyway).
. "$(dirname "$0")/lib.sh"

export FAULTLINE_COMPACT=0

test_expect_success 'native: every check passes, nothing moved' '
	"$PROGS/p_heap_moved" >"$TMP/native.own" &&
	test "$(jq .moved "$TMP/native.own")" -eq 0
'

test_expect_success 'sampled every 16 bytes: every check passes, most blocks moved' '
	"$FL" record -q --no-compress --sample 16 -o "$TMP/s" -- "$PROGS/p_heap_moved" >"$TMP/s.own" &&
	calls=$(jq .calls "$TMP/s.own") && moved=$(jq .moved "$TMP/s.own") &&
	say "$moved of $calls blocks moved" &&
	test "$moved" -gt $((calls / 2))
'

test_expect_success 'every free and realloc matches a recorded block' '
	cat "$TMP"/s/*.ndjson >"$TMP/s.trace" &&
	jq -s -f tests/shell/heap/pairing.jq "$TMP/s.trace" >/dev/null
'

test_expect_success 'the blocks the program leaked are recorded and never freed' '
	for a in $(jq -r ".leaked[]" "$TMP/s.own"); do
		h=$(printf "0x%x" "$a") &&
		last=$(jq -s -r --arg h "$h" "[.[] | select(((.e == \"alloc\" or .e == \"free\") and .addr == \$h) or (.e == \"realloc\" and (.addr == \$h or .old_addr == \$h)))] | sort_by(.seq) | last | if . == null then \"none\" elif .e == \"free\" or (.e == \"realloc\" and .addr != \$h) then \"freed\" else \"live\" end" "$TMP/s.trace") &&
		say "$h: $last" && test "$last" = live || exit 1
	done
'

test_expect_success 'default mode: the large blocks are moved, every check passes' '
	"$FL" record -q -o "$TMP/d" -- "$PROGS/p_heap_moved" >"$TMP/d.own" &&
	test "$(jq .moved "$TMP/d.own")" -gt 0
'

test_expect_success '--all: nothing moved, every check passes' '
	"$FL" record -q --all -o "$TMP/a" -- "$PROGS/p_heap_moved" >"$TMP/a.own" &&
	test "$(jq .moved "$TMP/a.own")" -eq 0
'
test_done
