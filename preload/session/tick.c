#include "session/tick.h"

#include "base/sys.h"
#include "probes/maps.h"
#include "probes/probes.h"
#include "probes/procfs.h"
#include "record/drain.h"
#include "record/sites.h"
#include "trace/clock.h"
#include "trace/writer.h"

void fl_tick(int final)
{
	fl_writer_lock();
	fl_tick_locked(final);
	fl_writer_unlock();
}

void fl_tick_locked(int final)
{
	struct fl_out *o = fl_writer_out();
	int stopped;
	fl_sys_work_begin();
	fl_drain_all();
	/* Past the size cap only the totals go out, so the report can still
	 * say how the run ended. */
	stopped = fl_trace.stopped;
	if (!stopped || final) {
		fl_drain_heap_line();
		if (!stopped)
			fl_sites_emit(o, fl_seq_next, fl_now());
		fl_probes_tick(o, final);
		/* The probes may have flushed and reached the cap just now. The
		 * maps text they read at the tick's start serves (the shim maps
		 * nothing during a tick): one read of /proc/self/maps a tick. */
		if (!fl_trace.stopped) {
			size_t n;
			const char *maps = fl_procfs_maps_text(&n);
			if (maps)
				fl_maps_emit_text(o, "changed", 0, maps, n);
			else
				fl_maps_emit(o, "changed", 0);
		}
	}
	fl_writer_write(1);
	fl_sys_work_end();
}
