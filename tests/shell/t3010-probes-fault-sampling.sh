#!/bin/sh
# Fault sampling under load: a fault-dense loop sampled at every fault loses
# nothing (the ticker drains a buffer as soon as it is a quarter full, not
# only once per tick); lost samples, where the kernel reports some, are
# accounted for in the report; the sampled estimate of the default period
# matches the counted totals.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"
. "$(dirname "$0")/reports-lib.sh"

# 65536 pages = 3 MiB of samples at one per fault: more than a CPU's 2 MiB
# buffer holds, in ~0.15 s, inside one 1 s tick.
N=65536

# in_buf NAME: [samples in the buffer, distinct pages among them, lost]
in_buf() {
	f=$(trace_of "$TMP/$1")
	jq -s -c --arg buf "$(kv "$TMP/$1.out" buf)" --argjson len "$(kv "$TMP/$1.out" len)" \
		"$JQ_HEX"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults")] as $f
		| [$f[] | .samples[] | select((.[0] | hex) >= $b and (.[0] | hex) < $b + $len)]
		| [length, (map(.[0]) | unique | length), ([$f[].lost] | add)]' "$f"
}

"$FL" record -q --faults all --interval 1000 -o "$TMP/dense" -- \
	"$PROGS/p_probe_touch" $N 1 0 >"$TMP/dense.out" || exit 1
need_probe "$TMP/dense" perf_fault_samples

test_expect_success 'every fault sampled in a dense loop, one long tick: none lost' '
	r=$(in_buf dense) && echo "samples, pages, lost: $r" &&
	test "$r" = "[$N,$N,0]"
'

test_expect_success 'lost samples are reported with the faults they stood for' '
	f=$(trace_of "$TMP/dense") && mkdir -p "$TMP/lost" &&
	jq -c "if .e == \"faults\" and .lost != null then .lost += 500 else . end" "$f" \
		>"$TMP/lost/$(basename "$f")" &&
	report_json "$TMP/lost" faults >"$TMP/lost.json" &&
	jq -e "(.processes[0].lost | . >= 500 and . % 500 == 0) and
		([.findings[] | select(.id == \"faults.lost\" and .severity == \"warn\")] | length == 1)" \
		"$TMP/lost.json" >/dev/null &&
	"$FL" report --no-symbols --section faults "$TMP/lost" >"$TMP/lost.txt" &&
	grep -q "LOST" "$TMP/lost.txt" && grep -q "dropped" "$TMP/lost.txt"
'

# The default samples one fault in 16 into buffers an eighth the size
# (perf.c, ring_pages_for), drained from half full: the same dense loop
# writes 3/4 of one.
"$FL" record -q --interval 1000 -o "$TMP/dense16" -- \
	"$PROGS/p_probe_touch" $N 1 0 >"$TMP/dense16.out" || exit 1

test_expect_success 'one fault in 16 sampled in a dense loop, one long tick: none lost' '
	r=$(in_buf dense16) && echo "samples, pages, lost: $r (one in 16 of $N)" &&
	set -- $(echo "$r" | tr "[,]" "   ") &&
	test "$3" = 0 && test "$1" = "$2" && within "$1" $((N / 16)) 1
'

# The default: one fault in 16 sampled, every sample weighted by 16. Four
# threads touch M pages (not a multiple of 16 per thread).
M=15996
"$FL" record -q -o "$TMP/dflt" -- "$PROGS/p_probe_touch" $M 4 100 >"$TMP/dflt.out" || exit 1
report_json "$TMP/dflt" faults >"$TMP/dflt.json" || exit 1

test_expect_success 'default: one fault in 16 sampled, said in the header, the lines and the report' '
	f=$(trace_of "$TMP/dflt") &&
	head -1 "$f" | jq -e ".options.faults_period == 16" >/dev/null &&
	jq -s -e "[.[] | select(.e == \"faults\") | .period] | length > 0 and all(. == 16)" "$f" >/dev/null &&
	jq -e ".processes[0].period == 16 and
		([.findings[] | select(.id == \"faults.sampled\")] | length == 1)" "$TMP/dflt.json" >/dev/null &&
	"$FL" report --no-symbols --section faults "$TMP/dflt" | tr -s " \n" "  " |
		grep -q "1 in 16; figures below are estimates"
'

# (the rows overlapping the buffer: under load the maps snapshot after its
# mprotect can come after the first faults, which then land in the row of
# the PROT_NONE reservation around it)
test_expect_success 'default: the weighted estimate for the buffer is the pages touched (+- 2%)' '
	b=$(jq --arg buf "$(kv "$TMP/dflt.out" buf)" --argjson len "$(kv "$TMP/dflt.out" len)" \
		"$JQ_HEX"" (\$buf | hex) as \$b | [.processes[0].by_vma[] |
		select((.start | hex) < \$b + \$len and (.end | hex) > \$b) | .faults] | add" \
		"$TMP/dflt.json") &&
	own=$(kv "$TMP/dflt.out" ru_minflt) &&
	echo "estimate $b, touched $M, getrusage over the loop $own" &&
	within "$b" $M 2 && within "$b" "$own" 2
'

test_expect_success 'default: the estimated total matches the counted total (+- 3%), classes too' '
	f=$(trace_of "$TMP/dflt") &&
	counted=$(jq -s "[.[] | select(.e == \"counters\")] | last | .minflt + .majflt" "$f") &&
	est=$(jq ".processes[0].faults" "$TMP/dflt.json") &&
	echo "estimate $est, counted (perf, counting mode) $counted" &&
	within "$est" "$counted" 3 &&
	jq -e ".processes[0].by_class.zero_fill.faults >= 0.95 * .processes[0].faults" "$TMP/dflt.json" >/dev/null
'

test_expect_success 'default: first-touch working set is labelled an estimate' '
	report_json "$TMP/dflt" ws >"$TMP/ws.json" &&
	jq -e ".processes[0] | .first_touch_estimate == true and .first_touch_period == 16" \
		"$TMP/ws.json" >/dev/null &&
	"$FL" report --no-symbols --section ws "$TMP/dflt" | tr -s " \n" "  " |
		grep -q "first_touch is an estimate: 1 fault in 16"
'

test_expect_success '--wss samples every fault unless told otherwise' '
	"$FL" record -q --wss -o "$TMP/wss" -- "$PROGS/p_probe_touch" 64 1 0 >/dev/null &&
	head -1 "$(trace_of "$TMP/wss")" | jq -e ".options.faults_period == 1" >/dev/null &&
	FAULTLINE_FAULTS=4 "$FL" record -q --wss -o "$TMP/wss4" -- "$PROGS/p_probe_touch" 64 1 0 >/dev/null &&
	head -1 "$(trace_of "$TMP/wss4")" | jq -e ".options.faults_period == 4" >/dev/null
'

# Copy-on-write with every fault sampled: the page history decides (the
# default's region-at-fork rule is checked by t6002 and t6003).
test_expect_success 'every fault: the child copied exactly the pages it wrote' '
	"$FL" record -q --faults all -o "$TMP/cow" -- "$SAMPLES/fork_cow" 64 25 child >"$TMP/cow.out" &&
	report_json "$TMP/cow" cow >"$TMP/cow.json" &&
	c=$(jq ".forks[0].by_vma | max_by(.shared_at_fork) | .copied_by_child" "$TMP/cow.json") &&
	w=$(truth "$TMP/cow.out" written_pages) && echo "copied $c, written $w" &&
	within "$c" "$w" 1
'

test_done
