#!/bin/sh
# The ticks come from SIGURG timers on each thread's CPU clock (no thread of
# the shim's): programs that use signals and timers themselves see nothing
# of them. Same output as native for a program with its own SIGURG handler,
# one that blocks every signal then sigwaits, one with its own ITIMER_PROF
# and CPU-clock timer, and one whose worker threads block every signal and
# spin while its main thread waits in read, select and epoll_wait (no EINTR).
# Each trace ends with its exit line and its totals.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/urg.c" <<'PROG'
/* Its own SIGURG handler: counts the SIGURGs it gets; sends itself 3. */
#include <signal.h>
#include <stdio.h>
#include <time.h>
static volatile sig_atomic_t got, timer;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; got++; if (si->si_code == SI_TIMER) timer++; }
static void spin(double secs) { clock_t end = clock() + (clock_t)(secs * CLOCKS_PER_SEC); volatile unsigned long x = 0; while (clock() < end) x++; }
int main(void)
{
	struct sigaction sa = {0}, old;
	sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigemptyset(&sa.sa_mask);
	sigaction(SIGURG, &sa, &old);
	spin(0.3);
	for (int i = 0; i < 3; i++) raise(SIGURG);
	spin(0.3);
	sigaction(SIGURG, NULL, &old);
	printf("got %d timer %d same %d\n", (int)got, (int)timer, old.sa_sigaction == h);
	return 0;
}
PROG

cat >"$TMP/blockall.c" <<'PROG'
/* Blocks every signal, spins, then takes SIGUSR1 with sigwaitinfo on a full set. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void spin(double secs) { clock_t end = clock() + (clock_t)(secs * CLOCKS_PER_SEC); volatile unsigned long x = 0; while (clock() < end) x++; }
int main(void)
{
	sigset_t all; siginfo_t si; char *p;
	sigfillset(&all); sigprocmask(SIG_SETMASK, &all, NULL);
	for (int i = 0; i < 50; i++) { p = malloc(4096); p[0] = 1; free(p); spin(0.01); }
	if (fork() == 0) { usleep(200000); kill(getppid(), SIGUSR1); _exit(0); }
	int s = sigwaitinfo(&all, &si);
	printf("sigwaitinfo %d code %d\n", s, si.si_code);
	return 0;
}
PROG

cat >"$TMP/prof.c" <<'PROG'
/* Its own ITIMER_PROF and a CPU-clock POSIX timer: both fire while it spins;
 * a read on a pipe sees no EINTR. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t prof, rt;
static void hp(int s) { (void)s; prof++; }
static void hr(int s) { (void)s; rt++; }
static void spin(double secs) { clock_t end = clock() + (clock_t)(secs * CLOCKS_PER_SEC); volatile unsigned long x = 0; while (clock() < end) x++; }
int main(void)
{
	struct itimerval it = {{0, 1000}, {0, 1000}};
	struct sigevent ev = {0}; timer_t t; struct itimerspec ts = {{0, 2000000}, {0, 2000000}};
	signal(SIGPROF, hp); signal(SIGRTMIN, hr);
	setitimer(ITIMER_PROF, &it, NULL);
	ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN;
	timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t); timer_settime(t, 0, &ts, NULL);
	spin(0.5);
	struct itimerval off = {0}; setitimer(ITIMER_PROF, &off, NULL); timer_delete(t);
	printf("prof>0 %d rt>0 %d\n", prof > 0, rt > 0);
	return 0;
}
PROG

cat >"$TMP/blockread.c" <<'PROG'
/* A thread spins while main blocks in read() and then in select/epoll; no EINTR expected. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
static int fds[2];
static void spin(double secs) { clock_t end = clock() + (clock_t)(secs * CLOCKS_PER_SEC); volatile unsigned long x = 0; while (clock() < end) x++; }
static void *worker(void *a) { (void)a; sigset_t all; sigfillset(&all); pthread_sigmask(SIG_SETMASK, &all, NULL);
	for (int i = 0; i < 30; i++) { free(malloc(100)); spin(0.01); } write(fds[1], "x", 1); spin(0.2); write(fds[1], "y", 1); spin(0.2); write(fds[1], "z", 1); return NULL; }
int main(void)
{
	char c; pthread_t th; int eintr = 0;
	pipe(fds); pthread_create(&th, NULL, worker, NULL);
	while (read(fds[0], &c, 1) < 0) eintr++;
	fd_set r; FD_ZERO(&r); FD_SET(fds[0], &r);
	while (select(fds[0] + 1, &r, NULL, NULL, NULL) < 0) { eintr++; FD_SET(fds[0], &r); }
	read(fds[0], &c, 1);
	int ep = epoll_create1(0); struct epoll_event e = {.events = EPOLLIN}, out; epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &e);
	while (epoll_wait(ep, &out, 1, -1) < 0) eintr++;
	pthread_join(th, NULL);
	printf("eintr %d\n", eintr);
	return 0;
}
PROG

for p in urg blockall prof blockread; do
	test_expect_success "$p: same output as native, trace complete" "
		cc -O1 -pthread -o \"\$TMP/$p\" \"\$TMP/$p.c\" &&
		\"\$TMP/$p\" >\"\$TMP/$p.native\" &&
		run_traced \"\$TMP/$p.trace\" \"\$TMP/$p\" >\"\$TMP/$p.traced\" &&
		diff -u \"\$TMP/$p.native\" \"\$TMP/$p.traced\" &&
		f=\$(grep -l '\"parent\":{[^}]*\"kind\":\"none\"' \"\$TMP/$p.trace\"/*.ndjson) &&
		tail -n 1 \"\$f\" | jq -e '.e==\"exit\" and .status==0' >/dev/null &&
		jq -s -e 'map(select(.e==\"heap\" or .e==\"counters\")) | length > 0' \"\$f\" >/dev/null
	"
done
test_done
