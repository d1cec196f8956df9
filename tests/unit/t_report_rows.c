/*
 * The per-tick rows of the reports (faults' per_tick, ws' windows) on runs
 * shorter and longer than FL_SERIES_ROWS ticks: a short run keeps one row
 * per tick with no "ticks" key; a long one has at most FL_SERIES_ROWS rows,
 * each exact for the ticks it holds (faults add up, a working set is its
 * largest window's), and the totals and stats of every tick.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "model/series.h"
#include "reports/report.h"
#include "reports/report_faults.h"
#include "reports/report_ws.h"

#define TICK_NS 100000000LL

/* Faults counted by tick i (1-based), -1 for a tick whose counters line
 * carries none; pages written in window i. */
static long long minflt_delta(int i)
{
	return i % 11 == 0 ? -1 : (i * 7919) % 1000;
}
static long long written(int i)
{
	return 2 + (i * 104729) % 5000;
}

static void write_trace(struct synth *s, int nticks)
{
	long long minflt = 0;
	synth_file(s, "300");
	synth_header(s, 300, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		      "[\"0x10000000\",\"0x20000000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	for (int i = 1; i <= nticks; i++) {
		if (minflt_delta(i) >= 0)
			minflt += minflt_delta(i);
		if (minflt_delta(i) >= 0)
			synth_line(s, "{\"e\":\"counters\",\"t\":%lld,\"seq\":%d,\"minflt\":%lld}",
				   i * TICK_NS, 2 * i + 1, minflt);
		else
			synth_line(s, "{\"e\":\"counters\",\"t\":%lld,\"seq\":%d}", i * TICK_NS,
				   2 * i + 1);
		synth_line(s,
			   "{\"e\":\"wss\",\"t\":%lld,\"seq\":%d,\"method\":\"uffd_wp\","
			   "\"window_ns\":%lld,\"written\":%lld,\"regions\":["
			   "[\"0x10000000\",\"0x20000000\",%lld]]}",
			   i * TICK_NS, 2 * i + 2, TICK_NS, written(i), written(i));
	}
	synth_close(s);
}

static json_t *rows_of(json_t *sec, const char *key)
{
	return json_object_get(json_array_get(json_object_get(sec, "processes"), 0), key);
}

static void check_per_tick(json_t *rows, int nticks)
{
	json_t *r;
	size_t k;
	int first = 1;
	CHECK(json_array_size(rows) <= FL_SERIES_ROWS);
	CHECK(nticks > FL_SERIES_ROWS || json_array_size(rows) == (size_t)nticks);
	json_array_foreach(rows, k, r)
	{
		json_t *ticks = json_object_get(r, "ticks");
		int n = ticks ? (int)json_integer_value(ticks) : 1;
		long long sum = 0;
		int known = 0;
		CHECK(nticks > FL_SERIES_ROWS ? 1 : !ticks);
		CHECK(!ticks || n > 1);
		for (int i = first; i < first + n; i++)
			if (minflt_delta(i) >= 0) {
				sum += minflt_delta(i);
				known = 1;
			}
		CHECK_EQ_U64(json_integer_value(json_object_get(r, "t")),
			     (first + n - 1) * TICK_NS);
		if (known)
			CHECK_EQ_U64(json_integer_value(json_object_get(r, "minor")), sum);
		else
			CHECK(json_is_null(json_object_get(r, "minor")));
		first += n;
	}
	CHECK_EQ_U64(first - 1, nticks);
}

static void check_windows(json_t *p, int nticks)
{
	json_t *rows = json_object_get(p, "windows"), *r;
	json_t *st = json_object_get(json_object_get(p, "stats"), "written");
	size_t k;
	int first = 1;
	long long total = 0, peak = 0;
	CHECK(json_array_size(rows) <= FL_SERIES_ROWS);
	json_array_foreach(rows, k, r)
	{
		json_t *ticks = json_object_get(r, "ticks");
		int n = ticks ? (int)json_integer_value(ticks) : 1;
		long long most = 0;
		CHECK(nticks > FL_SERIES_ROWS ? 1 : !ticks);
		for (int i = first; i < first + n; i++)
			most = written(i) > most ? written(i) : most;
		CHECK_EQ_U64(json_integer_value(json_object_get(r, "written")), most);
		CHECK_EQ_U64(json_integer_value(json_object_get(r, "window_ns")), n * TICK_NS);
		CHECK_EQ_U64(json_integer_value(json_object_get(r, "t")),
			     (first + n - 1) * TICK_NS);
		first += n;
	}
	CHECK_EQ_U64(first - 1, nticks);
	for (int i = 1; i <= nticks; i++) {
		total += written(i);
		peak = written(i) > peak ? written(i) : peak;
	}
	/* the stats are every window's, not the rows' */
	CHECK_EQ_U64(json_integer_value(json_object_get(st, "windows")), nticks);
	CHECK_EQ_U64(json_integer_value(json_object_get(st, "total")), total);
	CHECK_EQ_U64(json_integer_value(json_object_get(st, "peak")), peak);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "windows_count")), nticks);
}

int main(void)
{
	int runs[] = {5, FL_SERIES_ROWS, FL_SERIES_ROWS + 1, 3 * FL_SERIES_ROWS + 17};
	struct synth s;
	synth_init(&s);
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct fl_model m;
		struct fl_report_opts o;
		write_trace(&s, runs[i]);
		CHECK(fl_model_load(&m, s.dir) == 0);
		fl_report_opts_init(&o);
		o.syms = NULL;
		json_t *faults = fl_report_faults(&m, &o), *ws = fl_report_ws(&m, &o);
		check_per_tick(rows_of(faults, "per_tick"), runs[i]);
		check_windows(json_array_get(json_object_get(ws, "processes"), 0), runs[i]);
		json_decref(faults);
		json_decref(ws);
		fl_model_release(&m);
	}
	synth_rm(&s);
	return check_result();
}
