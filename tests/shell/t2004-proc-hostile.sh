#!/bin/sh
# Programs that are hard on the shim's fd: it notices, reopens or holds its
# lines back, says so in a note, and never writes into the program's files.
. "$(dirname "$0")/lib.sh"

# The checks below read the one-line-per-call form (t1010 covers the compact one).
export FAULTLINE_COMPACT=0
. "$(dirname "$0")/proc-lib.sh"

# hostile WHAT: runs p_proc_hostile WHAT native and traced (from $TMP/cwd,
# with a relative FAULTLINE_OUT), compares output; the trace is $TMP/cwd/WHAT.
hostile() {
	mkdir -p "$TMP/cwd" && cd "$TMP/cwd" &&
	"$PROGS/p_proc_hostile" "$1" "$TMP/own.$1" >"$TMP/$1.native" &&
	mkdir "$1" && LD_PRELOAD=$LIB FAULTLINE_OUT=$1 "$PROGS/p_proc_hostile" "$1" "$TMP/own.$1" >"$TMP/$1.traced" &&
	diff -u "$TMP/$1.native" "$TMP/$1.traced"
}

allocs() { jq -c 'select(.e=="alloc" and .size==102400)' "$@" | wc -l; }

test_expect_success 'closing every fd: reopened, noted, every allocation recorded' '
	hostile closeall &&
	f=$(ls "$TMP"/cwd/closeall/*.ndjson) &&
	test "$(allocs "$f")" -eq 80 &&
	jq -s -e "map(select(.e==\"note\" and .what==\"reopened\")) | length >= 1" "$f" >/dev/null &&
	tail -n 1 "$f" | jq -e ".e==\"exit\" and .status==0" >/dev/null
'

test_expect_success 'dup2 over the shim fd: the program file gets none of our lines' '
	hostile dup2 &&
	test ! -s "$TMP/own.dup2" &&
	f=$(ls "$TMP"/cwd/dup2/*.ndjson) &&
	test "$(allocs "$f")" -eq 80 &&
	jq -s -e "map(select(.e==\"note\" and .what==\"reopened\")) | length >= 1" "$f" >/dev/null
'

test_expect_success 'fds exhausted: lines held back, the note says since when and why' '
	hostile exhaust &&
	f=$(ls "$TMP"/cwd/exhaust/*.ndjson) &&
	test "$(allocs "$f")" -eq 120 &&
	jq -s -e "map(select(.e==\"note\" and .what==\"reopened\" and .errno==24 and .from_t > 0)) | length == 1" "$f" >/dev/null &&
	tail -n 1 "$f" | jq -e ".e==\"exit\"" >/dev/null
'

test_expect_success 'chdir with a relative trace directory: still the same file' '
	hostile chdir &&
	test "$(ls "$TMP"/cwd/chdir/*.ndjson | wc -l)" -eq 1 &&
	test "$(allocs "$TMP"/cwd/chdir/*.ndjson)" -eq 80 &&
	test ! -e /chdir
'

test_expect_success 'setsid in a forked child: the child is traced and linked' '
	hostile setsid &&
	test "$(ls "$TMP"/cwd/setsid/*.ndjson | wc -l)" -eq 2 &&
	proc_bad_links "$TMP/cwd/setsid" >"$TMP/bad" && test ! -s "$TMP/bad" &&
	test "$(allocs "$TMP"/cwd/setsid/*.ndjson)" -eq 120
'

test_expect_success 'prctl(PR_TASK_PERF_EVENTS_DISABLE) is noted' '
	hostile perfoff &&
	jq -s -e "map(select(.e==\"note\" and .what==\"perf_disabled\")) | length == 1" "$TMP"/cwd/perfoff/*.ndjson >/dev/null
'
test_done
