/*
 * Only large ranges are measured: a snapshot costs a PROCMAP_QUERY and a
 * PAGEMAP_SCAN per VMA (a few µs), and the many small munmaps of an
 * allocator would otherwise pay it on every free.
 */
#include "session/snapshot.h"

#include "base/config.h"
#include "base/sys.h"
#include "probes/pagemap.h"
#include "probes/uffd.h"
#include "trace/writer.h"

void fl_snapshot_unmap(uint64_t addr, uint64_t len)
{
	if (len < fl_config.large_bytes || !fl_pagemap_st.ok)
		return;
	fl_writer_lock();
	fl_sys_work_begin();
	if (!fl_trace.stopped)
		fl_pagemap_range(fl_writer_out(), "unmap", addr, addr + len, fl_uffd_st.ok);
	fl_writer_write(0);
	fl_sys_work_end();
	fl_writer_unlock();
}
