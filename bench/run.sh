#!/bin/sh
# Runs every benchmark script bench/b_*.sh (each prints its own table of
# ratios against native runs and peer tools measured in the same run).
#   sh bench/run.sh BUILD_DIR [PATTERN]
set -u
BUILD=${1:-build}
pat=${2:-}
cd "$(dirname "$0")/.." || exit 1
status=0
for b in bench/b_*.sh; do
	[ -f "$b" ] || continue
	case $b in *"$pat"*) ;; *) continue ;; esac
	echo "== $b"
	BUILD=$BUILD sh "$b" || status=1
done
exit $status
