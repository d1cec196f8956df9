#!/bin/sh
# Ticks without a tick timer: when timer_create fails (EAGAIN once the
# user's queued signals reach RLIMIT_SIGPENDING, here a limit of 0), a busy
# thread that never sleeps still ticks, from the heap hooks' slow path; the
# trace says why the ticks fell back, its size cap holds, and the program
# runs as natively. Before, such a thread wrote one heap and one counters
# line, at exit.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/busyalloc.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static void *volatile keep[64];
int main(int argc, char **argv)
{
	struct timespec a, b;
	unsigned long n = 0, ms = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 10000; i++, n++) {
			free(keep[i & 63]);
			keep[i & 63] = malloc(64 + (i & 1023));
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((unsigned long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000) < ms);
	printf("allocated: %s\n", n > 0 ? "yes" : "no");
	return 3;
}
PROG

cat >"$TMP/timer.c" <<'PROG'
#include <signal.h>
#include <time.h>
int main(void)
{
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGURG};
	timer_t t;
	return timer_create(CLOCK_MONOTONIC, &ev, &t) == 0;
}
PROG

cc -o "$TMP/timer" "$TMP/timer.c" && cc -O2 -o "$TMP/busyalloc" "$TMP/busyalloc.c" ||
	skip_all "cannot build the test programs"
prlimit --sigpending=0 "$TMP/timer" ||
	skip_all "timer_create works under prlimit --sigpending=0 here"

lines() { cat "$1"/*.ndjson | grep -c "\"e\":\"$2\"" || true; }

test_expect_success 'the program runs as natively (output, exit status)' '
	{ prlimit --sigpending=0 "$TMP/busyalloc" >"$TMP/n.out"; echo $? >>"$TMP/n.out"; } &&
	{ prlimit --sigpending=0 "$FL" record -q -o "$TMP/t" -- "$TMP/busyalloc" >"$TMP/t.out";
	  echo $? >>"$TMP/t.out"; } &&
	diff -u "$TMP/n.out" "$TMP/t.out"
'

test_expect_success 'a busy thread without a timer gets heap and counters lines each interval' '
	h=$(lines "$TMP/t" heap) && c=$(lines "$TMP/t" counters) &&
	say "# 1 s at 100 ms intervals: $h heap, $c counters lines" &&
	test "$h" -ge 5 && test "$c" -ge 5
'

test_expect_success 'the trace says once why the ticks fell back' '
	grep -h "\"what\":\"ticks\"" "$TMP"/t/*.ndjson >"$TMP/notes" &&
	test "$(wc -l <"$TMP/notes")" -eq 1 &&
	jq -e "select(.n == 11) | .why | test(\"RLIMIT_SIGPENDING\")" "$TMP/notes" >/dev/null
'

test_expect_success 'record says so in its summary' '
	prlimit --sigpending=0 "$FL" record -o "$TMP/s" -- "$TMP/busyalloc" 200 >/dev/null 2>"$TMP/s.err";
	tr -s "\n " "  " <"$TMP/s.err" | grep -q "no tick timer in 1 process.*RLIMIT_SIGPENDING"
'

test_expect_success 'the size cap holds without a timer (every call on a line)' '
	cap=200000 &&
	{ prlimit --sigpending=0 "$FL" record -q --large 1 --max-size $cap -o "$TMP/c" -- \
		"$TMP/busyalloc" >/dev/null; test $? -eq 3; } &&
	f=$(ls "$TMP"/c/*.ndjson) && size=$(stat -c %s "$f") && say "# $size bytes, cap $cap" &&
	test "$size" -le $((cap + 16384)) &&
	grep -q "\"what\":\"stopped\"" "$f"
'
test_done
