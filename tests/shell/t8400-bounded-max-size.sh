#!/bin/sh
# Bounded traces: --max-size caps each trace file, the trace says where and
# why it stopped, counting goes on to the totals at exit; RLIMIT_FSIZE and a
# full disk never kill or silently cut the traced program's trace.
. "$(dirname "$0")/lib.sh"
. "$top/tests/corpus/stress.sh"

cap=200000
stress_native cap "$PROGS/p_stress_threads" 4 20000 6
# --large 1: a line per call (--all writes per-site totals instead), so the
# cap is reached by many small lines.
stress_traced cap --large 1 --max-size $cap -- "$PROGS/p_stress_threads" 4 20000 6

test_expect_success 'the program runs unchanged' 'same_behaviour cap 0'

test_expect_success 'no trace file grows past the cap (but for the exit totals)' '
	for f in "$TMP"/cap.trace/*.ndjson; do
		at_least $((cap + 16384)) "$(stat -c %s "$f")" || exit 1
	done
'

test_expect_success 'the capped file is full up to the cap, then says why it stopped' '
	r=$(root_trace cap) &&
	at_least "$(stat -c %s "$r")" $((cap * 9 / 10)) &&
	jq -e "has(\"e\")" "$r" >/dev/null &&
	grep "\"e\":\"note\"" "$r" | jq -e "select(.what == \"stopped\") | .n == $cap and (.why | test(\"max_size\"))" >/dev/null
'

test_expect_success 'only the totals follow the note, and they count every call' '
	r=$(root_trace cap) &&
	sed -n "/\"what\":\"stopped\"/,\$p" "$r" | jq -r .e | sort -u >"$TMP/after" &&
	! grep -v -x -e note -e heap -e counters -e exit "$TMP/after" &&
	grep -q -x exit "$TMP/after" &&
	for fn in malloc calloc realloc posix_memalign free; do
		at_least "$(final_heap "$r" ".calls.$fn")" "$(prog_count cap $fn)" || exit 1
	done
'

test_expect_success 'faultline report says the trace was cut short' '
	"$FL" report --help >/dev/null 2>&1 || exit 0
	"$FL_SAN" report "$TMP/cap.trace" >"$TMP/cap.report" 2>&1 &&
	grep -q -i -E "stopped|max.size|cut|capped" "$TMP/cap.report"
'

# Fault samples and residency make lines of megabytes: past the cap, the exit
# totals must still be only the heap and counters lines.
# A tick that reaches the cap halfway must not go on writing past it.
for cap2 in 40000 100000 400000; do
	"$FL" record -q --interval 200 --max-size $cap2 -o "$TMP/faulty$cap2" -- \
		"$SAMPLES/fork_cow" >/dev/null 2>&1
done
test_expect_success 'fault-heavy runs stay under the cap, only totals after the note' '
	for cap2 in 40000 100000 400000; do
		for f in "$TMP"/faulty$cap2/*.ndjson; do
			at_least $((cap2 + 16384)) "$(stat -c %s "$f")" || exit 1
			jq -e "has(\"e\")" "$f" >/dev/null || exit 1
			sed -n "/\"what\":\"stopped\"/,\$p" "$f" | jq -r .e | sort -u >"$TMP/after2"
			if grep -v -x -e note -e heap -e counters -e exit "$TMP/after2"; then
				say "$f: more than totals after the stop"; exit 1
			fi
		done
	done
'

# A write past RLIMIT_FSIZE would raise SIGXFSZ and kill the program.
test_expect_success 'under ulimit -f the program is not killed and the trace stops below it' '
	(ulimit -f 400 && FAULTLINE_COMPACT=0 exec "$FL" record -q --all -o "$TMP/fsz" -- \
		"$PROGS/p_stress_threads" 4 20000 0) >"$TMP/fsz.out" &&
	grep -q "^malloc " "$TMP/fsz.out" &&
	f=$(ls "$TMP"/fsz/*.ndjson) &&
	at_least $((400 * 512)) "$(stat -c %s "$f")" &&
	grep "\"e\":\"note\"" "$f" | jq -e "select(.what == \"stopped\") | .why | test(\"RLIMIT_FSIZE\")" >/dev/null &&
	tail -n 1 "$f" | jq -e ".e == \"exit\"" >/dev/null
'

test_expect_success 'a full disk stops the recording with a warning, not silently' '
	is_root || exit 0
	mkdir "$TMP/small" &&
	if ! mount -t tmpfs -o size=256k,mode=700 tmpfs "$TMP/small" 2>/dev/null; then
		say "# skipped: cannot mount a small tmpfs"; exit 0
	fi
	FAULTLINE_QUIET= "$FL" record -q --all --faults all -o "$TMP/small/t" -- \
		"$PROGS/p_stress_threads" 4 20000 0 >"$TMP/full.out" 2>"$TMP/full.err"
	st=$?
	cat "$TMP"/small/t/*.ndjson >"$TMP/full.trace"
	umount "$TMP/small"
	# The disk guard (t8401) stops it before the disk is full, with a
	# note; a write that fails anyway warns.
	test $st -eq 0 && grep -q "^malloc " "$TMP/full.out" &&
	{ grep -q "cannot write the trace file; recording stopped: ENOSPC" "$TMP/full.err" ||
		grep "\"what\":\"stopped\"" "$TMP/full.trace" | grep -q "nearly full"; }
'
test_done
