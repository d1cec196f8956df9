#!/bin/sh
# A program that reads SIGURG from a signalfd blocks it, so a tick of the
# shim's (a SIGURG timer on the thread's CPU clock) would stay pending and be
# read as the program's own signal. The program spins for 0.5 s of CPU time
# (five ticks' worth), then asks its signalfd what is pending: natively
# nothing, then the SIGURG it sends itself. Traced, the same: creating a
# signalfd that takes SIGURG stops the shim's timers, and the trace still
# ends with its exit line and totals.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/sfd.c" <<'PROG'
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void report(int fd, const char *when)
{
	struct pollfd p = {fd, POLLIN, 0};
	struct signalfd_siginfo si;
	if (poll(&p, 1, 0) == 1 && read(fd, &si, sizeof(si)) == sizeof(si))
		printf("%s: signal %u code %d\n", when, si.ssi_signo, si.ssi_code);
	else
		printf("%s: nothing pending\n", when);
}
int main(void)
{
	sigset_t set;
	volatile unsigned long x = 0;
	double end;
	int fd;
	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		return 2;
	for (end = cpu() + 0.5; cpu() < end;)
		x++;
	report(fd, "after spinning");
	raise(SIGURG);
	report(fd, "after raise");
	return 0;
}
PROG
cc -O1 -o "$TMP/sfd" "$TMP/sfd.c" || exit 1
"$TMP/sfd" >"$TMP/native.out" || exit 1

test_expect_success 'signalfd with SIGURG reads what it reads natively' '
	timeout 60 "$FL" record -q -o "$TMP/t" -- "$TMP/sfd" >"$TMP/traced.out" &&
	cat "$TMP/traced.out" &&
	diff -u "$TMP/native.out" "$TMP/traced.out"
'

test_expect_success 'the trace ends with its exit line and totals' '
	f=$(ls "$TMP"/t/*.ndjson) &&
	tail -n 1 "$f" | jq -e ".e == \"exit\"" >/dev/null &&
	jq -s -e "[.[] | select(.e == \"heap\")] | length >= 1" "$f" >/dev/null
'
test_done
