#include "trace/clock.h"

#include "base/sys.h"

struct fl_clock fl_clock;

uint64_t fl_now(void)
{
	return fl_sys_now_ns() - fl_clock.start_mono;
}

uint64_t fl_seq_next(void)
{
	return __atomic_fetch_add(&fl_clock.seq, 1, __ATOMIC_RELAXED);
}

void fl_clock_start(void)
{
	fl_clock.start_mono = fl_sys_now_ns();
	fl_clock.start_real = fl_sys_realtime_ns();
	fl_clock.seq = 1;
}
