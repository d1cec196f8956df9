#!/bin/sh
# Analyzer speed. (1) Throughput on a synthetic trace of EVENTS lines
# (default 10 million: heap, fault batches, counters, residency, io), the
# whole report (every section, --json, --no-symbols); target >= 1 M events/s.
# (2) The same malloc-heavy workload (bench/malloc_bench, PAIRS pairs)
# recorded by `faultline record --all` and by heaptrack, then the time of
# `faultline report --section heap` against `heaptrack_print`, same run.
#   BUILD=build sh bench/b_analyzer.sh     (EVENTS=N, PAIRS=N to change sizes)
set -u
BUILD=${BUILD:-build}
EVENTS=${EVENTS:-10000000}
PAIRS=${PAIRS:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
GEN=$top/$BUILD/bench/gen_trace
MB=$top/$BUILD/bench/malloc_bench
[ -x "$FL" ] && [ -x "$GEN" ] || { echo "b_analyzer: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

now() { date +%s%N; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# timed OUT CMD...: runs CMD with stdout to OUT, prints "wall_ns user+sys_s"
timed() {
	_out=$1
	shift
	_s=$(now)
	/usr/bin/env time -f "%U %S" -o "$tmp/time" "$@" >"$_out" 2>"$tmp/err" ||
		{ echo "b_analyzer: '$*' failed:" >&2; tail -3 "$tmp/err" >&2; }
	_e=$(now)
	echo "$((_e - _s)) $(awk '{ print $1 + $2 }' "$tmp/time")"
}

echo "-- analyzer throughput, synthetic trace"
mkdir "$tmp/syn"
"$GEN" "$EVENTS" "$tmp/syn" || exit 1
size=$(du -m "$tmp/syn" | cut -f1)
set -- $(timed "$tmp/syn.json" "$FL" report --json --no-symbols "$tmp/syn")
wall=$1 cpus=$2
events=$(jq .events "$tmp/syn.json")
errors=$(jq .errors "$tmp/syn.json")
rate=$(awk -v e="$events" -v w="$wall" 'BEGIN { printf "%.0f", e / (w / 1e9) }')
cpurate=$(awk -v e="$events" -v c="$cpus" 'BEGIN { printf "%.0f", (c > 0 ? e / c : 0) }')
printf '%-34s %s\n' "events (lines)" "$events ($size MiB, $errors bad lines)"
printf '%-34s %.2f s wall, %.2f s CPU\n' "faultline report (all sections)" \
	"$(awk -v w="$wall" 'BEGIN { print w / 1e9 }')" "$cpus"
printf '%-34s %s events/s (wall), %s events/s (CPU) — target 1000000: %s\n' "throughput" \
	"$rate" "$cpurate" "$([ "$rate" -ge 1000000 ] && echo met || echo NOT met)"
set -- $(timed /dev/null "$FL" report --json --no-symbols --section tree "$tmp/syn")
printf '%-34s %.2f s wall, %.2f s CPU (reader + model alone)\n' "faultline report --section tree" \
	"$(awk -v w="$1" 'BEGIN { print w / 1e9 }')" "$2"
rm -rf "$tmp/syn"

echo "-- malloc-heavy workload ($PAIRS malloc/free pairs): faultline against heaptrack_print"
if [ ! -x "$MB" ]; then
	echo "b_analyzer: no $MB; skipping the heaptrack comparison"
	exit 0
fi
"$FL" record -q --all -o "$tmp/fl" -- "$MB" 1 "$PAIRS" >/dev/null || exit 1
set -- $(timed "$tmp/fl.txt" "$FL" report --no-symbols --section heap "$tmp/fl")
flw=$1 flc=$2
set -- $(timed "$tmp/fls.txt" "$FL" report --section heap "$tmp/fl")
flsw=$1
printf '%-34s %.2f s wall, %.2f s CPU; with symbols %.2f s (trace %s MiB)\n' "faultline report --section heap" \
	"$(awk -v w="$flw" 'BEGIN { print w / 1e9 }')" "$flc" \
	"$(awk -v w="$flsw" 'BEGIN { print w / 1e9 }')" "$(du -m "$tmp/fl" | cut -f1)"
if ! command -v heaptrack >/dev/null 2>&1 || ! command -v heaptrack_print >/dev/null 2>&1; then
	echo "heaptrack not installed: comparison skipped"
	exit 0
fi
(cd "$tmp" && heaptrack -o "$tmp/ht" "$MB" 1 "$PAIRS" >/dev/null 2>&1)
ht=$(ls "$tmp"/ht* 2>/dev/null | head -1)
[ -n "$ht" ] || { echo "heaptrack wrote no trace: comparison skipped"; exit 0; }
set -- $(timed "$tmp/ht.txt" heaptrack_print "$ht")
printf '%-34s %.2f s wall, %.2f s CPU (trace %s MiB)\n' "heaptrack_print" \
	"$(awk -v w="$1" 'BEGIN { print w / 1e9 }')" "$2" "$(du -m "$ht" | cut -f1)"
printf '%-34s %.2f\n' "faultline / heaptrack_print (wall)" \
	"$(awk -v a="$flw" -v b="$1" 'BEGIN { print a / b }')"
