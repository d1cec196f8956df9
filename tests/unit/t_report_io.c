/*
 * I/O profiles and the compare verdict: a read() run against an mmap() run
 * of the same file; the verdict must follow the measured own times.
 */
#include <math.h>

#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/compare.h"
#include "reports/report_io.h"

static char big[1 << 18];

static void reader(struct synth *s, long long wall)
{
	synth_file(s, "400");
	synth_header(s, 400, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(s, "{\"e\":\"io\",\"t\":100,\"seq\":2,\"fds\":[[3,\"/data/f\",1000,65536000]]}");
	synth_line(s, "{\"e\":\"io\",\"t\":200,\"seq\":3,\"fds\":[[3,\"/data/f\",2049,134217728]]}");
	synth_line(s, "{\"e\":\"exit\",\"t\":%lld,\"seq\":4,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		      "\"ru_minflt\":40,\"ru_majflt\":0,\"ru_utime_ns\":1000,\"ru_stime_ns\":5000,"
		      "\"ru_maxrss_kb\":1}", wall);
}

static void mapper(struct synth *s, long long wall)
{
	size_t n = 0;
	synth_file(s, "500");
	synth_header(s, 500, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		      "[\"0x30000000\",\"0x38000000\",\"r--s\",\"0x0\",5,\"/data/f\"]]}");
	for (int i = 0; i < 2048; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s[\"0x%llx\",\"0x401000\",500,%d,0]",
				      i ? "," : "", 0x30000000ULL + i * 65536ULL, 10 + i);
	synth_line(s, "{\"e\":\"faults\",\"t\":50,\"seq\":3,\"period\":1,\"lost\":0,\"samples\":[%s]}",
		   big);
	synth_line(s, "{\"e\":\"residency\",\"t\":60,\"seq\":4,\"method\":\"pagemap\",\"regions\":["
		      "[\"0x30000000\",\"0x38000000\",32768,0,32768,0,0,0,-1,-1]]}");
	synth_line(s, "{\"e\":\"exit\",\"t\":%lld,\"seq\":5,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		      "\"ru_minflt\":2100,\"ru_majflt\":0,\"ru_utime_ns\":1000,\"ru_stime_ns\":3000,"
		      "\"ru_maxrss_kb\":1}", wall);
}

static json_t *compare(long long wall_read, long long wall_map)
{
	struct synth a, b;
	struct fl_model ma, mb;
	struct fl_io_profile pa, pb;
	synth_init(&a);
	synth_init(&b);
	reader(&a, wall_read);
	mapper(&b, wall_map);
	synth_close(&a);
	synth_close(&b);
	CHECK(fl_model_load(&ma, a.dir) == 0);
	CHECK(fl_model_load(&mb, b.dir) == 0);
	fl_io_profile(&ma, NULL, &pa);
	fl_io_profile(&mb, NULL, &pb);
	CHECK_EQ_U64(pa.read_calls, 2049);
	CHECK_EQ_U64(pa.read_bytes, 134217728);
	CHECK_EQ_U64(pa.wall_ns, (uint64_t)wall_read);
	CHECK_EQ_U64(pb.faults[FL_FC_CACHE_HIT], 2048);
	CHECK_EQ_U64(pb.file_pages_peak, 32768);
	CHECK_EQ_U64(pb.data_bytes, 134217728);
	struct fl_report_opts o;
	fl_report_opts_init(&o);
	json_t *c = fl_compare(&ma, &o, &mb, &o, "read", "mmap");
	fl_model_release(&ma);
	fl_model_release(&mb);
	synth_rm(&a);
	synth_rm(&b);
	return c;
}

int main(void)
{
	FILE *dev = fopen("/dev/null", "w");
	json_t *c = compare(200000000, 100000000), *v = json_object_get(c, "verdict");
	CHECK_STR(json_string_value(json_object_get(v, "faster")), "b");
	CHECK_STR(json_string_value(json_object_get(v, "mapping_run")), "b");
	CHECK(json_is_true(json_object_get(v, "trade_paid_off")));
	/* the mapper's own time starts at its first fault, 10 ns in */
	CHECK(fabs(json_real_value(json_object_get(v, "ratio")) - 2.0) < 1e-6);
	CHECK_EQ_U64(json_integer_value(json_object_get(v, "copies_saved_bytes")), 134217728);
	CHECK(strstr(json_string_value(json_object_get(v, "text")), "mmap was 2.00x faster"));
	json_t *pm = json_object_get(json_object_get(c, "b"), "faults_per_mib");
	CHECK(json_real_value(json_object_get(pm, "cache_hit")) == 16.0);
	fl_compare_text(c, dev, 10);
	json_decref(c);

	c = compare(100000000, 300000000);
	v = json_object_get(c, "verdict");
	CHECK_STR(json_string_value(json_object_get(v, "faster")), "a");
	CHECK(json_is_false(json_object_get(v, "trade_paid_off")));
	CHECK(strstr(json_string_value(json_object_get(v, "text")), "copies were cheaper"));
	json_decref(c);

	c = compare(100000000, 102000000);
	CHECK_STR(json_string_value(json_object_get(json_object_get(c, "verdict"), "faster")), "tie");
	json_decref(c);
	fclose(dev);
	return check_result();
}
