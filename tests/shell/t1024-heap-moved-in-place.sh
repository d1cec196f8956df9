#!/bin/sh
# A block the record keeps is moved (preload/record/record.h) in the place
# the program's heap would have given it: p_heap_in_place asks for 200
# blocks of 64-124 KiB (each kept: --large is 64 KiB), reads a file into
# each, frees it, and grows a realloc'd buffer between them. Natively the
# heap's top serves every block at one place; the blocks' span (lowest
# start to highest end) traced must be the native one, give or take the
# moved header's 16 bytes. The previous move asked for the new block while
# the old one was live, so that each kept block went to fresh memory
# above it: span 319,536-327,728 against 200,720 natively, and 5-10 more
# kernel-mode faults in python's reads of its modules
# (tests/real/kernel-gap-python.sh). The contents the program reads back
# (file, realloc) are checked by the program; the trace still has every
# block and its free. And the shim's start-up leaves glibc's mmap
# threshold alone: a 200,000-byte block is mapped for itself, as natively
# (the start-up check used to free a mapped 300,000-byte block, which
# raised the threshold, and the block came from the heap).
. "$(dirname "$0")/lib.sh"

# One line per heap event (not the compact "hc" form), for jq.
export FAULTLINE_COMPACT=0

head -c $((128 * 1024)) /dev/zero >"$TMP/zeroes"
"$PROGS/p_heap_in_place" "$TMP/zeroes" >"$TMP/native.json" || exit 1
native=$(jq .span "$TMP/native.json")
say "native: $(cat "$TMP/native.json")"
test "$(jq .big_on_heap "$TMP/native.json")" = 0 || skip_all "glibc's malloc put 200,000 bytes on the heap natively"

# span_near MODE-OPTIONS...: records with them; the span within 64 bytes
# of the native one, every content check passed.
span_near() {
	rm -rf "$TMP/t" &&
	"$FL" record -q --no-compress "$@" -o "$TMP/t" -- "$PROGS/p_heap_in_place" "$TMP/zeroes" \
		>"$TMP/own.json" &&
	say "traced $*: $(cat "$TMP/own.json")" &&
	test "$(jq .checked "$TMP/own.json")" = "$(jq .checked "$TMP/native.json")" &&
	test "$(jq .big_on_heap "$TMP/own.json")" = "$(jq .big_on_heap "$TMP/native.json")" &&
	span=$(jq .span "$TMP/own.json") &&
	test "$span" -ge "$native" && test "$span" -le $((native + 64))
}

test_expect_success 'default mode: every large block kept, in its native place' '
	span_near &&
	kept=$(cat "$TMP"/t/*.ndjson | jq -s "[.[] | select(.e == \"alloc\" and .size >= 65536)] | length") &&
	say "$kept large blocks recorded" && test "$kept" -ge 200
'

test_expect_success 'the kept blocks and the realloc chain pair with their frees' '
	cat "$TMP"/t/*.ndjson >"$TMP/t.trace" &&
	jq -s -f tests/shell/heap/pairing.jq "$TMP/t.trace" >/dev/null
'

test_expect_success 'every block sampled (--sample 1): in place too' '
	span_near --sample 1
'

test_expect_success 'half the blocks sampled (--sample 128K, --large 1G): in place too' '
	span_near --sample 128K --large 1G
'

test_expect_success '--all (nothing moved): the native layout and mmap threshold' '
	span_near --all
'
test_done
