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
# A fork child that record does not follow has tracing off for good
# (preload/hooks/hooks_alloc.c, OFF_FOR_GOOD): its heap calls pass straight
# on, those on the moved blocks it inherited included. The child checks,
# grows and frees them; it exits 1 (and so does the parent) if any check
# fails, or glibc stops it on a header it does not know.
test_expect_success 'an untraced fork child (--no-follow) frees and grows the moved blocks it inherited' '
	"$PROGS/p_heap_moved" fork >"$TMP/fn.own" &&
	test "$(jq .inherited_moved "$TMP/fn.own")" -eq 0 &&
	"$FL" record -q --no-compress --no-follow --sample 16 -o "$TMP/f" -- \
		"$PROGS/p_heap_moved" fork >"$TMP/f.own" &&
	inherited=$(jq .inherited_moved "$TMP/f.own") && say "$inherited of 64 inherited blocks moved" &&
	test "$inherited" -gt 32 &&
	test "$(ls "$TMP"/f/*.ndjson | wc -l)" -eq 1
'

test_done
