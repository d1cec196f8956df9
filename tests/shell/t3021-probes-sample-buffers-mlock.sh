#!/bin/sh
# Without root the kernel charges the fault samplers' buffers (one a CPU)
# against a locked-memory budget: perf_event_mlock_kb per CPU for all of
# the user's processes, then the process's RLIMIT_MEMLOCK. The shim maps
# every CPU's buffer at one size, the largest at which all fit. Buffers
# halved one at a time gave the first CPU a full one (129 pages at the
# default period) and could leave the next none: sampling went off under
# a limit that holds a half-size buffer for every CPU. Here, as uid 65534
# with perf_event_mlock_kb at 4 (restored after), under a limit of 65
# pages a CPU (64-page buffers and their header pages) the samples are
# there; under 4 pages a CPU (less than the smallest buffers, 9 pages)
# sampling is off, with the reason, and the run is traced all the same.
. "$(dirname "$0")/lib.sh"

is_root || skip_all "needs root to set perf_event_mlock_kb and switch to uid 65534"
command -v setpriv >/dev/null || skip_all "no setpriv"
command -v prlimit >/dev/null || skip_all "no prlimit"
perf_allowed 65534 ||
	skip_all "perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null) forbids uid 65534 perf events"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod 711 "$TMP" && mkdir "$TMP/nr" && chown 65534:65534 "$TMP/nr" || skip_all "cannot prepare a directory for uid 65534"
as_uid_copies 65534 p_probe_touch || skip_all "cannot copy the binaries for uid 65534"
$NOBODY test -r "$LIB" -a -x "$FL" -a -x "$PROGS/p_probe_touch" ||
	skip_all "the copies are not readable by uid 65534"

mlock_kb=$(cat /proc/sys/kernel/perf_event_mlock_kb) || skip_all "no perf_event_mlock_kb"
trap 'echo "$mlock_kb" >/proc/sys/kernel/perf_event_mlock_kb; rm -rf "$TMP"' EXIT
echo 4 >/proc/sys/kernel/perf_event_mlock_kb || skip_all "cannot set perf_event_mlock_kb"
ncpu=$(getconf _NPROCESSORS_ONLN)

# run NAME PAGES_A_CPU: the touch program as uid 65534 under RLIMIT_MEMLOCK
# of PAGES_A_CPU pages for each online CPU
run() {
	$NOBODY prlimit --memlock=$(($2 * 4096 * ncpu)) \
		"$FL" record -q -o "$TMP/nr/$1" -- "$PROGS/p_probe_touch" 2000 1 200 >"$TMP/$1.out"
}
header() { trace_cat "$TMP/nr/$1"/*.ndjson* | head -1; }

test_expect_success "a 64-page buffer for each of $ncpu CPUs: samples" '
	run half 65 &&
	header half | jq -c .probes.perf_fault_samples &&
	header half | jq -e ".probes.perf_fault_samples.ok == true" >/dev/null &&
	trace_cat "$TMP/nr/half"/*.ndjson* |
		jq -s -e "[.[] | select(.e == \"faults\") | .samples[]] | length > 100" >/dev/null
'

test_expect_success 'less than the smallest buffers: sampling off, with the reason' '
	run none 4 &&
	header none | jq -c .probes.perf_fault_samples &&
	header none | jq -e ".probes.perf_fault_samples.ok == false and .probes.perf_fault_samples.errno == 12
		and (.probes.perf_fault_samples.why | test(\"RLIMIT_MEMLOCK\"))" >/dev/null &&
	trace_cat "$TMP/nr/none"/*.ndjson* | tail -1 | jq -e ".e == \"exit\" and .status == 0" >/dev/null
'

test_done
