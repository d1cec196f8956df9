#!/bin/sh
# make demo: trace the bundled samples under faultline and write the reports.
#
#   sh samples/demo.sh [BUILD]       (BUILD defaults to build)
#
# Runs, each under `faultline record`:
#   read_scan   a 64 MiB file read() into a 128 KiB buffer
#   mmap_scan   the same file through a read-only mapping
#   fork_cow    64 MiB written, fork(), the child rewrites half of it
#   overcommit  1 GiB malloc'd, 10 % touched
# and all four together under one shell (one trace, one process tree).
# Writes demo/report.html (the combined trace), demo/<sample>.html, and
# prints `faultline compare` of the read() and mmap() scans.
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
FL=$top/$BUILD/faultline
S=$top/$BUILD/samples
out=$top/demo
for f in "$FL" "$S/read_scan" "$S/mmap_scan" "$S/fork_cow" "$S/overcommit"; do
	[ -x "$f" ] || { echo "faultline: demo: '$f' is missing; run 'make' first" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/traces"
chmod 700 "$out/traces"
data=$out/data.bin
echo "demo: writing a 64 MiB test file"
head -c 67108864 /dev/urandom >"$data"

say() { printf '\ndemo: %s\n' "$*"; }
run() { # NAME PROGRAM ARGS...: record one sample, report it as text and HTML
	name=$1
	shift
	say "$name: $*"
	"$FL" record -q -o "$out/traces/$name" -- "$@" | sed 's/^/  /'
	"$FL" report --html "$out/$name.html" "$out/traces/$name"
	"$FL" report "$out/traces/$name" >"$out/$name.txt"
}

run read_scan "$S/read_scan" "$data" 128 warm
run mmap_scan "$S/mmap_scan" "$data" warm
run fork_cow "$S/fork_cow" 64 50 child
run overcommit "$S/overcommit" 1024 10

say "all four under one shell, for the combined report"
"$FL" record -q -o "$out/traces/all" -- sh -c '
	"$1/read_scan" "$2" 128 warm && "$1/mmap_scan" "$2" warm &&
	"$1/fork_cow" 64 50 child && "$1/overcommit" 1024 10' demo "$S" "$data" | sed 's/^/  /'
"$FL" report --html "$out/report.html" "$out/traces/all"
"$FL" report "$out/traces/all" >"$out/report.txt"
"$FL" export --format folded -o "$out/stacks.folded" "$out/traces/all"
"$FL" export --format perfetto -o "$out/trace.json" "$out/traces/all"

say "read() against mmap() on the same file:"
(cd "$out/traces" && "$FL" compare read_scan mmap_scan) | tee "$out/compare.txt"
rm -f "$data"

cat <<END

demo: done. Where things are:
  $out/report.html        the combined report: open it in a browser (works offline)
  $out/<sample>.html      one report per sample (read_scan, mmap_scan, fork_cow, overcommit)
  $out/<sample>.txt       the same as text; $out/compare.txt the read/mmap comparison
  $out/stacks.folded      flame-graph input (flamegraph.pl, speedscope, inferno)
  $out/trace.json         open in the Perfetto UI or chrome://tracing
  $out/traces/            the raw traces: faultline report|compare|export them
END
