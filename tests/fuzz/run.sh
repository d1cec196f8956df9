#!/bin/sh
# Runs the reader fuzzer for SECONDS over the seed corpus plus what earlier
# runs found (kept in BUILD/fuzz/corpus, not in the source tree). Crash
# inputs land in BUILD/fuzz/ as crash-*; the run fails on any.
#   sh tests/fuzz/run.sh FUZZER SECONDS
set -u
secs=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "$(dirname "$1")" && pwd) || exit 1
fuzzer=$dir/$(basename "$1")
work=$dir/corpus
log=$dir/fuzz.log
mkdir -p "$work"
cd "$dir" || exit 1
# A trace's values must not size the analyzer's memory (the hostile-*
# seeds hold huge times, ids and sizes): one allocation over 1 GiB, or more
# than 2 GiB in all, is a finding like a crash.
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
	-max_len=65536 \
	-dict="$top/tests/fuzz/reader.dict" -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$PWD/" \
	"$work" "$top/tests/fuzz/corpus" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz_reader: ${runs:-?} inputs in ${secs}s, exit $rc (log: $log)"
if [ $rc -ne 0 ]; then
	grep -A30 -m1 -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error" "$log"
	ls "$PWD"/crash-* "$PWD"/leak-* "$PWD"/timeout-* "$PWD"/oom-* 2>/dev/null
fi
exit $rc
