# Helpers for the t82xx-stress-* tests. Sourced after tests/shell/lib.sh.
# Each run is bounded by a timeout: a hang is a failure (status 124).
STRESS_TIMEOUT=${STRESS_TIMEOUT:-120}

# stress_native NAME PROGRAM ARGS...: $TMP/NAME.native.{out,err,status}
stress_native() {
	_n=$1
	shift
	timeout "$STRESS_TIMEOUT" "$@" >"$TMP/$_n.native.out" 2>"$TMP/$_n.native.err"
	echo $? >"$TMP/$_n.native.status"
}

# stress_traced NAME [RECORD-OPTIONS...] -- PROGRAM ARGS...: the same under
# `faultline record` into $TMP/NAME.trace; $TMP/NAME.recpid holds the pid of
# faultline record, the parent of the traced root process.
stress_traced() {
	_n=$1
	shift
	timeout "$STRESS_TIMEOUT" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/$_n.recpid" \
		"$FL" record -q -o "$TMP/$_n.trace" "$@" >"$TMP/$_n.traced.out" 2>"$TMP/$_n.traced.err"
	echo $? >"$TMP/$_n.traced.status"
}

# The root process's trace file of run NAME.
root_trace() {
	_pp=$(cat "$TMP/$1.recpid")
	for _f in "$TMP/$1.trace"/*.ndjson; do
		head -n 1 "$_f" | jq -e --argjson p "$_pp" '.ppid == $p' >/dev/null && { echo "$_f"; return 0; }
	done
	return 1
}

# final_heap FILE JQ-PATH: the value at JQ-PATH (e.g. .calls.malloc, .live)
# in the last heap line of FILE (the totals written at exit).
final_heap() {
	grep '"e":"heap"' "$1" | tail -n 1 | jq "$2 // 0"
}

# prog_count NAME KEY: "KEY N" as the program printed it in its stdout.
prog_count() {
	awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1.native.out"
}

# Every file of run NAME starts with a header and is valid NDJSON.
trace_is_clean() {
	ls "$TMP/$1.trace"/*.ndjson >/dev/null || return 1
	for _f in "$TMP/$1.trace"/*.ndjson; do
		head -n 1 "$_f" | jq -e '.e == "header"' >/dev/null || { say "$_f: no header"; return 1; }
		jq -e 'has("e")' "$_f" >/dev/null || { say "$_f: bad line"; return 1; }
	done
}

# The native and traced runs of NAME end alike, with STATUS, and print the
# same stdout.
same_behaviour() { # NAME STATUS
	test "$(cat "$TMP/$1.native.status")" -eq "$2" || { cat "$TMP/$1.native.err"; return 1; }
	test "$(cat "$TMP/$1.traced.status")" -eq "$2" || { cat "$TMP/$1.traced.err"; return 1; }
	diff -u "$TMP/$1.native.out" "$TMP/$1.traced.out"
}

# at_least A B: A >= B, saying so when not.
at_least() {
	[ "$1" -ge "$2" ] || { say "expected $1 >= $2"; return 1; }
}
