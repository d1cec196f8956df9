#!/bin/sh
# Analyzer speed on a many-process trace: bench/proc_storm (a parent that
# writes MIB MiB, then forks PROCS children that each write a quarter of it
# copy-on-write) recorded with `record --all --faults all`, then each report
# section timed on its own (`report --json --no-symbols --section S`, which
# includes reading the trace: `tree` is the reader and model alone) and the
# whole report. Per-process work that scans other processes' events grows
# with PROCS squared here.
#   BUILD=build sh bench/b_procs.sh   (PROCS=N, MIB=N, REPS=N, MAX=SIZE per
#                                      trace file, TRACE=DIR to time an
#                                      existing trace instead, BASE=FAULTLINE
#                                      to time another build side by side)
# Each timing is the median of REPS runs (default 3); the load average is
# printed: other work on the machine skews wall times, CPU times less so.
set -u
BUILD=${BUILD:-build}
PROCS=${PROCS:-100}
MIB=${MIB:-256}
REPS=${REPS:-3}
MAX=${MAX:-32}
TRACE=${TRACE:-}
BASE=${BASE:-}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
STORM=$top/$BUILD/bench/proc_storm
[ -x "$FL" ] && [ -x "$STORM" ] || { echo "b_procs: build first (make)" >&2; exit 1; }
[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "b_procs: BASE '$BASE' is not executable" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flprocs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

now() { date +%s%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
secs() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }

# timed CMD...: runs CMD REPS times, output discarded; prints the median
# "wall_ns user+sys_s" (by wall time).
timed() {
	: >"$tmp/runs"
	_i=0
	while [ $_i -lt "$REPS" ]; do
		_s=$(now)
		/usr/bin/env time -f "%U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
			{ echo "b_procs: '$*' failed:" >&2; tail -3 "$tmp/err" >&2; }
		_e=$(now)
		echo "$((_e - _s)) $(awk '{ print $1 + $2 }' "$tmp/time")" >>"$tmp/runs"
		_i=$((_i + 1))
	done
	sort -n "$tmp/runs" | awk '{ r[NR] = $0 } END { print r[int((NR + 1) / 2)] }'
}

if [ -n "$TRACE" ]; then
	trace=$TRACE
else
	# Each file is capped (MAX MiB); refuse to start without room for all of them.
	need_kib=$(((PROCS + 1) * MAX * 1024 + 524288))
	free_kib=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
	if [ "$free_kib" -lt "$need_kib" ]; then
		echo "b_procs: $((free_kib / 1024)) MiB free in $tmp, want $((need_kib / 1024)) (lower PROCS or MAX)" >&2
		exit 1
	fi
	trace=$tmp/trace
	_s=$(now)
	"$FL" record -q --all --faults all --max-size "${MAX}M" -o "$trace" -- \
		"$STORM" "$PROCS" "$MIB" >/dev/null || exit 1
	echo "-- recorded proc_storm $PROCS $MIB in $(secs $(($(now) - _s))) s"
fi
nfiles=$(ls "$trace" | wc -l)
echo "-- $trace: $nfiles files, $(du -sm "$trace" | cut -f1) MiB (median of $REPS runs; load $(load))"
if [ -n "$BASE" ]; then
	printf '%-22s %22s %22s\n' "report --section" "this build: wall  CPU" "BASE: wall  CPU"
else
	printf '%-22s %22s\n' "report --section" "wall  CPU"
fi
for s in tree summary heap faults ws overcommit cow io all; do
	case $s in all) sec= ;; *) sec="--section $s" ;; esac
	set -- $(timed "$FL" report --json --no-symbols $sec "$trace")
	line=$(printf '%-22s %14s s %5.2f s' "$s" "$(secs "$1")" "$2")
	if [ -n "$BASE" ]; then
		set -- $(timed "$BASE" report --json --no-symbols $sec "$trace")
		line=$(printf '%s %14s s %5.2f s' "$line" "$(secs "$1")" "$2")
	fi
	echo "$line"
done
echo "   (load after: $(load))"
