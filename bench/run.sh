#!/bin/sh
# With no PATTERN: the cost targets in one table (bench/targets.sh: every
# measurement once, native, faultline, heaptrack and memusage in the same
# run). With PATTERN: each benchmark script bench/b_*.sh whose name holds
# it, each printing its own table ("b_" runs them all).
#   sh bench/run.sh BUILD_DIR [PATTERN]
set -u
BUILD=${1:-build}
pat=${2:-}
cd "$(dirname "$0")/.." || exit 1
[ -n "$pat" ] || exec sh bench/targets.sh "$BUILD"
status=0
for b in bench/b_*.sh; do
	[ -f "$b" ] || continue
	case $b in *"$pat"*) ;; *) continue ;; esac
	echo "== $b"
	BUILD=$BUILD sh "$b" || status=1
done
exit $status
