#!/bin/sh
# Major faults from a cold file: the shim's perf counter, its samples and
# getrusage against `perf stat -e major-faults` on the same run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

command -v perf >/dev/null 2>&1 && perf stat -e major-faults -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count major-faults here"

# majors NAME PROGRAM ARGS...: runs PROGRAM under perf stat, both traced
# (perf's wait4 then gives the program's figures to its very end); prints
# perf stat's major-fault count
majors() {
	name=$1
	shift
	mkdir -p "$TMP/$name" &&
	env LD_PRELOAD="$LIB" FAULTLINE_OUT="$TMP/$name" FAULTLINE_INTERVAL_MS=50 FAULTLINE_FAULTS=all \
		perf stat -e major-faults -x, -o "$TMP/$name.stat" -- "$@" >"$TMP/$name.out" &&
	grep major-faults "$TMP/$name.stat" | cut -d, -f1
}

# prog_trace DIR EXE: the trace file of DIR whose header's exe ends in EXE
prog_trace() {
	for _f in "$1"/*.ndjson; do
		head -n 1 "$_f" | jq -e --arg x "$2" ".exe | endswith(\$x)" >/dev/null && echo "$_f"
	done | head -n 1
}

# The program drops the file from the page cache (fdatasync, fadvise):
# that needs a file system whose pages can be dropped.
head -c $((4 << 20)) /dev/urandom >"$TMP/cold" || exit 1
droppable "$TMP/cold" || skip_all "cannot make a file cold here: $_why"

test_expect_success 'cold file, MADV_RANDOM: majflt equals perf stat, one sample each' '
	stat=$(majors file "$PROGS/p_probe_major" file "$TMP/cold") &&
	f=$(prog_trace "$TMP/file" p_probe_major) && test -n "$f" &&
	got=$(jq -s "[.[] | select(.e == \"counters\")] | last | .majflt" "$f") &&
	line=$(jq -s "[.[] | select(.e == \"exit\")] | last | .ru_majflt" "$f") &&
	ru=$("$FL_SAN" report --json --section summary "$TMP/file" | jq -r "
		.sections.summary.per_process[] | select(.exe | endswith(\"p_probe_major\"))
		| select(.ru_source == \"wait4\") | .ru_majflt") &&
	echo "perf stat: $stat, trace: $got, getrusage at the exit line: $line, to the end: $ru" &&
	# perf stat and getrusage count from exec to the end; the exit line
	# stops a little before the end
	test "$stat" -ge 1024 && test "$ru" = "$stat" && test "$line" -le "$stat" &&
	# perf stat and getrusage count from exec; the shim counts from its
	# constructor, so a page the loader read from disk before it is theirs
	# only. Every one of the program'"'"'s own 1024 is the shim'"'"'s too.
	test "$got" -ge 1024 && test "$got" -le "$stat" && test $((stat - got)) -le 8 &&
	n=$(jq -s -c --arg b "$(kv "$TMP/file.out" buf)" --arg e "$(kv "$TMP/file.out" end)" "$JQ_HEX"'"'"'
		[.[] | select(.e == "faults") | .samples[] | select(.[4] == 1)
		 | select((.[0] | hex) >= ($b | hex) and (.[0] | hex) < ($e | hex))] | length'"'"' "$f") &&
	test "$n" = 1024
'

test_done
