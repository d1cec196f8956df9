#!/bin/sh
# As an unprivileged user the probes that need no privilege give the same
# figures, and the header says what is missing (PFNs) and why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

is_root || skip_all "needs root to switch to uid 65534"
command -v setpriv >/dev/null || skip_all "no setpriv"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod 711 "$TMP" && mkdir "$TMP/nr" && chown 65534:65534 "$TMP/nr" || skip_all "cannot prepare a directory for uid 65534"
as_uid_copies 65534 p_probe_touch p_probe_fork p_probe_wss || skip_all "cannot copy the binaries for uid 65534"
$NOBODY test -r "$LIB" -a -x "$FL" -a -x "$PROGS/p_probe_touch" ||
	skip_all "the build directory is not readable by uid 65534"

N=2000
# Fault counts and samples are perf events: whether uid 65534 may open them
# is this kernel's perf_event_paranoid (Debian's 3 forbids it).
if perf_allowed 65534; then perf=true; else perf=false; fi

as_nobody() { # NAME PROGRAM ARGS... (record options come from $OPTS)
	name=$1
	shift
	$NOBODY "$FL" record -q --interval 50 ${OPTS:-} -o "$TMP/nr/$name" -- "$@" >"$TMP/$name.out"
}

test_expect_success 'non-root: the header says PFNs are hidden, the rest works' '
	OPTS="--faults all" as_nobody touch "$PROGS/p_probe_touch" $N 1 200 &&
	h=$(head -1 "$(trace_of "$TMP/nr/touch")") &&
	echo "$h" | jq -c .probes &&
	echo "$h" | jq -e ".uid == 65534 and .probes.pagemap_pfn.ok == false and (.probes.pagemap_pfn.why | length > 0)" >/dev/null &&
	echo "$h" | jq -e ".probes.pagemap.ok" >/dev/null &&
	echo "$h" | jq -e --argjson p $perf ".probes.perf_fault_counts.ok == \$p and .probes.perf_fault_samples.ok == \$p" >/dev/null
'

if [ $perf = false ]; then
	say "skip: fault samples as uid 65534: perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null) forbids them"
else

test_expect_success 'non-root: N samples in the buffer and perf counts at least N' '
	f=$(trace_of "$TMP/nr/touch") &&
	jq -s -c --arg buf "$(kv "$TMP/touch.out" buf)" --argjson len "$(kv "$TMP/touch.out" len)" "$JQ_HEX"'"'"'
		($buf | hex) as $b
		| [.[] | select(.e == "faults") | .samples[] | select((.[0] | hex) >= $b and (.[0] | hex) < $b + $len)]
		| [length, (map(.[0]) | unique | length)]'"'"' "$f" >"$TMP/s" &&
	test "$(cat "$TMP/s")" = "[$N,$N]" &&
	jq -s -e "[.[] | select(.e == \"counters\")] | last | .minflt >= $N and .ru_minflt >= .minflt" "$f" >/dev/null
'
fi

test_expect_success 'non-root: COW after fork is followed through the exclusive bit' '
	as_nobody fork "$PROGS/p_probe_fork" 400 200 &&
	child=$(kv "$TMP/fork.out" child) && b=$(kv "$TMP/fork.out" buf) &&
	cf="$TMP/nr/fork/$child.ndjson" &&
	jq -c --arg b "$b" "select(.e == \"residency\" and .why == \"fork\") | .regions[] | select(.[0] == \$b)" "$cf" >"$TMP/r1" &&
	jq -e ".[5] == 0 and .[6] == 400" "$TMP/r1" >/dev/null &&
	jq -c --arg b "$b" "select(.e == \"residency\" and .why == \"tick\") | .regions[] | select(.[0] == \$b)" "$cf" | tail -1 >"$TMP/r2" &&
	jq -e ".[5] == 100 and .[6] == 300" "$TMP/r2" >/dev/null
'

test_expect_success 'non-root: --wss works with UFFD_USER_MODE_ONLY' '
	OPTS=--wss as_nobody wss "$PROGS/p_probe_wss" 300 4 50 &&
	f=$(trace_of "$TMP/nr/wss") && b=$(kv "$TMP/wss.out" buf) &&
	if head -1 "$f" | jq -e ".probes.uffd_wp.ok" >/dev/null; then
		jq -s -c --arg b "$b" "[.[] | select(.e == \"wss\") | [.regions[] | select(.[0] == \$b) | .[2]] | add // 0 | select(. > 0)]" "$f" >"$TMP/w" &&
		test "$(cat "$TMP/w")" = "[300,300,300,300]"
	else
		head -1 "$f" | jq -e ".probes.uffd_wp.why | length > 0" >/dev/null &&
		uffd_wp_missing "$f"
	fi
'

test_done
