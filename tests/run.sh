#!/bin/sh
# Runs faultline's tests: unit tests (also their sanitized builds), then the
# shell tests in tests/shell (numbered by area). Exit 0 pass, 77 skip, else
# fail. Ends with the plain "N passed, N failed, N skipped" line.
#   sh tests/run.sh [unit|shell|PATTERN]
set -u
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
what=${1:-all}
pass=0 fail=0 skip=0
failed=""
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run_one() { # name, command...
	name=$1
	shift
	log=$logdir/$(echo "$name" | tr '/ ' '__').log
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "ok      $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "skip    $name: $(grep -m1 '^skip:' "$log" | cut -c7-)" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL    $name (exit $rc, log $log)"; tail -n 25 "$log" | sed 's/^/    | /' ;;
	esac
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$BUILD"/tests/unit/t_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
		san=$BUILD/san/tests/unit/$(basename "$t")
		[ -x "$san" ] && run_one "unit-asan/$(basename "$t")" "$san"
	done
fi
if [ "$what" != unit ]; then
	for t in tests/shell/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		case $what in all|shell) ;; *) case $t in *"$what"*) ;; *) continue ;; esac ;; esac
		run_one "$(basename "$t" .sh)" sh "$t"
	done
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
