#!/bin/sh
# The summary's finding on faults taken in kernel mode counts the program's
# own (the faults section's gap_minor), against `perf stat -e
# minor-faults:k` of the same run natively: a program reading 16 MiB into
# a fresh buffer (the kernel's copies fault its pages) gets the finding with
# that count; one reading 4 KiB does not. It once counted getrusage less
# perf's user-mode faults, which holds the loader's and faultline's own
# faults before perf started: sqlite3 was told 292 of its 1,006 faults were
# kernel-mode, natively 2.
. "$(dirname "$0")/lib.sh"
. tests/shell/reports-lib.sh
command -v perf >/dev/null && perf stat -e minor-faults:k -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count minor-faults:k here"

head -c 16777216 /dev/urandom >"$TMP/big"
head -c 4096 /dev/urandom >"$TMP/small"
native_k() { # FILE: kernel-mode minor faults of a native run
	perf stat -e minor-faults:k -x, -o "$TMP/perf" -- "$PROGS/p_read_fresh" "$1" >/dev/null &&
		awk -F, '$3 == "minor-faults:k" { print $1 }' "$TMP/perf"
}
finding() { # DIR: the count of the summary.fault_gap finding, or nothing
	"$FL" report --json --section summary "$1" |
		jq -r '.sections.summary.findings[] | select(.id == "summary.fault_gap") | .text' |
		sed -n 's/^\([0-9]*\) of .*/\1/p'
}
for f in big small; do
	"$FL" record -q -o "$TMP/t_$f" -- "$PROGS/p_read_fresh" "$TMP/$f" >"$TMP/$f.out" || exit 1
done
need_probe "$TMP/t_big" perf_fault_samples
k_big=$(native_k "$TMP/big")

test_expect_success 'reading 16 MiB into fresh memory: the finding, with the native kernel-mode count' '
	got=$(finding "$TMP/t_big") && test -n "$got" &&
	awk -v a="$got" -v b="$k_big" "BEGIN { d = a - b; if (d < 0) d = -d; t = b / 10; if (t < 5) t = 5; exit !(d <= t) }"
'

test_expect_success 'the faults section says the same count' '
	gap=$("$FL" report --json --section faults "$TMP/t_big" | jq ".sections.faults.processes[0].counts.gap_minor") &&
	test "$gap" = "$(finding "$TMP/t_big")"
'

test_expect_success 'reading 4 KiB: no finding (natively almost no kernel-mode faults)' '
	test "$(native_k "$TMP/small")" -lt 50 && test -z "$(finding "$TMP/t_small")"
'
test_done
