#!/bin/sh
# What draining a fault sample costs the process: `record --faults all` of
# the fault loop (bench/fault_touch MIB, every fault sampled) under
# `perf record -e cpu-clock -c 100000 --call-graph fp` (a sample every
# 100 us of CPU, software clock: no hardware PMU needed), REPS runs. The
# CPU time under fl_perf_drain (reading the perf buffers, formatting the
# samples into fault lines) and under fl_sys_write_all (writing the whole
# trace), whichever thread runs them (the ticker thread, or the program's
# own thread when the tick runs there), divided by the samples the trace
# kept; and the fault lines' bytes a sample. The ticker's other work
# (residency scans, counters) is not in these figures.
#   BUILD=build sh bench/b_drain.sh    (MIB=N, REPS=N; FORMAT=tsv)
set -u
BUILD=${BUILD:-build}
MIB=${MIB:-256}
REPS=${REPS:-5}
FORMAT=${FORMAT:-text}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
PROG=$top/$BUILD/bench/fault_touch
[ -x "$FL" ] && [ -x "$PROG" ] || { echo "b_drain: build first (make)" >&2; exit 1; }
if ! command -v perf >/dev/null 2>&1 ||
	! perf record -q -e cpu-clock -c 100000 --call-graph fp -o /dev/null true 2>/dev/null; then
	[ "$FORMAT" = tsv ] && printf 'drain.skipped\t%s\n' "perf record -e cpu-clock not available"
	[ "$FORMAT" = tsv ] || echo "b_drain: perf record -e cpu-clock not available: skipped"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fldrain.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1
period_us=100

# inclusive SYMBOL: CPU microseconds of the samples with SYMBOL on the stack
inclusive() {
	perf report -i "$tmp/perf.data" --children --sort sym --stdio -g none \
		2>/dev/null | awk -v s="$1" -v n="$total" -v p="$period_us" '
		NF >= 3 && ($NF == s || ($(NF - 1) == s && $NF == "(inlined)")) { sub("%", "", $1); t += $1 / 100 * n * p } END { printf "%.0f\n", t }'
}

: >"$tmp/runs"
for _ in $(seq "$REPS"); do
	rm -rf "$tmp/trace" "$tmp/perf.data"
	perf record -q -e cpu-clock -c 100000 --call-graph fp -o "$tmp/perf.data" -- \
		"$FL" record -q --faults all -o "$tmp/trace" -- "$PROG" "$MIB" >/dev/null 2>&1 ||
		{ echo "b_drain: run failed" >&2; exit 1; }
	total=$(perf report -i "$tmp/perf.data" --stdio --no-children -g none -n --sort pid 2>/dev/null |
		awk '$1 ~ /%$/ { n += $2 } END { print n + 0 }')
	f=$(ls "$tmp"/trace/*.ndjson* | head -1)
	case $f in *.zst) cat_trace() { zstdcat "$f"; } ;; *) cat_trace() { cat "$f"; } ;; esac
	samples=$(cat_trace | jq -s '[.[] | select(.e == "faults") | .samples | length] | add // 0')
	fbytes=$(cat_trace | grep '"e":"faults"' | wc -c)
	tbytes=$(cat_trace | wc -c)
	echo "$(inclusive fl_perf_drain) $(inclusive fl_sys_write_all) $samples $fbytes $tbytes $total" >>"$tmp/runs"
done
# medians of the per-run figures: drain ns a sample, write ns a sample
# (the write's time shared by bytes: the fault lines' share of it), bytes a sample
awk '$3 > 0 {
	print $1 * 1000 / $3, ($5 > 0 ? $2 * 1000 * $4 / $5 / $3 : 0), $4 / $3, $1, $2, $3
}' "$tmp/runs" >"$tmp/per"
med() { awk -v c="$1" '{ print $c }' "$tmp/per" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
d=$(med 1) w=$(med 2) b=$(med 3)
if [ "$FORMAT" = tsv ]; then
	printf 'drain.ns_per_sample\t%.0f\ndrain.write_ns_per_sample\t%.0f\ndrain.bytes_per_sample\t%.1f\ndrain.runs\t%s\n' \
		"$d" "$w" "$b" "$REPS"
	exit 0
fi
echo "-- draining fault samples: record --faults all, $MIB MiB touch loop, $REPS runs (perf cpu-clock, 100 us a sample)"
printf '%-10s %-10s %-10s %-12s %-12s\n' "drain us" "write us" samples "drain ns/s." "write ns/s."
awk '{ printf "%-10d %-10d %-10d %-12.0f %-12.0f\n", $4, $5, $6, $1, $2 }' "$tmp/per"
printf 'median: %.0f ns a sample to drain and format, %.0f ns to write its %.1f bytes of fault line\n' "$d" "$w" "$b"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
