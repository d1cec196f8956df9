#!/bin/sh
# Page-fault probes' cost: a program touching MIB MiB of fresh pages (one
# demand-zero fault per page), native against traced with the default probes
# (fault counters + every fault sampled + residency) and with --wss, in the
# same run, alternating, REPS times each; medians of the whole-run wall time
# and of the touch loop alone. For reference, `perf record` sampling every
# fault with its address (what the default probes also do) in the same run.
# Target: default probes <= 1.10x native.
#   BUILD=build sh bench/b_faults.sh      (MIB=N, REPS=N to change sizes)
set -u
BUILD=${BUILD:-build}
MIB=${MIB:-2048}
REPS=${REPS:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
PROG=$top/$BUILD/bench/fault_touch
[ -x "$FL" ] && [ -x "$PROG" ] || { echo "b_faults: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

now() { date +%s%N; }

# one KIND: runs once, appends "wall_ns touch_ns cpu_ns" to $tmp/KIND (cpu:
# user + system time of the program and everything it ran, tracer included)
one() {
	rm -rf "$tmp/trace"
	s=$(now)
	case $1 in
	native) set -- "$1" "$PROG" "$MIB" ;;
	default) set -- "$1" "$FL" record -q -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	wss) set -- "$1" "$FL" record -q --wss -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	nosamples) set -- "$1" "$FL" record -q --faults off -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	perf_record) set -- "$1" perf record -q -e page-faults -c 1 -d -o "$tmp/perf.data" -- "$PROG" "$MIB" ;;
	esac
	k=$1
	shift
	/usr/bin/time -f "%U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>/dev/null ||
		{ echo "b_faults: $k run failed" >&2; exit 1; }
	e=$(now)
	echo "$((e - s)) $(sed -n 's/.*touch_ns=\([0-9]*\).*/\1/p' "$tmp/out") $(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$tmp/time")" >>"$tmp/$k"
	set -- "$k"
	rm -f "$tmp/perf.data"
	if [ "$1" != native ] && [ "$1" != perf_record ]; then
		f=$(ls "$tmp"/trace/*.ndjson | head -1)
		jq -s -r '"\([.[] | select(.e == "faults") | .samples | length] | add) \([.[] | select(.e == "faults") | .lost] | add)"' \
			"$f" >>"$tmp/$1.samples"
		du -sb "$tmp/trace" | cut -f1 >>"$tmp/$1.size"
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$tmp/$1" | median; }

echo "-- $MIB MiB of fresh pages ($((MIB * 256)) faults), $REPS runs each, alternating"
kinds="native default nosamples wss"
command -v perf >/dev/null 2>&1 && perf record -q -e page-faults -c 1 -o /dev/null true 2>/dev/null &&
	kinds="$kinds perf_record"
for r in $(seq "$REPS"); do
	for k in $kinds; do one $k; done
done

nw=$(col native 1) nt=$(col native 2)
nc=$(col native 3)
printf '%-14s %8s %7s %9s %7s %8s %7s  %s\n' "" "wall s" "ratio" "touch s" "ratio" "CPU s" "ratio" "samples lost, trace MiB"
for k in $kinds; do
	w=$(col $k 1) t=$(col $k 2) c=$(col $k 3)
	extra=""
	[ -f "$tmp/$k.size" ] && extra="$(tail -1 "$tmp/$k.samples"), $(tail -1 "$tmp/$k.size" | awk '{ printf "%.0f", $1 / 1048576 }')"
	printf '%-14s %8.2f %7.3f %9.2f %7.3f %8.2f %7.3f  %s\n' "$k" \
		"$(awk -v x="$w" 'BEGIN { print x / 1e9 }')" "$(awk -v x="$w" -v y="$nw" 'BEGIN { print x / y }')" \
		"$(awk -v x="$t" 'BEGIN { print x / 1e9 }')" "$(awk -v x="$t" -v y="$nt" 'BEGIN { print x / y }')" \
		"$(awk -v x="$c" 'BEGIN { print x / 1e9 }')" "$(awk -v x="$c" -v y="$nc" 'BEGIN { print (y > 0 ? x / y : 0) }')" "$extra"
done
ratio=$(awk -v x="$(col default 2)" -v y="$nt" 'BEGIN { printf "%.3f", x / y }')
echo "default probes / native (touch loop): $ratio — target 1.10: $(awk -v r="$ratio" 'BEGIN { print (r <= 1.10 ? "met" : "NOT met") }')"
echo "load average while measuring: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs (ratios are noise above ~1 per CPU)"
