/*
 * Sleeps. The tick timer counts the process's CPU time (session/init.c), so
 * a program that sleeps would get no ticks: a sleep through libc is cut at
 * each tick's time, the tick is taken on the sleeping thread, and the sleep
 * goes on to its deadline. The program sees one sleep: the same return
 * value, errno and remaining time on an interruption. The slices are raw
 * clock_nanosleep calls; the thread's cancellation is acted on between
 * them (and inside a slice only at its end, at most an interval later).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/sys.h"
#include "hooks/hooks.h"

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static struct timespec ts_of(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	return ts;
}

static uint64_t now_on(clockid_t clk)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, clk, &ts);
	return ns_of(&ts);
}

/* clock_nanosleep's contract: 0 or an error number, errno untouched. */
static int raw_sleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	int saved = errno, r;
	r = syscall(SYS_clock_nanosleep, clk, flags, req, rem) == 0 ? 0 : errno;
	errno = saved;
	return r;
}

static int sliced_sleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	uint64_t deadline;
	if (!TRACING() || fl_proc_in_vfork_child() ||
	    (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME && clk != CLOCK_BOOTTIME) ||
	    req->tv_nsec < 0 || req->tv_nsec >= 1000000000 || req->tv_sec < 0)
		return raw_sleep(clk, flags, req, rem);
	deadline = flags & TIMER_ABSTIME ? ns_of(req) : now_on(clk) + ns_of(req);
	for (;;) {
		uint64_t now = now_on(clk), mono = fl_sys_now_ns(), tick = fl_init_next_tick_ns();
		uint64_t end = tick > mono ? now + (tick - mono) : now;
		struct timespec until;
		int r;
		if (end > deadline)
			end = deadline;
		until = ts_of(end);
		pthread_testcancel();
		r = raw_sleep(clk, TIMER_ABSTIME, &until, NULL);
		if (r != 0) {
			if (r == EINTR && rem && !(flags & TIMER_ABSTIME)) {
				now = now_on(clk);
				*rem = ts_of(deadline > now ? deadline - now : 0);
			}
			return r;
		}
		if (end >= deadline)
			return 0;
		if (fl_init_tick_if_due()) {
			if (rem && !(flags & TIMER_ABSTIME)) {
				now = now_on(clk);
				*rem = ts_of(deadline > now ? deadline - now : 0);
			}
			return EINTR;
		}
	}
}

FL_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
			      struct timespec *rem)
{
	return sliced_sleep(clk, flags, req, rem);
}

FL_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int r = sliced_sleep(CLOCK_MONOTONIC, 0, req, rem);
	if (r == 0)
		return 0;
	errno = r;
	return -1;
}

/* glibc's sleep and usleep call its internal nanosleep, not ours. */
FL_EXPORT unsigned int sleep(unsigned int seconds)
{
	struct timespec req = {(time_t)seconds, 0}, rem = {0, 0};
	if (nanosleep(&req, &rem) == 0)
		return 0;
	return (unsigned int)rem.tv_sec + (rem.tv_nsec >= 500000000L);
}

FL_EXPORT int usleep(useconds_t usec)
{
	struct timespec req = ts_of((uint64_t)usec * 1000u);
	return nanosleep(&req, NULL);
}

/*
 * Waits for signals. A thread that blocks SIGURG while it runs keeps its
 * tick pending; sigwait for a set with SIGURG in it would take the tick as
 * the program's. Ours are taken here and the wait goes on. The raw syscall
 * as glibc makes it: without glibc's own two signals (cancellation, setxid).
 */
static int wait_signal(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	sigset_t mine = *set;
	siginfo_t si;
	int r;
	((unsigned long *)&mine)[0] &= ~(3ul << 31); /* signals 32 and 33 */
	for (;;) {
		pthread_testcancel();
		r = (int)syscall(SYS_rt_sigtimedwait, &mine, &si, timeout, _NSIG / 8);
		if (r != FL_TICK_SIGNAL || !fl_init_is_tick(&si))
			break;
		fl_init_tick_if_due();
	}
	pthread_testcancel();
	if (r > 0 && info)
		*info = si;
	return r;
}

FL_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	return wait_signal(set, info, timeout);
}

FL_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	return wait_signal(set, info, NULL);
}

/* sigwait's contract: the signal in *sig, or an error number; errno kept. */
FL_EXPORT int sigwait(const sigset_t *set, int *sig)
{
	int saved = errno, r;
	do
		r = wait_signal(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = errno;
		errno = saved;
		return r;
	}
	*sig = r;
	return 0;
}
