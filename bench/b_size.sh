#!/bin/sh
# Trace size: the same malloc-heavy workload (bench/malloc_bench, PAIRS
# malloc/free pairs, one thread) recorded in each mode, as record writes it
# by default (zstd) and with --no-compress, against heaptrack's file
# (zstd-compressed, stacks and sizes interned) for the same run. Bytes per event = the trace's bytes over the
# workload's heap calls (2 x PAIRS), whatever each mode writes for them.
# Target: --all --large 1 (one line per call) no bigger than heaptrack's;
# the verdict lines say whether it is. Then the CPU time (user + sys, the
# median of RUNS) of `report --section heap` on that trace against
# heaptrack_print on heaptrack's file: the same calls read back.
#   BUILD=build sh bench/b_size.sh      (PAIRS=N, RUNS=N to change; MODES="large"
#                                       for --all --large 1 alone; FORMAT=tsv:
#                                       "name<TAB>value" lines)
set -u
BUILD=${BUILD:-build}
PAIRS=${PAIRS:-1000000}
FORMAT=${FORMAT:-text}
MODES=${MODES:-default all large}
RUNS=${RUNS:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
FL=$top/$BUILD/faultline
MB=$top/$BUILD/bench/malloc_bench
[ -x "$FL" ] && [ -x "$MB" ] || { echo "b_size: build first (make)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FAULTLINE_QUIET=1

calls=$((2 * PAIRS))
bytes() { cat "$@" | wc -c; }
row() { # NAME BYTES
	if [ "$FORMAT" = tsv ]; then
		printf 'size.%s.bytes\t%s\n' "$(echo "$1" | sed 's/all --large 1 --coded-heap/all_large1_coded/; s/all --large 1/all_large1/; s/ --no-compress/_plain/; s/heaptrack.*/heaptrack/')" "$2"
		return
	fi
	awk -v n="$1" -v b="$2" -v c="$calls" -v h="${ht_bytes:-0}" 'BEGIN {
		printf "%-28s %12d %10.2f %10s\n", n, b, b / c, (h > 0 ? sprintf("%.2f", b / h) : "-") }'
}

ht_bytes=0
if command -v heaptrack >/dev/null 2>&1; then
	(cd "$tmp" && heaptrack -o "$tmp/ht" "$MB" 1 "$PAIRS" >/dev/null 2>&1)
	ht=$(ls "$tmp"/ht* 2>/dev/null | head -1)
	[ -n "$ht" ] && ht_bytes=$(bytes "$ht")
fi
if [ "$FORMAT" = tsv ]; then
	printf 'size.calls\t%s\n' "$calls"
else
	echo "-- trace bytes, $PAIRS malloc/free pairs ($calls heap calls), one thread"
	printf '%-28s %12s %10s %10s\n' "recording" "bytes" "B/call" "/heaptrack"
fi
for mode in $(echo " $MODES " | sed 's/ large / all_--large_1 /g; s/ coded / all_--large_1_--coded-heap /g'); do
	mode=$(echo "$mode" | tr _ ' ')
	for z in "" " --no-compress"; do
		rm -rf "$tmp/t"
		opts=$(echo "$mode" | sed 's/^default$//; s/^all/--all/')
		# shellcheck disable=SC2086
		"$FL" record -q $opts $z -o "$tmp/t" -- "$MB" 1 "$PAIRS" >/dev/null ||
			{ echo "b_size: record $opts$z failed" >&2; continue; }
		b=$(bytes "$tmp"/t/*)
		row "$mode$z" "$b"
		case "$mode$z" in
		"all --large 1 --no-compress") plain=$b ;;
		"all --large 1") zst=$b && rm -rf "$tmp/zt" && mv "$tmp/t" "$tmp/zt" ;;
		esac
	done
done
[ "$ht_bytes" -gt 0 ] && row "heaptrack (.zst)" "$ht_bytes"
if [ "$ht_bytes" -eq 0 ]; then
	if [ "$FORMAT" = tsv ]; then
		printf 'size.heaptrack.skipped\t%s\n' "heaptrack not installed or wrote no file"
	else
		echo "heaptrack not installed: no comparison"
	fi
	exit 0
fi
[ "$FORMAT" = tsv ] && exit 0
verdict() { # NAME BYTES
	if [ "$2" -le "$ht_bytes" ]; then
		echo "verdict: $1 is $2 bytes, at most heaptrack's $ht_bytes: met"
	else
		echo "verdict: $1 is $2 bytes, more than heaptrack's $ht_bytes: not met"
	fi
}
verdict "--all --large 1 (zstd, the default)" "${zst:-999999999999}"
verdict "--all --large 1 --no-compress" "${plain:-999999999999}"

# CPU seconds (user + sys) of a command, the median of RUNS runs.
cpu() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%U %S" -o "$tmp/time" "$@" >/dev/null 2>&1
		awk '{ printf "%.3f\n", $1 + $2 }' "$tmp/time"
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
[ -x /usr/bin/time ] && command -v heaptrack_print >/dev/null 2>&1 && [ -d "$tmp/zt" ] || exit 0
echo "-- reading it back: CPU seconds, median of $RUNS"
fl_cpu=$(cpu "$FL" report --no-symbols --section heap "$tmp/zt")
ht_cpu=$(cpu heaptrack_print "$ht")
printf '%-44s %8s s\n' "faultline report --section heap (.zst)" "$fl_cpu" \
	"heaptrack_print (.zst)" "$ht_cpu"
