/*
 * The working-set report on synthetic wss events: K pages written per
 * window, percentiles, and the TLB-reach model flagging a large set.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_ws.h"

static const char *tlb_json =
    "{\"l1d_4k\":64,\"l1d_2m\":64,\"l2_4k\":2048,\"l2_2m\":2048,\"l2_1g\":0,\"source\":\"test\"}";

static json_t *run(struct synth *s, struct fl_model *m, int k, int windows)
{
	struct fl_report_opts o;
	synth_file(s, "300");
	synth_header_tlb(s, 300, 1, "none", 0, 1000000000000LL, tlb_json, NULL);
	synth_line(s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		      "[\"0x10000000\",\"0x20000000\",\"rw-p\",\"0x0\",0,\"\"],"
		      "[\"0x30000000\",\"0x30100000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	for (int w = 1; w <= windows; w++)
		synth_line(s,
			   "{\"e\":\"wss\",\"t\":%d00000000,\"seq\":%d,\"method\":\"uffd_wp\","
			   "\"window_ns\":100000000,\"written\":%d,\"regions\":["
			   "[\"0x10000000\",\"0x20000000\",%d],[\"0x30000000\",\"0x30100000\",2]]}",
			   w, w + 2, k + 2, k);
	synth_close(s);
	if (fl_model_load(m, s->dir) != 0)
		return NULL;
	fl_report_opts_init(&o);
	o.syms = NULL;
	return fl_report_ws(m, &o);
}

/*
 * Referenced pages a window, where the accessed bit works: each tick's
 * residency walk writes only the rows that changed, so the ticks of
 * windows 3, 4 and 6 (the same counts as the window before) wrote no line.
 * With --wss's write tracking every tick walks, and those windows
 * referenced what the one before did; without it a walk may have been
 * skipped, and they stay unknown.
 */
static void referenced_carried(int wp_ok)
{
	struct synth s;
	struct fl_model m;
	struct fl_report_opts o;
	static const int has_line[] = {0, 1, 1, 0, 0, 1, 0}, refs[] = {0, 700, 500, 0, 0, 900, 0};
	static const long long want[] = {0, 700, 500, 500, 500, 900, 900};
	synth_init(&s);
	synth_file(&s, "301");
	synth_line(
	    &s,
	    "{\"e\":\"header\",\"t\":0,\"v\":1,\"pid\":301,\"ppid\":1,\"parent\":{\"pid\":1,"
	    "\"kind\":\"none\",\"t\":0,\"seq\":1},\"exe\":\"/bin/synth\",\"argv\":[\"synth\"],"
	    "\"start_realtime_ns\":1000000000000,\"start_monotonic_ns\":1000000000000,"
	    "\"page_size\":4096,\"mem_total\":25769803776,\"swap_total\":0,"
	    "\"overcommit_memory\":0,\"rlimit_stack\":8388608,\"tlb\":null,\"probes\":{"
	    "\"accessed_bit\":{\"ok\":true},\"uffd_wp\":{\"ok\":%s}},"
	    "\"options\":{\"interval_ms\":100,\"large\":65536,\"wss\":true}}",
	    wp_ok ? "true" : "false");
	synth_line(&s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		       "[\"0x10000000\",\"0x20000000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	for (int w = 1; w <= 6; w++) {
		if (has_line[w])
			synth_line(
			    &s,
			    "{\"e\":\"residency\",\"t\":%d00000000,\"seq\":%d,\"why\":\"tick\","
			    "\"method\":\"pagemap_scan\",\"vmas\":1,\"regions\":[[\"0x10000000\","
			    "\"0x20000000\",1000,0,0,1000,0,0,0,%d,-1]]}",
			    w, 10 * w, refs[w]);
		synth_line(&s,
			   "{\"e\":\"wss\",\"t\":%d00000000,\"seq\":%d,\"method\":\"uffd_wp\","
			   "\"window_ns\":100000000,\"written\":1,\"regions\":["
			   "[\"0x10000000\",\"0x20000000\",1]]}",
			   w, 10 * w + 1);
	}
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	fl_report_opts_init(&o);
	o.syms = NULL;
	json_t *sec = fl_report_ws(&m, &o);
	json_t *wins =
	    json_object_get(json_array_get(json_object_get(sec, "processes"), 0), "windows");
	CHECK_EQ_U64(json_array_size(wins), 6);
	for (int w = 1; w <= 6; w++) {
		json_t *r = json_object_get(json_array_get(wins, (size_t)w - 1), "referenced");
		if (wp_ok || has_line[w])
			CHECK_EQ_U64(json_integer_value(r), (uint64_t)want[w]);
		else
			CHECK(json_is_null(r));
	}
	json_decref(sec);
	fl_model_release(&m);
	synth_rm(&s);
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	uint64_t v[] = {5, 1, 4, 2, 3};
	CHECK_EQ_U64(fl_ws_percentile(v, 5, 50), 3);
	CHECK_EQ_U64(fl_ws_percentile(v, 5, 100), 5);
	CHECK_EQ_U64(fl_ws_percentile(v, 5, 0), 1);
	CHECK_EQ_U64(fl_ws_percentile(v, 0, 50), 0);

	synth_init(&s);
	json_t *sec = run(&s, &m, 1000, 8);
	CHECK(sec != NULL);
	json_t *p = json_array_get(json_object_get(sec, "processes"), 0);
	json_t *wr = json_object_get(json_object_get(p, "stats"), "written");
	CHECK_EQ_U64(json_integer_value(json_object_get(wr, "p50")), 1002);
	CHECK_EQ_U64(json_integer_value(json_object_get(wr, "windows")), 8);
	CHECK_EQ_U64(json_integer_value(json_object_get(wr, "total")), 8 * 1002);
	CHECK_STR(json_string_value(json_object_get(p, "peak_method")), "written");
	json_t *r0 = json_array_get(json_object_get(p, "by_region"), 0);
	CHECK_STR(json_string_value(json_object_get(r0, "start")), "0x10000000");
	CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(r0, "written"), "p50")),
		     1000);
	CHECK_EQ_U64(json_integer_value(json_object_get(r0, "total_written")), 8000);
	json_t *tlb = json_object_get(p, "tlb");
	CHECK_STR(json_string_value(json_object_get(tlb, "source")), "model");
	CHECK(json_is_false(json_object_get(tlb, "beyond_reach")));
	CHECK_EQ_U64(json_integer_value(json_object_get(tlb, "reach_4k")), 2048 * 4096);
	FILE *dev = fopen("/dev/null", "w");
	fl_report_ws_text(sec, dev);
	json_decref(sec);
	fl_model_release(&m);

	/* 16384 pages per window: beyond 2048 entries, within reach of 2 MiB pages */
	sec = run(&s, &m, 16384, 4);
	p = json_array_get(json_object_get(sec, "processes"), 0);
	tlb = json_object_get(p, "tlb");
	CHECK(json_is_true(json_object_get(tlb, "beyond_reach")));
	CHECK(json_is_true(json_object_get(tlb, "fits_with_huge_pages")));
	size_t i;
	json_t *f;
	int flagged = 0;
	json_array_foreach(json_object_get(sec, "findings"), i, f) flagged |=
	    !strcmp(json_string_value(json_object_get(f, "id")), "ws.tlb_reach");
	CHECK(flagged);
	fl_report_ws_text(sec, dev);
	json_decref(sec);
	fl_model_release(&m);

	/* The AMD EPYC family-26 guest: 96 L1 and 128 L2 entries, a 512 KiB
	 * reach, so 1000 pages are beyond it and the note names the leaves. */
	tlb_json = "{\"l1d_4k\":96,\"l1d_2m\":64,\"l2_4k\":128,\"l2_2m\":2048,\"l2_1g\":null,"
		   "\"source\":\"cpuid 0x80000005/6\"}";
	sec = run(&s, &m, 1000, 4);
	tlb = json_object_get(json_array_get(json_object_get(sec, "processes"), 0), "tlb");
	CHECK_EQ_U64(json_integer_value(json_object_get(tlb, "reach_4k")), 128 * 4096);
	CHECK(json_is_true(json_object_get(tlb, "beyond_reach")));
	CHECK(strstr(json_string_value(json_object_get(tlb, "geometry_note")),
		     "cpuid 0x80000005/6 reported 96 L1 and 128 L2") != NULL);
	json_decref(sec);
	fl_model_release(&m);

	/* No geometry (a guest with empty TLB leaves): no reach, no verdict, no
	 * finding, and the note says why. */
	tlb_json = "null";
	sec = run(&s, &m, 16384, 4);
	tlb = json_object_get(json_array_get(json_object_get(sec, "processes"), 0), "tlb");
	CHECK(json_is_null(json_object_get(tlb, "reach_4k")));
	CHECK(json_is_null(json_object_get(tlb, "beyond_reach")));
	CHECK(strstr(json_string_value(json_object_get(tlb, "geometry_note")),
		     "CPUID reported no data-TLB sizes") != NULL);
	CHECK_EQ_U64(json_array_size(json_object_get(sec, "findings")), 0);
	fl_report_ws_text(sec, dev);
	fclose(dev);
	json_decref(sec);
	fl_model_release(&m);
	synth_rm(&s);
	referenced_carried(1);
	referenced_carried(0);
	return check_result();
}
