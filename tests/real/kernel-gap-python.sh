#!/bin/sh
# Minor faults "taken in kernel mode" (getrusage minus perf's user-mode
# faults) of a python3 -c one-liner: faults gap_minor against the same
# one-liner run natively under `perf stat -e minor-faults:k` (the kernel's
# own count of faults with kernel-mode registers; the one-liner does no
# MAP_POPULATE or madvise populate, so no get_user_pages faults add to the
# gap). The shim's own faults are not the program's. Tolerance 10 % or 5
# faults, whichever is larger.
. "$(dirname "$0")/lib.sh"
command -v perf >/dev/null && perf stat -e minor-faults:k -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count minor-faults:k here"
py=$(real_python)
prog='import json; print(len(json.dumps({str(i): i for i in range(1000)})))'
perf stat -e minor-faults:k -x, -o "$TMP/perf" -- "$py" -c "$prog" >/dev/null || exit 1
real_record "$TMP/t" -- "$py" -c "$prog" >/dev/null && real_report "$TMP/t" || exit 1
real_compare "faults gap_minor vs perf stat minor-faults:k (native)" \
	"$(real_get "$TMP/t" '.sections.faults.processes[0].counts.gap_minor')" \
	"$(awk -F, '$3 == "minor-faults:k" { print $1 }' "$TMP/perf")" 10%+-5
test_done
