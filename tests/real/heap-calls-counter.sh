#!/bin/sh
# Heap call counts are exact: malloc's calls and bytes and free's calls
# (free(NULL) included) of programs we did not write, against a counter of our own preloaded in
# front of the shim (its malloc and free count and pass each call on to the
# shim's with dlsym(RTLD_NEXT), and print at exit), so that it sees every
# call the program makes, from the first. The shim runs under a bare
# LD_PRELOAD here (record would put itself first). Exact. (Each program
# runs under timeout, which execs it: the counter stays before the shim in
# the exec'd program only since the shim keeps the LD_PRELOAD order, t2021.)
. "$(dirname "$0")/lib.sh"
LIB=$top/$BUILD/libfaultline.so
${CC:-cc} -O2 -shared -fPIC -o "$TMP/counter.so" "$top/tests/shell/heap/front_counter.c" -ldl ||
	skip_all "cannot build the counter with ${CC:-cc}"

# counted NAME PROGRAM ARGS...: runs PROGRAM with the counter in front of
# the shim; compares each process's figures (timeout's too) with the
# final heap line of its trace
counted() {
	_n=$1
	shift
	mkdir -p "$TMP/$_n" "$TMP/$_n.c"
	COUNTER_DIR=$TMP/$_n.c FAULTLINE_OUT=$TMP/$_n LD_PRELOAD="$TMP/counter.so:$LIB" \
		timeout -k 5 "$REAL_TIMEOUT" "$@" >"$TMP/$_n.out" 2>&1 || return 1
	for _c in "$TMP/$_n.c"/*.count; do
		_pid=$(basename "$_c" .count)
		# the pid's last image (PID.N.ndjson after N execs): the counter's
		# figures are those of the image that exited
		_f=$(ls "$TMP/$_n/$_pid".*ndjson* | sort -V | tail -1)
		_h=$(trace_cat "$_f" | jq -s -c '[.[] | select(.e == "heap")] | last')
		real_compare "$_n: malloc calls (pid $_pid)" "$(echo "$_h" | jq .calls.malloc)" \
			"$(awk '{ print $2 }' "$_c")" exact
		real_compare "$_n: malloc bytes (pid $_pid)" "$(echo "$_h" | jq .bytes.malloc)" \
			"$(awk '{ print $4 }' "$_c")" exact
		real_compare "$_n: free calls (pid $_pid)" "$(echo "$_h" | jq .calls.free)" \
			"$(awk '{ print $6 }' "$_c")" exact
	done
}
py=$(real_python)
counted python "$py" -c 'import json, sqlite3; print(len(json.dumps([{"a": i} for i in range(20000)])))'
counted sqlite3 sqlite3 :memory: "create table t(a, b); insert into t values (1, 'x'); select * from t;"
counted sort sort -n /etc/services -o "$TMP/sorted"
test_done
