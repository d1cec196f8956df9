#!/bin/sh
# Major faults from a cold file: the shim's perf counter, its samples and
# getrusage against `perf stat -e major-faults` on the same run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/probes-lib.sh"

command -v perf >/dev/null 2>&1 && perf stat -e major-faults -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf stat cannot count major-faults here"

# majors NAME PROGRAM ARGS...: runs traced under perf stat; prints perf
# stat's major-fault count
majors() {
	name=$1
	shift
	mkdir -p "$TMP/$name" &&
	perf stat -e major-faults -x, -o "$TMP/$name.stat" -- env LD_PRELOAD="$LIB" \
		FAULTLINE_OUT="$TMP/$name" FAULTLINE_INTERVAL_MS=50 FAULTLINE_FAULTS=all "$@" >"$TMP/$name.out" &&
	grep major-faults "$TMP/$name.stat" | cut -d, -f1
}

# The program drops the file from the page cache (fdatasync, fadvise):
# that needs a file system whose pages can be dropped.
head -c $((4 << 20)) /dev/urandom >"$TMP/cold" || exit 1
droppable "$TMP/cold" || skip_all "cannot make a file cold here: $_why"

test_expect_success 'cold file, MADV_RANDOM: majflt equals perf stat, one sample each' '
	stat=$(majors file "$PROGS/p_probe_major" file "$TMP/cold") &&
	f=$(trace_of "$TMP/file") &&
	got=$(jq -s "[.[] | select(.e == \"counters\")] | last | .majflt" "$f") &&
	ru=$(jq -s "[.[] | select(.e == \"exit\")] | last | .ru_majflt" "$f") &&
	echo "perf stat: $stat, trace: $got, getrusage: $ru" &&
	test "$stat" -ge 1024 && test "$ru" = "$stat" &&
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
