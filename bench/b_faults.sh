#!/bin/sh
# Page-fault probes' cost: a program touching MIB MiB of fresh pages (one
# demand-zero fault per page), native against traced in the same run,
# alternating, REPS times each; medians of the whole-run wall time, of the
# touch loop alone (wall, and CPU time of the touching thread: "tcpu",
# the least disturbed by other load) and of the CPU time of everything
# (program + tracer threads). Kinds:
#   default      the default probes (counters, one fault in 8 sampled, residency)
#   nosamples    --faults off (counting only)
#   all          --faults all (every fault sampled, like perf record -c 1)
#   wss          --wss (default probes + uffd write tracking)
#   pN           --faults N
#   iN           --interval N (the default probes, a tick every N ms)
#   perf_record  perf record -e page-faults -c 1 -d (reference)
#   heaptrack, memusage   the peers (KINDS="heaptrack memusage" to add them)
#   base         another build: BASE=path/to/faultline, with BASE_ARGS (none:
#                the default probes) given to its record (before/after a
#                change, alternated with this build's runs)
# Target: default probes <= 1.05x native on 256 MiB (the default size: a
# larger loop hides the per-fault cost behind this kind of VM's slow faults).
# The verdict is on the touching thread's CPU time (wall shown beside it):
# the median, over the alternated pairs, of each run's ratio to the native
# run just before it, with the interquartile range of those ratios.
#   BUILD=build sh bench/b_faults.sh      (MIB=N, REPS=N, KINDS="..." to change;
#                                          FORMAT=tsv: "name<TAB>value" lines)
set -u
BUILD=${BUILD:-build}
MIB=${MIB:-256}
REPS=${REPS:-3}
FORMAT=${FORMAT:-text}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
PROG=$top/$BUILD/bench/fault_touch
# bench/runtime: the run's CPU in ns (time(1) rounds to 10 ms)
RT=$top/$BUILD/bench/runtime
[ -x "$RT" ] || RT=""
[ -x "$FL" ] && [ -x "$PROG" ] || { echo "b_faults: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

now() { date +%s%N; }

# one KIND: runs once, appends "wall_ns touch_ns cpu_ns tcpu_ns own_ns" to
# $tmp/KIND (cpu: user + system time of the program and everything it ran,
# tracer included; own: the touch loop's wall time less the touching
# thread's run-queue wait, i.e. on a CPU or blocked: the wall time that other
# load on the machine does not add to)
# shellcheck disable=SC2086 # $BASE_ARGS: words
one() {
	rm -rf "$tmp/trace"
	s=$(now)
	case $1 in
	native) set -- "$1" "$PROG" "$MIB" ;;
	default) set -- "$1" "$FL" record -q -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	base) set -- "$1" "$BASE" record -q $BASE_ARGS -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	wss) set -- "$1" "$FL" record -q --wss -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	nosamples) set -- "$1" "$FL" record -q --faults off -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	all) set -- "$1" "$FL" record -q --faults all -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	i[0-9]*) set -- "$1" "$FL" record -q --interval "${1#i}" -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	p[0-9]*) set -- "$1" "$FL" record -q --faults "${1#p}" -o "$tmp/trace" -- "$PROG" "$MIB" ;;
	perf_record) set -- "$1" perf record -q -e page-faults -c 1 -d -o "$tmp/perf.data" -- "$PROG" "$MIB" ;;
	memusage) set -- "$1" memusage "$PROG" "$MIB" ;;
	heaptrack) set -- "$1" heaptrack -o "$tmp/ht" "$PROG" "$MIB" ;;
	esac
	k=$1
	shift
	if [ -n "$RT" ]; then
		"$RT" "$tmp/rt" "$@" >"$tmp/out" 2>/dev/null
	else
		/usr/bin/time -f "%U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>/dev/null
	fi || { echo "b_faults: $k run failed" >&2; exit 1; }
	e=$(now)
	if [ -n "$RT" ]; then
		cpu=$(cut -d' ' -f2 "$tmp/rt")
	else
		cpu=$(awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$tmp/time")
	fi
	# without schedstat (touch_wait_ns=-1) "own" is the whole loop's wall
	echo "$((e - s)) $(sed -n 's/.*touch_ns=\([0-9]*\).*/\1/p' "$tmp/out") $cpu $(sed -n 's/.*touch_cpu_ns=\([0-9]*\).*/\1/p' "$tmp/out") $(sed -n 's/.*touch_ns=\([0-9]*\).*touch_wait_ns=\(-*[0-9]*\).*/\1 \2/p' "$tmp/out" | awk '{ print $1 - ($2 > 0 ? $2 : 0) }')" >>"$tmp/$k"
	set -- "$k"
	rm -f "$tmp/perf.data" "$tmp"/ht*
	if [ -d "$tmp/trace" ]; then
		# plain or zstd (record's default): zstdcat -f reads both
		f=$(ls "$tmp"/trace/*.ndjson* | head -1)
		zstdcat -qf "$f" | jq -s -r '"\([.[] | select(.e == "faults") | .samples | length] | add) \([.[] | select(.e == "faults") | .lost] | add)"' \
			>>"$tmp/$1.samples"
		# the samples' weighted estimate against the counted total (perf counting mode)
		zstdcat -qf "$f" | jq -s -r '"\([.[] | select(.e == "faults") | (.samples | length) * .period] | add // 0) \([.[] | select(.e == "counters")] | last | .minflt + .majflt)"' \
			>>"$tmp/$1.est"
		du -sb "$tmp/trace" | cut -f1 >>"$tmp/$1.size"
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$tmp/$1" | median; }
# quart KIND COL: "q1 median q3" of each run's ratio to the native run of
# the same round (nearest rank), so that a slow stretch of the machine
# hits both sides of a ratio alike.
quart() {
	awk -v c="$2" '{ print $c }' "$tmp/native" >"$tmp/q.n"
	awk -v c="$2" '{ print $c }' "$tmp/$1" | paste - "$tmp/q.n" |
		awk '$2 > 0 { print $1 / $2 }' | sort -g |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "0 0 0"; exit }
			q1 = int((NR + 3) / 4); q3 = NR + 1 - q1
			printf "%.3f %.3f %.3f\n", v[q1], v[int((NR + 1) / 2)], v[q3] }'
}

say() { [ "$FORMAT" = tsv ] || echo "$@"; }
tsv() { [ "$FORMAT" != tsv ] || printf 'faults.%s\t%s\n' "$1" "$2"; }

say "-- $MIB MiB of fresh pages ($((MIB * 256)) faults), $REPS runs each, alternating"
kinds="native default nosamples all wss"
command -v perf >/dev/null 2>&1 && perf record -q -e page-faults -c 1 -o /dev/null true 2>/dev/null &&
	kinds="$kinds perf_record"
[ -n "${KINDS:-}" ] && kinds="native $KINDS"
BASE=${BASE:-}
BASE_ARGS=${BASE_ARGS:-}
if [ -n "$BASE" ]; then
	[ -x "$BASE" ] || { echo "b_faults: BASE '$BASE' is not executable" >&2; exit 1; }
	echo " $kinds " | grep -q " base " || kinds="$kinds base"
fi
for k in $kinds; do
	case $k in memusage | heaptrack)
		command -v $k >/dev/null 2>&1 || { say "$k not installed: skipped"; tsv "$k.skipped" "not installed"; kinds=$(echo " $kinds " | sed "s/ $k / /"); } ;;
	esac
done
for _ in $(seq "$REPS"); do
	for k in $kinds; do one $k; done
done

nw=$(col native 1) nt=$(col native 2)
nc=$(col native 3) np=$(col native 4) no=$(col native 5)
r() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }'; }
s() { awk -v x="$1" 'BEGIN { printf "%.2f", x / 1e9 }'; }
[ "$FORMAT" = tsv ] ||
	printf '%-12s %6s %6s %7s %6s %6s %6s %6s %6s %6s %6s  %s\n' "" "wall s" "ratio" "touch s" "ratio" "own s" "ratio" "tcpu s" "ratio" "CPU s" "ratio" "samples lost, trace MiB"
for k in $kinds; do
	w=$(col $k 1) t=$(col $k 2) c=$(col $k 3) p=$(col $k 4) o=$(col $k 5)
	extra=""
	[ -f "$tmp/$k.size" ] && extra="$(tail -1 "$tmp/$k.samples"), $(tail -1 "$tmp/$k.size" | awk '{ printf "%.0f", $1 / 1048576 }')"
	[ "$FORMAT" = tsv ] ||
		printf '%-12s %6s %6s %7s %6s %6s %6s %6s %6s %6s %6s  %s\n' "$k" "$(s "$w")" "$(r "$w" "$nw")" \
			"$(s "$t")" "$(r "$t" "$nt")" "$(s "$o")" "$(r "$o" "$no")" "$(s "$p")" "$(r "$p" "$np")" \
			"$(s "$c")" "$(r "$c" "$nc")" "$extra"
	tsv "$k.run_wall_ns" "$w"
	tsv "$k.touch_wall_ns" "$t"
	tsv "$k.touch_cpu_ns" "$p"
	tsv "$k.touch_own_ns" "$o"
	tsv "$k.cpu_ns" "$c"
	[ "$k" = native ] && continue
	set -- $(quart $k 2)
	tsv "$k.touch_wall_ratio" "$2"
	tsv "$k.touch_wall_ratio_iqr" "$1-$3"
	set -- $(quart $k 4)
	tsv "$k.touch_cpu_ratio" "$2"
	tsv "$k.touch_cpu_ratio_iqr" "$1-$3"
	set -- $(quart $k 5)
	tsv "$k.touch_own_ratio" "$2"
	tsv "$k.touch_own_ratio_iqr" "$1-$3"
	tsv "$k.run_wall_ratio" "$(r "$w" "$nw")"
	tsv "$k.cpu_ratio" "$(r "$c" "$nc")"
done
for k in $kinds; do
	[ -f "$tmp/$k.est" ] && [ "$FORMAT" != tsv ] || continue
	tail -1 "$tmp/$k.est" | awk -v k="$k" '$1 > 0 && $2 > 0 { printf "%-12s samples x period = %d faults, counted %d: %+.2f%%\n", k, $1, $2, 100 * ($1 - $2) / $2 }'
done
# The target is judged on the CPU time of the touching thread, which holds
# the kernel's work per sample (the sampling's cost to the program) and
# which other load on a shared machine disturbs far less than wall time (a
# busy 2-CPU VM moves wall ratios by +-20 % between runs of the same
# binary); the wall ratio is shown beside it. Both are the medians of the
# per-round ratios, with their interquartile range.
verdict() { awk -v r="$1" 'BEGIN { print (r <= 1.05 ? "met" : "NOT met") }'; }
if [ "$FORMAT" != tsv ]; then
	for k in $kinds; do
		[ "$k" = native ] && continue
		set -- $(quart $k 4)
		cq="$2 (IQR $1-$3)"
		set -- $(quart $k 5)
		oq="$2 (IQR $1-$3)"
		set -- $(quart $k 2)
		printf '%-12s / native, touch loop, per-round ratios: CPU %s, wall %s (IQR %s-%s), wall less run-queue wait %s\n' \
			"$k" "$cq" "$2" "$1" "$3" "$oq"
	done
	if echo " $kinds " | grep -q " default "; then
		set -- $(quart default 4)
		echo "default probes, touching thread's CPU: $2 — target 1.05: $(verdict "$2")"
	fi
fi
l=$(cut -d" " -f1-3 /proc/loadavg)
say "load average while measuring: $l on $(nproc) CPUs (ratios are noise above ~1 per CPU)"
tsv load "$l"
tsv runs "$REPS"
tsv mib "$MIB"
