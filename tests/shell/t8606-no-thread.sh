#!/bin/sh
# The shim adds no thread: a single-threaded program under record has
# Threads: 1 in /proc/self/status (it had 2, the ticker), forks as many
# children under RLIMIT_NPROC as natively (26 against 39 before), and still
# gets a counters line each interval while busy and while asleep (the
# ticks come from a CPU-time timer signal and from its sleeps).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/forks.c" <<'PROG'
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int n = 0, fds[2];
	if (pipe(fds))
		return 1;
	for (;;) {
		pid_t p = fork();
		if (p < 0)
			break;
		if (p == 0) {
			char c;
			close(fds[1]);
			read(fds[0], &c, 1); /* until the parent is done */
			_exit(0);
		}
		n++;
	}
	close(fds[1]);
	while (wait(NULL) > 0)
		;
	printf("%d\n", n);
	return 0;
}
PROG

cat >"$TMP/busy.c" <<'PROG'
#include <stdio.h>
#include <time.h>
int main(void)
{
	struct timespec a, b;
	volatile unsigned long x = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 1000000; i++)
			x += i;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1000);
	return 0;
}
PROG

counters() { cat "$1"/*.ndjson | grep -c '"e":"counters"'; }

test_expect_success 'a single-threaded program sees Threads: 1, as natively' '
	native=$(grep Threads: /proc/self/status | tr -d "\t ") &&
	traced=$("$FL" record -q -o "$TMP/t1" -- grep Threads: /proc/self/status | tr -d "\t ") &&
	say "# native $native, traced $traced" &&
	test "$native" = "$traced" && test "$traced" = "Threads:1"
'

test_expect_success 'under RLIMIT_NPROC a program forks as many children as natively' '
	cc -o "$TMP/forks" "$TMP/forks.c" &&
	if is_root; then
		command -v setpriv >/dev/null || { say "# skipped: root ignores RLIMIT_NPROC, no setpriv"; exit 0; }
		chmod 755 "$TMP" "$TMP/forks" && mkdir "$TMP/nb" && chown nobody "$TMP/nb" &&
		as="setpriv --reuid=nobody --regid=nogroup --clear-groups" &&
		{ $as test -r "$LIB" || { say "# skipped: the build directory is not readable by nobody"; exit 0; }; }
	else
		as= && mkdir "$TMP/nb"
	fi &&
	used=$(ps -e -L -o user= | grep -c "^$(id -un ${as:+nobody})\$" || true) &&
	n=$((used + 40)) &&
	native=$($as prlimit --nproc=$n "$TMP/forks") &&
	# a bare preload: record itself would be one more process of the user
	traced=$($as env LD_PRELOAD="$LIB" FAULTLINE_OUT="$TMP/nb" prlimit --nproc=$n "$TMP/forks") &&
	ls "$TMP/nb"/*.ndjson >/dev/null &&
	say "# --nproc=$n: native $native, traced $traced" &&
	test "$native" -gt 0 && test "$native" = "$traced"
'

test_expect_success 'a busy program gets a counters line each interval' '
	cc -O -o "$TMP/busy" "$TMP/busy.c" &&
	FAULTLINE_INTERVAL_MS=100 "$FL" record -q -o "$TMP/t3" -- "$TMP/busy" &&
	c=$(counters "$TMP/t3") && say "# $c counters lines in 1 s" &&
	test "$c" -ge 6
'

test_expect_success 'a sleeping program gets a counters line each interval' '
	"$FL" record -q -o "$TMP/t4" -- sleep 1 &&
	c=$(counters "$TMP/t4") && say "# $c counters lines in 1 s" &&
	test "$c" -ge 6
'
test_done
