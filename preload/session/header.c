/*
 * A new trace file: the header line (who, what machine, which probes work,
 * the options) and the first maps snapshot. At start, in a followed fork
 * child and after exec (a new process image, a new file).
 */
#include "session/header.h"

#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/sys.h"
#include "faultline/schema.h"
#include "probes/maps.h"
#include "probes/probes.h"
#include "trace/clock.h"
#include "trace/writer.h"

static void header_parent(struct fl_out *o, const char *kind)
{
	/* FAULTLINE_PARENT = "<pid>:<kind>:<t>:<seq>" set by the creator. */
	const char *s = fl_config.parent;
	uint64_t v[4] = {0, 0, 0, 0};
	char k[32] = "none";
	int field = 0;
	size_t kl = 0;

	if (strcmp(kind, "link") != 0 || !s[0]) {
		fl_out_key(o, FL_K_PARENT);
		fl_out_obj_open(o);
		fl_out_u64(o, FL_K_PID, (uint64_t)fl_sys_getppid());
		fl_out_str(o, FL_K_KIND, kind);
		fl_out_obj_close(o);
		return;
	}
	for (; *s; s++) {
		if (*s == ':') {
			field++;
			continue;
		}
		if (field == 1) {
			if (kl + 1 < sizeof(k))
				k[kl++] = *s;
			k[kl] = '\0';
		} else if (field < 4 && *s >= '0' && *s <= '9') {
			v[field] = v[field] * 10 + (uint64_t)(*s - '0');
		}
	}
	fl_out_key(o, FL_K_PARENT);
	fl_out_obj_open(o);
	fl_out_u64(o, FL_K_PID, v[0]);
	fl_out_str(o, FL_K_KIND, k);
	fl_out_u64(o, FL_K_TIME, v[2]);
	fl_out_u64(o, FL_K_SEQ, v[3]);
	fl_out_obj_close(o);
}

static char cmdline[65536];

static void header_argv(struct fl_out *o)
{
	ssize_t n;
	fl_out_key(o, FL_K_ARGV);
	fl_out_arr_open(o);
	if (fl_config.no_argv) {
		fl_out_v_str(o, "<redacted>");
	} else if ((n = fl_sys_read_file("/proc/self/cmdline", cmdline, sizeof(cmdline))) > 0) {
		for (ssize_t i = 0; i < n;) {
			size_t l = strnlen(cmdline + i, (size_t)(n - i));
			fl_out_v_strn(o, cmdline + i, l);
			i += (ssize_t)l + 1;
		}
	}
	fl_out_arr_close(o);
}

static void header_options(struct fl_out *o)
{
	fl_out_key(o, FL_K_OPTIONS);
	fl_out_obj_open(o);
	fl_out_u64(o, FL_K_OPT_SAMPLE, fl_config.sample_bytes);
	fl_out_u64(o, FL_K_OPT_LARGE, fl_config.large_bytes);
	fl_out_u64(o, FL_K_OPT_INTERVAL_MS, fl_config.interval_ms);
	fl_out_u64(o, FL_K_OPT_FAULTS_PERIOD, fl_config.faults_period);
	fl_out_bool(o, FL_K_OPT_ALL, fl_config.all);
	fl_out_bool(o, FL_K_OPT_WSS, fl_config.wss);
	fl_out_bool(o, FL_K_OPT_FOLLOW, fl_config.follow);
	fl_out_u64(o, FL_K_OPT_MAX_SIZE, fl_config.max_size);
	if (fl_config.run)
		fl_out_u64(o, FL_K_OPT_RUN, fl_config.run);
	fl_out_obj_close(o);
}

static void write_header(struct fl_out *o, const char *parent_kind)
{
	char exe[FL_PATH_MAX];
	fl_out_begin(o, FL_EV_HEADER, 0, UINT64_MAX);
	fl_out_u64(o, FL_K_VERSION, FL_TRACE_VERSION);
	fl_out_u64(o, FL_K_PID, (uint64_t)fl_trace.pid);
	fl_out_u64(o, FL_K_PPID, (uint64_t)fl_sys_getppid());
	fl_out_u64(o, FL_K_UID, (uint64_t)getuid());
	header_parent(o, parent_kind);
	fl_sys_readlink("/proc/self/exe", exe, sizeof(exe));
	fl_out_str(o, FL_K_EXE, exe);
	header_argv(o);
	fl_out_u64(o, FL_K_START_REALTIME, fl_clock.start_real);
	fl_out_u64(o, FL_K_START_MONOTONIC, fl_clock.start_mono);
	fl_probes_header(o);
	header_options(o);
	fl_out_end(o);
}

int fl_header_open(const char *parent_kind)
{
	struct fl_out *o;
	if (fl_writer_open() != 0)
		return -1;
	o = fl_writer_out();
	write_header(o, parent_kind);
	fl_maps_emit(o, "start", 1);
	fl_writer_write(1);
	return 0;
}
