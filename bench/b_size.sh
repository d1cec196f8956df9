#!/bin/sh
# Trace size: the same malloc-heavy workload (bench/malloc_bench, PAIRS
# malloc/free pairs, one thread) recorded in each mode, plain and with
# --compress, against heaptrack's file (zstd-compressed, stacks and sizes
# interned) for the same run. Bytes per event = the trace's bytes over the
# workload's heap calls (2 x PAIRS), whatever each mode writes for them.
# Target: --all --large 1 (one line per call) no bigger than heaptrack's.
#   BUILD=build sh bench/b_size.sh      (PAIRS=N to change; MODES="large"
#                                       for --all --large 1 alone; FORMAT=tsv:
#                                       "name<TAB>value" lines)
set -u
BUILD=${BUILD:-build}
PAIRS=${PAIRS:-1000000}
FORMAT=${FORMAT:-text}
MODES=${MODES:-default all large}
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
		printf 'size.%s.bytes\t%s\n' "$(echo "$1" | sed 's/all --large 1/all_large1/; s/ --compress/_zst/; s/heaptrack.*/heaptrack/')" "$2"
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
for mode in $(echo " $MODES " | sed 's/ large / all_--large_1 /g'); do
	mode=$(echo "$mode" | tr _ ' ')
	for z in "" " --compress"; do
		rm -rf "$tmp/t"
		opts=$(echo "$mode" | sed 's/^default$//; s/^all/--all/')
		# shellcheck disable=SC2086
		"$FL" record -q $opts $z -o "$tmp/t" -- "$MB" 1 "$PAIRS" >/dev/null ||
			{ echo "b_size: record $opts$z failed" >&2; continue; }
		row "$mode$z" "$(bytes "$tmp"/t/*)"
	done
done
[ "$ht_bytes" -gt 0 ] && row "heaptrack (.zst)" "$ht_bytes"
if [ "$ht_bytes" -eq 0 ]; then
	if [ "$FORMAT" = tsv ]; then
		printf 'size.heaptrack.skipped\t%s\n' "heaptrack not installed or wrote no file"
	else
		echo "heaptrack not installed: no comparison"
	fi
fi
exit 0
