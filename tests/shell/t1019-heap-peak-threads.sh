#!/bin/sh
# The default mode's peak live heap with two threads: exact to within
# FAULTLINE_LARGE bytes a thread (doc/trace-schema.md, "heap"), never above
# the program's own peak. A thread's peak check adds what the other thread
# had live at its own last check (record.c): here thread B holds and frees
# B_KIB, then idles with that figure stale, while thread A holds A_KIB; a
# peak taken from the stale figure would be the two summed. Oracle: the
# program's own sum of its blocks' usable sizes (p_heap_peak_threads); the
# slack above it is what libc and the loader allocate on their own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reports-lib.sh"

LARGE=65536
SLACK=32768

# run NAME B_KIB A_KIB BOTH_KIB: records, leaves "own true" in NAME.fig
run() {
	"$FL" record -q -o "$TMP/$1" -- "$PROGS/p_heap_peak_threads" "$2" "$3" "$4" \
		>"$TMP/$1.out" &&
	"$FL" report --json "$TMP/$1" | jq .sections.summary.heap.peak_live >"$TMP/$1.peak" &&
	echo "$(sed -n 's/^peak=//p' "$TMP/$1.out") $(cat "$TMP/$1.peak")" >"$TMP/$1.fig" &&
	cat "$TMP/$1.fig"
}

# in_bound NAME: the trace's peak is within 2 * LARGE below the program's
# and at most SLACK above it
in_bound() {
	read own got <"$TMP/$1.fig" &&
	test "$got" -le $((own + SLACK)) && test "$got" -ge $((own - 2 * LARGE))
}

test_expect_success 'turns: a stale figure of an idle thread does not add to the peak' '
	run turns 16384 12288 2048 && in_bound turns
'

test_expect_success 'together: both threads holding at once make the peak' '
	run together 2048 1024 8192 && in_bound together
'
test_done
