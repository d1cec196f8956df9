#!/bin/sh
# Analyzer speed. (1) Throughput on a synthetic trace of EVENTS lines
# (default 10 million: heap, fault batches, counters, residency, io), the
# whole report (every section, --json, --no-symbols); target >= 1 M events/s.
# Then the reader and model alone (--section tree) and, with BY_SECTION=1,
# each section on its own. (2) The same malloc-heavy workload
# (bench/malloc_bench, PAIRS pairs) recorded by heaptrack and by faultline,
# and the time of `faultline report --section heap` against
# `heaptrack_print`, same run, on two faultline traces: `record --all`
# (per-site totals, a small trace) and `record --all --large 1` (also one
# line per call: as many events as heaptrack records, the fair match).
#   BUILD=build sh bench/b_analyzer.sh     (EVENTS=N, PAIRS=N, REPS=N,
#                                           BY_SECTION=1 to change; EVENTS=0
#                                           or PAIRS=0 skips that part;
#                                           FORMAT=tsv: "name<TAB>value" lines)
# Each timing is the median of REPS runs (default 3); the load average is
# printed before and after: other work on the machine skews wall times.
set -u
BUILD=${BUILD:-build}
EVENTS=${EVENTS:-10000000}
PAIRS=${PAIRS:-1000000}
REPS=${REPS:-3}
BY_SECTION=${BY_SECTION:-0}
FORMAT=${FORMAT:-text}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
GEN=$top/$BUILD/bench/gen_trace
MB=$top/$BUILD/bench/malloc_bench
[ -x "$FL" ] && [ -x "$GEN" ] || { echo "b_analyzer: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

now() { date +%s%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
say() { [ "$FORMAT" = tsv ] || echo "$@"; }
tsv() { [ "$FORMAT" != tsv ] || printf 'analyzer.%s\t%s\n' "$1" "$2"; }
# tsv3 NAME WALL_NS CPU_S RSS_KIB
tsv3() { tsv "$1.wall_ns" "$2"; tsv "$1.cpu_s" "$3"; tsv "$1.rss_kib" "$4"; }
secs() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }

# timed OUT CMD...: runs CMD REPS times with stdout to OUT; prints the
# median "wall_ns user+sys_s peak_rss_kib" (by wall time).
timed() {
	_out=$1
	shift
	: >"$tmp/runs"
	_i=0
	while [ $_i -lt "$REPS" ]; do
		_s=$(now)
		/usr/bin/env time -f "%U %S %M" -o "$tmp/time" "$@" >"$_out" 2>"$tmp/err" ||
			{ echo "b_analyzer: '$*' failed:" >&2; tail -3 "$tmp/err" >&2; }
		_e=$(now)
		echo "$((_e - _s)) $(awk '{ print $1 + $2, $3 }' "$tmp/time")" >>"$tmp/runs"
		_i=$((_i + 1))
	done
	sort -n "$tmp/runs" | awk '{ r[NR] = $0 } END { print r[int((NR + 1) / 2)] }'
}

# rate EVENTS BYTES WALL_NS CPU_S: "N events/s, N MB/s (wall); N events/s (CPU)"
rate() {
	awk -v e="$1" -v b="$2" -v w="$3" -v c="$4" 'BEGIN {
		printf "%.2f M events/s, %.0f MB/s (wall); %.2f M events/s (CPU)",
			e / (w / 1e9) / 1e6, b / 1e6 / (w / 1e9), (c > 0 ? e / c / 1e6 : 0) }'
}

syn() {
say "-- analyzer throughput, synthetic trace (median of $REPS runs; load $(load))"
mkdir "$tmp/syn"
"$GEN" "$EVENTS" "$tmp/syn" || exit 1
bytes=$(cat "$tmp/syn"/*.ndjson | wc -c)
set -- $(timed "$tmp/syn.json" "$FL" report --json --no-symbols "$tmp/syn")
wall=$1 cpus=$2 rss=$3
events=$(jq .events "$tmp/syn.json")
errors=$(jq .errors "$tmp/syn.json")
rate_w=$(awk -v e="$events" -v w="$wall" 'BEGIN { printf "%.0f", e / (w / 1e9) }')
tsv syn.events "$events"
tsv syn.bytes "$bytes"
tsv syn.errors "$errors"
tsv3 syn.report "$wall" "$cpus" "$rss"
[ "$FORMAT" = tsv ] && { rm -rf "$tmp/syn"; return 0; }
printf '%-36s %s\n' "events (lines)" "$events ($((bytes / 1048576)) MiB, $errors bad lines)"
printf '%-36s %s s wall, %.2f s CPU, peak RSS %s MiB\n' "faultline report (all sections)" \
	"$(secs "$wall")" "$cpus" "$((rss / 1024))"
printf '%-36s %s — target 1 M/s (wall): %s\n' "throughput" "$(rate "$events" "$bytes" "$wall" "$cpus")" \
	"$([ "$rate_w" -ge 1000000 ] && echo met || echo NOT met)"
set -- $(timed /dev/null "$FL" report --json --no-symbols --section tree "$tmp/syn")
printf '%-36s %s s wall, %.2f s CPU, peak RSS %s MiB: %s\n' "--section tree (reader + model)" \
	"$(secs "$1")" "$2" "$(($3 / 1024))" "$(rate "$events" "$bytes" "$1" "$2")"
if [ "$BY_SECTION" = 1 ]; then
	for s in summary heap faults ws overcommit cow io; do
		set -- $(timed /dev/null "$FL" report --json --no-symbols --section "$s" "$tmp/syn")
		printf '%-36s %s s wall, %.2f s CPU\n' "--section $s (with reading)" "$(secs "$1")" "$2"
	done
fi
rm -rf "$tmp/syn"
echo "   (load after: $(load))"
}
[ "$EVENTS" -gt 0 ] && syn
[ "$PAIRS" -gt 0 ] || exit 0

say "-- malloc-heavy workload ($PAIRS malloc/free pairs): faultline against heaptrack_print"
if [ ! -x "$MB" ]; then
	say "b_analyzer: no $MB; skipping the heaptrack comparison"
	exit 0
fi
"$FL" record -q --all -o "$tmp/fl" -- "$MB" 1 "$PAIRS" >/dev/null || exit 1
"$FL" record -q --all --large 1 --no-compress -o "$tmp/fle" -- "$MB" 1 "$PAIRS" >/dev/null || exit 1
"$FL" record -q --all --large 1 -o "$tmp/flz" -- "$MB" 1 "$PAIRS" >/dev/null || exit 1
set -- $(timed "$tmp/fl.txt" "$FL" report --no-symbols --section heap "$tmp/fl")
flw=$1 flc=$2
tsv3 heap_all "$@"
set -- $(timed "$tmp/fls.txt" "$FL" report --section heap "$tmp/fl")
[ "$FORMAT" = tsv ] || printf '%-36s %s s wall, %.2f s CPU; with symbols %s s (trace %s MiB)\n' "faultline, --all: report heap" \
	"$(secs "$flw")" "$flc" "$(secs "$1")" "$(du -m "$tmp/fl" | cut -f1)"
ev=$(cat "$tmp/fle"/*.ndjson | wc -l)
set -- $(timed "$tmp/fle.txt" "$FL" report --no-symbols --section heap "$tmp/fle")
flew=$1 flec=$2 flerss=$3
tsv3 heap_large1 "$@"
tsv heap_large1.lines "$ev"
tsv heap_large1.trace_bytes "$(cat "$tmp/fle"/* | wc -c)"
set -- $(timed "$tmp/fles.txt" "$FL" report --section heap "$tmp/fle")
tsv3 heap_large1_symbols "$@"
[ "$FORMAT" = tsv ] || printf '%-36s %s s wall, %.2f s CPU, %s MiB RSS; with symbols %s s (trace %s MiB, %s lines)\n' \
	"faultline, --all --large 1: heap" "$(secs "$flew")" "$flec" "$((flerss / 1024))" "$(secs "$1")" \
	"$(du -m "$tmp/fle" | cut -f1)" "$ev"
set -- $(timed "$tmp/flz.txt" "$FL" report --no-symbols --section heap "$tmp/flz")
tsv3 heap_large1_zst "$@"
[ "$FORMAT" = tsv ] || printf '%-36s %s s wall, %.2f s CPU, %s MiB RSS (trace %s KiB)\n' \
	"  the same compressed (the default)" "$(secs "$1")" "$2" "$(($3 / 1024))" "$(du -k "$tmp/flz" | cut -f1)"
# every section: the analyzer's memory on a trace with a line per call
set -- $(timed /dev/null "$FL" report --json --no-symbols "$tmp/flz")
tsv3 report_large1_zst "$@"
[ "$FORMAT" = tsv ] || printf '%-36s %s s wall, %.2f s CPU, %s MiB RSS\n' \
	"  the whole report (every section)" "$(secs "$1")" "$2" "$(($3 / 1024))"
# the other commands that read a whole trace, on the same one: their memory
# too should follow the blocks live at a time, not the trace's length
a=$("$FL" export -f json "$tmp/flz" | grep -o '"addr":"0x[0-9a-f]*","size":[0-9]*,"weight"' |
	sed -n "$((PAIRS / 2))p" | sed 's/.*"addr":"\(0x[0-9a-f]*\)".*/\1/')
for c in check export_folded export_pprof export_perfetto export_json compare addr; do
	case $c in
	check) set -- check --max-heap-peak 1G --max-leaked 1G "$tmp/flz" ;;
	export_folded) set -- export --no-symbols -f folded "$tmp/flz" ;;
	export_pprof) set -- export --no-symbols -f pprof -o "$tmp/p.pb.gz" "$tmp/flz" ;;
	export_perfetto) set -- export -f perfetto "$tmp/flz" ;;
	export_json) set -- export -f json "$tmp/flz" ;;
	compare) set -- compare "$tmp/flz" "$tmp/flz" ;;
	addr) set -- addr "${a:-0x1000}" --trace "$tmp/flz" --no-symbols ;;
	esac
	set -- $(timed /dev/null "$FL" "$@")
	tsv3 "${c}_large1_zst" "$@"
	[ "$FORMAT" = tsv ] || printf '%-36s %s s wall, %.2f s CPU, %s MiB RSS\n' \
		"  $(echo "$c" | tr _ ' ')" "$(secs "$1")" "$2" "$(($3 / 1024))"
done
if ! command -v heaptrack >/dev/null 2>&1 || ! command -v heaptrack_print >/dev/null 2>&1; then
	say "heaptrack not installed: comparison skipped"
	tsv heaptrack_print.skipped "heaptrack not installed"
	exit 0
fi
(cd "$tmp" && heaptrack -o "$tmp/ht" "$MB" 1 "$PAIRS" >/dev/null 2>&1)
ht=$(ls "$tmp"/ht* 2>/dev/null | head -1)
[ -n "$ht" ] || { say "heaptrack wrote no trace: comparison skipped"; tsv heaptrack_print.skipped "heaptrack wrote no trace"; exit 0; }
set -- $(timed "$tmp/ht.txt" heaptrack_print "$ht")
tsv3 heaptrack_print "$@"
tsv heaptrack.trace_bytes "$(wc -c <"$ht")"
tsv load "$(load)"
[ "$FORMAT" = tsv ] && exit 0
printf '%-36s %s s wall, %.2f s CPU, %s MiB RSS (trace %s KiB compressed)\n' "heaptrack_print" \
	"$(secs "$1")" "$2" "$(($3 / 1024))" "$(du -k "$ht" | cut -f1)"
printf '%-36s %.2f (--all), %.2f (--all --large 1, one line per call)\n' \
	"faultline / heaptrack_print (wall)" \
	"$(awk -v a="$flw" -v b="$1" 'BEGIN { print a / b }')" \
	"$(awk -v a="$flew" -v b="$1" 'BEGIN { print a / b }')"
echo "   (load after: $(load))"
