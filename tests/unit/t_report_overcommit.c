/*
 * The overcommit report on a synthetic trace: a 1000-page block of which
 * 100 pages are touched, reserved when Committed_AS was already high enough
 * that strict mode would refuse it.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_overcommit.h"

#define BLOCK 0x7f0000000000ULL
#define PAGES 1000

static char big[1 << 16];

int main(void)
{
	struct synth s;
	struct fl_model m;
	struct fl_report_opts o;
	size_t n = 0;
	synth_init(&s);
	synth_file(&s, "200");
	synth_header(&s, 200, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		       "[\"0x7f0000000000\",\"0x7f00003e9000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	synth_line(&s, "{\"e\":\"counters\",\"t\":5,\"seq\":3,\"minflt\":0,\"majflt\":0,"
		       "\"ru_minflt\":0,\"ru_majflt\":0,\"dtlb_load_misses\":null,"
		       "\"dtlb_store_misses\":null,\"rss_anon\":0,\"rss_file\":0,\"rss_shmem\":0,"
		       "\"vsz\":0,\"swap\":0,\"pte_bytes\":0,\"stack_vma\":0,"
		       "\"committed_as\":3000000,\"commit_limit\":5000000,\"oom_score\":600,"
		       "\"tracking_faults\":0}");
	synth_line(&s, "{\"e\":\"stack\",\"t\":9,\"seq\":4,\"id\":1,\"frames\":[\"0x401234\"]}");
	synth_line(&s,
		   "{\"e\":\"alloc\",\"t\":10,\"seq\":5,\"tid\":200,\"fn\":\"malloc\","
		   "\"addr\":\"0x7f0000000010\",\"size\":%d,\"stack\":1,\"weight\":%d}",
		   PAGES * 4096, PAGES * 4096);
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "%s[\"0x%llx\",\"0x401000\",200,%d,0]", i ? "," : "",
				      BLOCK + 0x10 + i * 4096ULL, 20 + i);
	synth_line(
	    &s, "{\"e\":\"faults\",\"t\":200,\"seq\":6,\"period\":1,\"lost\":0,\"samples\":[%s]}",
	    big);
	synth_line(&s,
		   "{\"e\":\"counters\",\"t\":300,\"seq\":7,\"minflt\":100,\"majflt\":0,"
		   "\"ru_minflt\":100,\"ru_majflt\":0,\"dtlb_load_misses\":null,"
		   "\"dtlb_store_misses\":null,\"rss_anon\":409600,\"rss_file\":0,\"rss_shmem\":0,"
		   "\"vsz\":4100000,\"swap\":0,\"pte_bytes\":0,\"stack_vma\":0,"
		   "\"committed_as\":7096000,\"commit_limit\":5000000,\"oom_score\":610,"
		   "\"tracking_faults\":0}");
	synth_line(&s,
		   "{\"e\":\"exit\",\"t\":400,\"seq\":8,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		   "\"ru_minflt\":100,\"ru_majflt\":0,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
		   "\"ru_maxrss_kb\":1}");
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	fl_report_opts_init(&o);
	o.syms = NULL;

	/* without residency: touched comes from the first-touch samples */
	json_t *sec = fl_report_overcommit(&m, &o);
	json_t *p = json_array_get(json_object_get(sec, "processes"), 0);
	CHECK(p != NULL);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "reserved")), PAGES * 4096);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "touched")), 100 * 4096);
	CHECK(json_real_value(json_object_get(p, "touched_pct")) == 10.0);
	CHECK_STR(json_string_value(json_object_get(p, "touched_from")), "fault_samples");
	json_t *site = json_array_get(json_object_get(p, "by_site"), 0);
	CHECK_EQ_U64(json_integer_value(json_object_get(site, "stack")), 1);
	CHECK_EQ_U64(json_integer_value(json_object_get(site, "strict_refused")), 1);
	CHECK_EQ_U64(json_array_size(json_object_get(p, "strict_refused")), 1);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "committed_as_peak")), 7096000);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "oom_score_peak")), 610);
	CHECK_STR(json_string_value(json_object_get(p, "mode_name")), "heuristic");
	size_t i;
	json_t *f;
	int strict = 0, limit = 0;
	json_array_foreach(json_object_get(sec, "findings"), i, f)
	{
		const char *id = json_string_value(json_object_get(f, "id"));
		strict |= !strcmp(id, "overcommit.strict_refusal");
		/* the heuristic mode does not enforce CommitLimit: information */
		if (!strcmp(id, "overcommit.commit_limit"))
			limit |= !strcmp(json_string_value(json_object_get(f, "severity")), "info");
	}
	CHECK(strict && limit);
	FILE *dev = fopen("/dev/null", "w");
	fl_report_overcommit_text(sec, dev);
	fclose(dev);
	json_decref(sec);
	fl_model_release(&m);

	/* with residency, the peak resident pages win */
	synth_file(&s, "200");
	synth_header(&s, 200, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s,
		   "{\"e\":\"alloc\",\"t\":10,\"seq\":5,\"tid\":200,\"fn\":\"malloc\","
		   "\"addr\":\"0x7f0000000000\",\"size\":%d,\"stack\":1,\"weight\":%d}",
		   PAGES * 4096, PAGES * 4096);
	synth_line(&s,
		   "{\"e\":\"residency\",\"t\":50,\"seq\":6,\"method\":\"pagemap\",\"regions\":["
		   "[\"0x7f0000000000\",\"0x7f00003e8000\",250,0,0,250,0,0,-1,-1]]}");
	synth_line(&s,
		   "{\"e\":\"residency\",\"t\":60,\"seq\":7,\"method\":\"pagemap\",\"regions\":["
		   "[\"0x7f0000000000\",\"0x7f00003e8000\",200,0,0,200,0,0,-1,-1]]}");
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	sec = fl_report_overcommit(&m, &o);
	p = json_array_get(json_object_get(sec, "processes"), 0);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "touched")), 250 * 4096);
	CHECK_STR(json_string_value(json_object_get(p, "touched_from")), "residency");
	json_decref(sec);
	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
