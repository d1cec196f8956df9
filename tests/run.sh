#!/bin/sh
# Runs faultline's tests: unit tests (also their sanitized builds), then the
# shell tests in tests/shell (numbered by area). Exit 0 pass, 77 skip, else
# fail. Ends with the plain "N passed, N failed, N skipped" line.
#   sh tests/run.sh [unit|shell|real|PATTERN]
# `real` runs every real-program case in tests/real (make check-real) and
# prints their figures beside their oracles; the full run also runs the
# fast ones named in tests/real/fast.list. PATTERN runs the unit tests,
# shell tests and real cases whose names contain it (t_envp, t1026,
# peak-rss).
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

# picked NAME: whether a test of that name runs when PATTERN was given
picked() {
	case $what in all | unit | shell | real) return 0 ;; esac
	case $1 in *"$what"*) return 0 ;; esac
	return 1
}

if [ "$what" != shell ] && [ "$what" != real ]; then
	for t in "$BUILD"/tests/unit/t_*; do
		[ -x "$t" ] || continue
		picked "$(basename "$t")" || continue
		run_one "unit/$(basename "$t")" "$t"
		san=$BUILD/san/tests/unit/$(basename "$t")
		[ -x "$san" ] && run_one "unit-asan/$(basename "$t")" "$san"
	done
fi
if [ "$what" != unit ] && [ "$what" != shell ]; then
	rm -rf "$BUILD/real"
	if [ "$what" = all ]; then
		cases=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's|^|tests/real/|' tests/real/fast.list)
	else
		cases=$(ls tests/real/*.sh | grep -v '/lib\.sh$')
	fi
	for t in $cases; do
		picked "$(basename "$t" .sh)" || continue
		run_one "real/$(basename "$t" .sh)" sh "$t"
	done
	if [ "$what" = real ]; then
		printf 'case\tfigure\tfaultline\toracle\ttolerance\tresult\n'
		cat "$BUILD"/real/*.rows 2>/dev/null
	fi
fi
if [ "$what" != unit ] && [ "$what" != real ]; then
	for t in tests/shell/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		picked "$(basename "$t" .sh)" || continue
		run_one "$(basename "$t" .sh)" sh "$t"
	done
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
