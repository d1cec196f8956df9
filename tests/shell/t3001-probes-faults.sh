#!/bin/sh
# Fault counts and samples against the program's own count of what it did
# and against getrusage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

# the fault counters and samples are perf events
need_perf

N=2000

# touch NAME THREADS [record options]: N fresh pages, between quiet periods
touch_run() {
	name=$1 threads=$2
	shift 2
	"$FL" record -q --interval 50 "$@" -o "$TMP/$name" -- \
		"$PROGS/p_probe_touch" $N "$threads" 250 >"$TMP/$name.out"
}

# window NAME: [perf minflt delta, getrusage delta, samples outside the
# buffer, pages the shim's own resident memory grew by] between the last
# counters line before the touching and the first one after it
window() {
	f=$(trace_of "$TMP/$1")
	jq -s -c --argjson t0 "$(kv "$TMP/$1.out" t0)" --argjson t1 "$(kv "$TMP/$1.out" t1)" \
		--argjson s "$(head -1 "$f" | jq .start_monotonic_ns)" \
		--arg buf "$(kv "$TMP/$1.out" buf)" --argjson len "$(kv "$TMP/$1.out" len)" "$JQ_HEX"'
		($buf | hex) as $lo
		| [.[] | select(.e == "counters")] as $c
		| ([$c[] | select(.t + $s < $t0)] | last) as $a
		| ([$c[] | select(.t + $s > $t1)] | first) as $b
		| [.[] | select(.e == "faults") | .samples[]
		   | select(.[3] > $a.t and .[3] <= $b.t)
		   | select((.[0] | hex) < $lo or (.[0] | hex) >= $lo + $len)] as $out
		| [$b.minflt - $a.minflt, $b.ru_minflt - $a.ru_minflt, ($out | length),
		   ([($b.shim_resident // 0) - ($a.shim_resident // 0), 0] | max / 4096 | ceil)]' "$f"
}

# in_buf NAME: [samples in the buffer, distinct pages among them, threads]
in_buf() {
	f=$(trace_of "$TMP/$1")
	jq -s -c --arg buf "$(kv "$TMP/$1.out" buf)" --argjson len "$(kv "$TMP/$1.out" len)" \
		"$JQ_HEX"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults") | .samples[] | select((.[0] | hex) >= $b and (.[0] | hex) < $b + $len)]
		| [length, (map(.[0]) | unique | length), (map(.[2]) | unique | length)]' "$f"
}

# check_counts NAME: the program took N faults (its own getrusage says N
# or a few more); over the ticks around it getrusage saw those plus the
# shim's own: the pages its resident memory grew by (the trace buffer's
# fresh pages as the samples are written: 23 to 45 of them) and samples
# outside the buffer; perf saw every user-mode one (at least N) and differs
# from getrusage only by kernel-mode faults (reads into fresh buffers: a few).
check_counts() {
	w=$(window "$1") &&
	perf=$(echo "$w" | jq ".[0]") && ru=$(echo "$w" | jq ".[1]") &&
	out=$(echo "$w" | jq ".[2]") && shim=$(echo "$w" | jq ".[3]") &&
	own=$(kv "$TMP/$1.out" ru_minflt) &&
	echo "perf=$perf getrusage=$ru program=$own outside the buffer=$out shim pages=$shim" &&
	test "$own" -ge $N && test "$own" -le $((N + 32)) &&
	test "$ru" -ge "$own" && test "$ru" -le $((own + out + shim + 8)) &&
	test "$perf" -ge $N && test "$perf" -le "$ru" && test "$ru" -le $((perf + 8))
}

# The tests of exact sample counts ask for every fault (the default samples
# one in 16: t3010 checks its estimate).
test_expect_success 'the header says fault counts and samples work' '
	touch_run one 1 --faults all &&
	head -1 "$(trace_of "$TMP/one")" |
		jq -e ".probes.perf_fault_counts.ok and .probes.perf_fault_samples.ok" >/dev/null
'

test_expect_success 'one thread: perf counts match getrusage and the program' '
	check_counts one
'

test_expect_success 'one thread: exactly N samples in the buffer, one per page' '
	test "$(in_buf one)" = "[$N,$N,1]"
'

test_expect_success 'four threads created after start: counted and sampled' '
	touch_run four 4 --faults all &&
	check_counts four &&
	test "$(in_buf four)" = "[$N,$N,4]"
'

# Between the program's t0 and t1 (its threads touch the buffer and exit):
# the samples after t1 are of its printf, its quiet period's ticks and its
# exit, 7-10 first touches of code pages in quiet runs and more under load
# (a CI run saw over 16).
test_expect_success 'no sample outside the buffer while only the buffer is touched' '
	f=$(trace_of "$TMP/four") &&
	jq -s -e --arg buf "$(kv "$TMP/four.out" buf)" --argjson len "$(kv "$TMP/four.out" len)" \
		--argjson t0 "$(kv "$TMP/four.out" t0)" --argjson t1 "$(kv "$TMP/four.out" t1)" \
		--argjson s "$(head -1 "$f" | jq .start_monotonic_ns)" "$JQ_HEX"'"'"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults") | .samples[]
		   | select(.[3] + $s >= $t0 and .[3] + $s <= $t1 and (.[4] == 0))
		   | select((.[0] | hex) < $b - 65536 or (.[0] | hex) >= $b + $len + 65536)]
		| length <= 16'"'"' "$f" >/dev/null
'

test_expect_success 'fresh anonymous pages are minor faults; majors agree with majflt' '
	f=$(trace_of "$TMP/one") &&
	jq -s -e --arg buf "$(kv "$TMP/one.out" buf)" --argjson len "$(kv "$TMP/one.out" len)" "$JQ_HEX"'"'"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults") | .samples[] | select((.[0] | hex) >= $b and (.[0] | hex) < $b + $len) | .[4]]
		| all(. == 0)'"'"' "$f" >/dev/null &&
	jq -s -e "([.[] | select(.e == \"faults\") | .samples[] | select(.[4] == 1)] | length)
		<= ([.[] | select(.e == \"counters\")] | last | .majflt)" "$f" >/dev/null
'

test_expect_success 'FAULTLINE_FAULTS=10 samples every 10th fault' '
	touch_run tenth 1 --faults 10 &&
	n=$(in_buf tenth | jq ".[0]") && echo "samples in buffer: $n" &&
	test "$n" -ge $((N / 10 - 1)) && test "$n" -le $((N / 10 + 1)) &&
	jq -s -e "[.[] | select(.e == \"faults\")] | all(.period == 10)" "$(trace_of "$TMP/tenth")" >/dev/null
'

test_expect_success 'FAULTLINE_FAULTS=off: no samples, counters still there' '
	touch_run off 1 --faults off &&
	f=$(trace_of "$TMP/off") &&
	head -1 "$f" | jq -e ".probes.perf_fault_samples.ok == false" >/dev/null &&
	test "$(jq -s "[.[] | select(.e == \"faults\")] | length" "$f")" = 0 &&
	check_counts off
'

test_done
