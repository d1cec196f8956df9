#!/bin/sh
# What tracing costs a process before and after its own work: a short
# program (PROG, /bin/true by default) run natively, with the counting
# floor preloaded through env (bench/shim/count_floor.c: the extra exec of
# env, and a preloaded object that does nothing at start), with the shim
# preloaded through env (FAULTLINE_OUT set, no record: shim minus floor is
# the shim's own start and exit), and under `record` (its own start, the
# launch, the shim's; no env). Modes alternate,
# REPS rounds; the median CPU time of each (user+sys of the run and its
# children, bench/runtime) and what it adds to the native run, per process.
# A traced shell script or build pays the "shim" figure for every process
# it starts, the "record" one once.
#   BUILD=build sh bench/b_start.sh    (REPS=N, PROG="cmd args", FORMAT=tsv,
#                                       MODES="native floor shim record before")
# Mode "before" runs `record` of another build: BEFORE=/path/to/faultline.
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-31}
PROG=${PROG:-/bin/true}
FORMAT=${FORMAT:-text}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
LIB=$top/$BUILD/libfaultline.so
FLOOR=$top/$BUILD/bench/count_floor.so
RT=$top/$BUILD/bench/runtime
[ -x "$FL" ] && [ -x "$RT" ] && [ -f "$LIB" ] || { echo "b_start: build first (make)" >&2; exit 1; }
modes=${MODES:-native floor shim record}
case " $modes " in
*" before "*) [ -x "${BEFORE:-}" ] || { echo "b_start: mode before needs BEFORE=faultline" >&2; exit 2; } ;;
esac
export FAULTLINE_QUIET=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run MODE: one run, "wall_ns cpu_ns" appended to $tmp/MODE (each traced
# run writes a fresh trace directory, removed after it: bounded on disk)
run() {
	rm -rf "$tmp/t" && mkdir "$tmp/t"
	case $1 in
	native) "$RT" "$tmp/rt" $PROG ;;
	floor) "$RT" "$tmp/rt" env LD_PRELOAD="$FLOOR" $PROG ;;
	shim) "$RT" "$tmp/rt" env LD_PRELOAD="$LIB" FAULTLINE_OUT="$tmp/t" $PROG ;;
	record) "$RT" "$tmp/rt" "$FL" record -q -o "$tmp/t/r" -- $PROG ;;
	before) "$RT" "$tmp/rt" "$BEFORE" record -q -o "$tmp/t/r" -- $PROG ;;
	esac >/dev/null 2>&1 || echo "b_start: $1 run failed" >&2
	cut -d' ' -f1,2 "$tmp/rt" >>"$tmp/$1"
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for m in $modes; do : >"$tmp/$m"; done
i=0
while [ $i -lt "$REPS" ]; do
	for m in $modes; do run "$m"; done
	i=$((i + 1))
done
nat=$(cut -d' ' -f2 "$tmp/native" | median)
[ "$FORMAT" = tsv ] || printf '%-8s %10s %12s   (%s, %s rounds)\n' mode cpu_ms added_ms "$PROG" "$REPS"
for m in $modes; do
	cpu=$(cut -d' ' -f2 "$tmp/$m" | median)
	if [ "$FORMAT" = tsv ]; then
		printf 'start.%s.cpu_ms\t%s\n' "$m" "$(echo "$cpu" | awk '{printf "%.2f", $1 / 1e6}')"
		printf 'start.%s.added_ms\t%s\n' "$m" "$(echo "$cpu $nat" | awk '{printf "%.2f", ($1 - $2) / 1e6}')"
	else
		echo "$m $cpu $nat" | awk '{printf "%-8s %10.2f %12.2f\n", $1, $2 / 1e6, ($2 - $3) / 1e6}'
	fi
done
[ "$FORMAT" = tsv ] && printf 'start.load\t%s\nstart.runs\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$REPS"
exit 0
