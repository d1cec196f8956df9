#!/bin/sh
# Heap hook overhead: 10 million malloc/free pairs of random sizes 16-512
# bytes with 1000 live blocks per thread, one and two threads. Prints the
# median wall-time ratio to a native run measured in the same run, for the
# default mode, --all, --all --no-compress, and heaptrack and glibc's memusage
# (if installed) on the same workload, and "floor": an exact counter that
# does nothing else (bench/shim/count_floor.c), the least any exact per-call
# heap counting by interposition costs;
# also the CPU-time (user+sys, all processes of the run) ratio, which other
# load on the machine disturbs less. Mode "default_held" is the default
# mode timed after the kernel's one-time wait for the first per-task perf
# event of an idle machine (bench/runtime.c, RUNTIME_HOLD_PERF): the wall
# the tool itself adds (needs bench/runtime).
#   BUILD=build sh bench/b_malloc.sh     (REPS=N, PAIRS=N to change the size,
#                                        THREADS="1 2", MODES="native ...",
#                                        FORMAT=tsv: "name<TAB>value" lines)
# Modes "nosample" and "bare" split the default mode's cost: the default
# mode without heap samples, and without fault probes and ticks as well.
# Mode "before" runs the default mode of another build in the same rounds,
# for a before/after comparison, and "before_all" its --all mode:
# BEFORE=/path/to/old/faultline (the libfaultline.so next to it is the one
# it preloads), e.g.
#   git worktree add /tmp/old HEAD~3 && make -C /tmp/old -j2 build/faultline \
#     build/libfaultline.so && BEFORE=/tmp/old/build/faultline \
#     MODES="native floor before default" REPS=11 sh bench/b_malloc.sh
set -u
BUILD=${BUILD:-build}
REPS=${REPS:-3}
PAIRS=${PAIRS:-10000000}
THREADS=${THREADS:-1 2}
FORMAT=${FORMAT:-text}
top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/$BUILD/bench/malloc_bench
FL=$top/$BUILD/faultline
FLOOR=$top/$BUILD/bench/count_floor.so
[ -x "$B" ] && [ -x "$FL" ] || { echo "b_malloc: build first (make)" >&2; exit 1; }
case " ${MODES:-} " in
*" before "* | *" before_all "*) [ -x "${BEFORE:-}" ] || { echo "b_malloc: modes before and before_all need BEFORE=faultline" >&2; exit 2; } ;;
esac
export FAULTLINE_QUIET=1

now() { date +%s%N; }

# bench/runtime times each run (wall, and CPU in ns from wait4's rusage;
# the shell's `times` counts 10 ms ticks, 5 % of a native run); without it
# the shell times them.
RT=$top/$BUILD/bench/runtime
[ -x "$RT" ] || RT=""
run() { # MODE THREADS
	case $1 in
	native) $RT ${RT:+"$tmp/rt"} "$B" "$2" "$PAIRS" >/dev/null ;;
	floor) $RT ${RT:+"$tmp/rt"} env LD_PRELOAD="$FLOOR" "$B" "$2" "$PAIRS" >/dev/null ;;
	default) $RT ${RT:+"$tmp/rt"} "$FL" record -q -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	# the same, timed after perf's scheduler hooks are on (bench/runtime.c)
	default_held) RUNTIME_HOLD_PERF=1 $RT ${RT:+"$tmp/rt"} "$FL" record -q -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	# the decomposition of the default mode's cost: without heap samples
	# (nor the refills of the fast path's budget: --large past any block),
	# and without the fault probes and ticks as well (the hooks' counting,
	# start and exit)
	nosample) $RT ${RT:+"$tmp/rt"} "$FL" record -q --sample 1T --large 1T -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	bare) $RT ${RT:+"$tmp/rt"} "$FL" record -q --sample 1T --large 1T --faults off --interval 1000000 -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	before) $RT ${RT:+"$tmp/rt"} "$BEFORE" record -q -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	before_all) $RT ${RT:+"$tmp/rt"} "$BEFORE" record -q --all -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	all) $RT ${RT:+"$tmp/rt"} "$FL" record -q --all -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	all_plain) $RT ${RT:+"$tmp/rt"} "$FL" record -q --all --no-compress -o "$tmp/t" -- "$B" "$2" "$PAIRS" >/dev/null ;;
	memusage) $RT ${RT:+"$tmp/rt"} memusage "$B" "$2" "$PAIRS" >/dev/null 2>&1 ;;
	heaptrack) (cd "$tmp" && $RT ${RT:+"$tmp/rt"} heaptrack "$B" "$2" "$PAIRS" >/dev/null 2>&1) ;;
	esac
}

# measure MODE THREADS: "wall_ns cpu_ms" for one whole run (process start
# to exit; CPU of the run and all its children)
measure() {
	rm -rf "$tmp/t" "$tmp"/heaptrack.* "$tmp/rt"
	times >"$tmp/times"
	c=$(children_cpu_ms)
	s=$(now)
	run "$1" "$2" || echo "b_malloc: $1 run failed" >&2
	w=$(( $(now) - s ))
	times >"$tmp/times"
	if [ -n "$RT" ]; then
		awk '{ printf "%d %.1f\n", $1, $2 / 1e6 }' "$tmp/rt"
	else
		echo "$w $(( $(children_cpu_ms) - c ))"
	fi
}

# User+system CPU of all waited-for children so far, in ms (the second
# line of `times`: "0m1.234000s 0m0.056000s").
# (`times` must run in this shell, not in a $(...) subshell.)
children_cpu_ms() {
	sed -n 2p "$tmp/times" | tr 'ms' '  ' |
		awk '{printf "%d", ($1 * 60 + $2 + $3 * 60 + $4) * 1000}'
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# quart MODE COL [BASE]: "q1 median q3" of each round's ratio to the run of
# mode BASE (native by default) of the same round (nearest rank)
quart() {
	awk -v c="$2" '{ print $c }' "$tmp/${3:-native}" >"$tmp/q.n"
	awk -v c="$2" '{ print $c }' "$tmp/$1" | paste - "$tmp/q.n" |
		awk '$2 > 0 { print $1 / $2 }' | sort -g |
		awk '{ v[NR] = $1 } END { q1 = int((NR + 3) / 4); q3 = NR + 1 - q1
			if (NR) printf "%.2f %.2f %.2f\n", v[q1], v[int((NR + 1) / 2)], v[q3] }'
}

modes=${MODES:-native floor default all all_plain}
[ -z "${MODES:-}" ] && command -v heaptrack >/dev/null 2>&1 && modes="$modes heaptrack"
[ -z "${MODES:-}" ] && command -v memusage >/dev/null 2>&1 && modes="$modes memusage"
[ "$FORMAT" = tsv ] || printf '%-10s %-8s %10s %8s %10s %8s\n' mode threads wall_ms ratio cpu_ms ratio
for th in $THREADS; do
	for m in $modes; do
		: >"$tmp/$m"
	done
	# Interleave the modes so that machine noise hits them alike.
	i=0
	while [ $i -lt "$REPS" ]; do
		for m in $modes; do
			measure "$m" "$th" >>"$tmp/$m"
		done
		i=$((i + 1))
	done
	nat=$(cut -d' ' -f1 "$tmp/native" | median)
	natc=$(cut -d' ' -f2 "$tmp/native" | median)
	for m in $modes; do
		med=$(cut -d' ' -f1 "$tmp/$m" | median)
		cpu=$(cut -d' ' -f2 "$tmp/$m" | median)
		wr=$(echo "$med $nat" | awk '{printf "%.2f", $1 / $2}')
		cr=$(echo "$cpu $natc" | awk '{printf "%.2f", $1 / ($2 > 0 ? $2 : 1)}')
		if [ "$FORMAT" = tsv ]; then
			# ratios: the median of the per-round ratios, with their IQR
			set -- $(quart "$m" 1) $(quart "$m" 2)
			printf 'malloc.%s.%s.%s\t%s\n' "$th" "$m" wall_ms $((med / 1000000)) \
				"$th" "$m" wall_ratio "$2" "$th" "$m" cpu_ms "$cpu" "$th" "$m" cpu_ratio "$5" \
				"$th" "$m" wall_ratio_iqr "$1-$3" "$th" "$m" cpu_ratio_iqr "$4-$6"
			# over the counting floor of the same rounds: what the tool
			# adds to any exact interposer, less moved by the host
			case " $modes " in *" floor "*)
				case $m in native | floor) ;; *)
					set -- $(quart "$m" 2 floor)
					printf 'malloc.%s.%s.cpu_over_floor\t%s\nmalloc.%s.%s.cpu_over_floor_iqr\t%s\n' \
						"$th" "$m" "$2" "$th" "$m" "$1-$3" ;;
				esac ;;
			esac
		else
			printf '%-10s %-8s %10d %8.2f %10.0f %8.2f\n' "$m" "$th" $((med / 1000000)) "$wr" "$cpu" "$cr"
		fi
	done
done
[ "$FORMAT" = tsv ] && printf 'malloc.load\t%s\nmalloc.runs\t%s\nmalloc.pairs\t%s\n' \
	"$(cut -d' ' -f1-3 /proc/loadavg)" "$REPS" "$PAIRS"
[ "$FORMAT" = tsv ] && [ -z "${MODES:-}" ] && for m in heaptrack memusage; do
	command -v $m >/dev/null 2>&1 || printf 'malloc.%s.skipped\tnot installed\n' $m
done
exit 0
