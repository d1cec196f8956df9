#!/bin/sh
# A trace with a line per heap call from two threads, whose buffers are
# written one after the other (most lines come late): the report replays
# them through the window each tick's heap line closes and folds the freed
# blocks as it reads them (model/heap_replay.h, model/heap_early.c). The
# whole report runs clean under the sanitizers, and the blocks it recorded,
# folded early or kept, are every allocation: the shim's exact call counts
# and the program's own (PAIRS malloc calls).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reports-lib.sh"

PAIRS=3000000
MB=$top/$BUILD/bench/malloc_bench
[ -x "$MB" ] || skip_all "no $MB (make all builds it)"
"$FL" record -q --all --large 1 -o "$TMP/t" -- "$MB" 2 $PAIRS >/dev/null || exit 1

test_expect_success 'the whole report runs clean under the sanitizers' '
	"$FL_SAN" report --json --no-symbols "$TMP/t" >"$TMP/r.json" 2>"$TMP/err" &&
	! grep -E "runtime error|AddressSanitizer|LeakSanitizer" "$TMP/err"
'

test_expect_success 'every allocation is a recorded block: the shim counts them, the program made them' '
	every_call_recorded "$TMP/r.json" $PAIRS
'

test_expect_success 'the text report and the JSON one agree on the site' '
	"$FL" report --no-symbols --section heap "$TMP/t" >"$TMP/r.txt" &&
	grep -q "$(printf "%s" "$PAIRS" | sed "s/\(.\)\(...\)\(...\)$/\1,\2,\3/")" "$TMP/r.txt"
'
test_done
