#!/bin/sh
# Threads that come and go while the ticks read their counts: each thread
# counts its inline malloc and free calls in its own TLS, which glibc frees
# or hands to the next thread when it exits; the exiting thread moves them
# into its state first and waits out the readers of the old ones. 40 waves
# of 8 threads of 2,000 malloc/free pairs each, half of them detached (but
# the last wave's, whose exits would race with the counters' last reading),
# their last blocks freed by the main thread after they are gone, ticks
# every millisecond: the calls and bytes at the end are exact, against a
# counter preloaded in front of the shim (tests/shell/heap/front_counter.c)
# that sees every call the program makes.
. "$(dirname "$0")/lib.sh"

${CC:-cc} -O2 -shared -fPIC -o "$TMP/counter.so" "$top/tests/shell/heap/front_counter.c" -ldl ||
	skip_all "cannot build the counter with ${CC:-cc}"

# churn NAME EXTRA-ENV...: the program under counter and shim
churn() {
	_n=$1
	shift
	mkdir -p "$TMP/$_n" "$TMP/$_n.c" &&
		env "$@" COUNTER_DIR="$TMP/$_n.c" FAULTLINE_OUT="$TMP/$_n" FAULTLINE_INTERVAL=1 \
			LD_PRELOAD="$TMP/counter.so:$LIB" "$PROGS/p_heap_thread_exit" 40 8 2000 \
			>"$TMP/$_n.out"
}

# exact NAME: the trace's last heap line against the counter's figures
exact() {
	_c=$(ls "$TMP/$1.c"/*.count) && _f=$(ls "$TMP/$1"/*.ndjson*) &&
		trace_cat "$_f" | grep '"e":"heap"' | tail -n 1 >"$TMP/$1.heap" &&
		read -r _ m _ b _ f <"$_c" && cat "$_c" "$TMP/$1.heap" &&
		jq -e --argjson m "$m" --argjson b "$b" --argjson f "$f" \
			'.calls.malloc == $m and .bytes.malloc == $b and .calls.free == $f' "$TMP/$1.heap" \
			>/dev/null
}

test_expect_success 'the program runs and its calls are what it says' '
	churn d &&
	jq -e ".mallocs == 40 * 8 * (2000 + 8) and .frees == .mallocs" "$TMP/d.out" >/dev/null
'
test_expect_success 'default mode: calls and bytes exact at the end' 'exact d'
test_expect_success 'every call sampled (FAULTLINE_SAMPLE=1): the same' '
	churn s FAULTLINE_SAMPLE=1 && exact s
'
test_done
