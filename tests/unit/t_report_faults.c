/*
 * The fault classifier and the faults and COW reports on a synthetic parent
 * and forked child whose every sample's class is known by construction.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_cow.h"
#include "reports/report_faults.h"

#define ANON 0x10000000ULL
#define FILEV 0x30000000ULL
#define STACK 0x7ff000000000ULL
#define SHIM 0x40000000ULL

#define MAPS                                                                                       \
	"{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["                           \
	"[\"0x10000000\",\"0x20000000\",\"rw-p\",\"0x0\",0,\"\"],"                                 \
	"[\"0x30000000\",\"0x31000000\",\"r--s\",\"0x0\",5,\"/data/f\"],"                          \
	"[\"0x40000000\",\"0x40100000\",\"rw-p\",\"0x0\",0,\"\"],"                                 \
	"[\"0x7ff000000000\",\"0x7ff000021000\",\"rw-p\",\"0x0\",0,\"[stack]\"]],"                 \
	"\"shim\":[[\"0x40000000\",\"0x40100000\"]]}"

/* Appends one sample "[addr, ip, tid, t, major]" to buf. */
static void sample(char *buf, size_t len, unsigned long long addr, long long t, int major)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s[\"0x%llx\",\"0x401000\",100,%lld,%d]", n ? "," : "", addr, t,
		 major);
}

static char big[1 << 16];

static void write_parent(struct synth *s)
{
	int i;
	synth_file(s, "100");
	synth_header(s, 100, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(s, MAPS);
	big[0] = 0;
	for (i = 0; i < 100; i++) /* demand-zero first touches */
		sample(big, sizeof(big), ANON + i * 4096ULL, 100 + i, 0);
	for (i = 0; i < 10; i++) /* page-cache hits */
		sample(big, sizeof(big), FILEV + i * 65536ULL, 300 + i, 0);
	for (i = 0; i < 20; i++) /* disk */
		sample(big, sizeof(big), FILEV + 0x800000 + i * 4096ULL, 400 + i, 1);
	for (i = 0; i < 3; i++) /* swap-in */
		sample(big, sizeof(big), ANON + 0x200000 + i * 4096ULL, 500 + i, 1);
	for (i = 1; i <= 300; i++) /* below [stack] */
		sample(big, sizeof(big), STACK - i * 4096ULL, 600 + i, 0);
	for (i = 0; i < 2; i++) /* the shim's buffers */
		sample(big, sizeof(big), SHIM + i * 4096ULL, 700 + i, 0);
	synth_line(
	    s, "{\"e\":\"faults\",\"t\":900,\"seq\":3,\"period\":1,\"lost\":0,\"samples\":[%s]}",
	    big);
	synth_line(
	    s, "{\"e\":\"fork\",\"t\":1000,\"seq\":4,\"tid\":100,\"child\":101,\"kind\":\"fork\"}");
	big[0] = 0;
	for (i = 0; i < 4; i++) /* the parent writes pages shared at fork */
		sample(big, sizeof(big), ANON + i * 4096ULL, 1500 + i, 0);
	synth_line(
	    s, "{\"e\":\"faults\",\"t\":1900,\"seq\":5,\"period\":1,\"lost\":0,\"samples\":[%s]}",
	    big);
	synth_line(s, "{\"e\":\"counters\",\"t\":2000,\"seq\":6,\"minflt\":100,\"majflt\":8,"
		      "\"ru_minflt\":400,\"ru_majflt\":8,\"dtlb_load_misses\":null,"
		      "\"dtlb_store_misses\":null,\"rss_anon\":1,\"rss_file\":1,\"rss_shmem\":0,"
		      "\"vsz\":1,\"swap\":0,\"pte_bytes\":8192,\"stack_vma\":1,\"committed_as\":1,"
		      "\"commit_limit\":2,\"oom_score\":666,\"tracking_faults\":0}");
	synth_line(
	    s, "{\"e\":\"exit\",\"t\":3000,\"seq\":7,\"how\":\"exit\",\"status\":0,\"signal\":0,"
	       "\"ru_minflt\":400,\"ru_majflt\":8,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
	       "\"ru_maxrss_kb\":1}");
}

static void write_child(struct synth *s)
{
	int i;
	synth_file(s, "101");
	synth_header(s, 101, 100, "fork", 1000, 1000000001000LL, NULL);
	synth_line(s, MAPS);
	synth_line(s, "{\"e\":\"residency\",\"t\":10,\"seq\":3,\"method\":\"pagemap\",\"regions\":["
		      "[\"0x10000000\",\"0x20000000\",100,0,0,0,100,0,-1,-1]]}");
	big[0] = 0;
	for (i = 10; i < 30; i++) /* copy-on-write: pages the parent had before the fork */
		sample(big, sizeof(big), ANON + i * 4096ULL, 100 + i, 0);
	for (i = 0; i < 5; i++) /* fresh pages */
		sample(big, sizeof(big), ANON + 0x1000000 + i * 4096ULL, 200 + i, 0);
	synth_line(
	    s, "{\"e\":\"faults\",\"t\":500,\"seq\":4,\"period\":1,\"lost\":0,\"samples\":[%s]}",
	    big);
	synth_line(s,
		   "{\"e\":\"residency\",\"t\":600,\"seq\":5,\"method\":\"pagemap\",\"regions\":["
		   "[\"0x10000000\",\"0x20000000\",105,0,0,25,80,0,-1,-1]]}");
	/* 60 faults before perf started, 15 in the shim's own reads: of the
	 * 140 getrusage counted, 140 - 60 - 25 - 15 = 40 are the program's
	 * kernel-mode faults */
	synth_line(s, "{\"e\":\"counters\",\"t\":650,\"seq\":6,\"minflt\":25,\"majflt\":0,"
		      "\"ru_minflt\":140,\"ru_majflt\":0,\"ru_minflt_base\":60,"
		      "\"shim_kernel_minflt\":15,\"shim_threads\":1}");
	synth_line(s,
		   "{\"e\":\"exit\",\"t\":700,\"seq\":7,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		   "\"ru_minflt\":150,\"ru_majflt\":0,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
		   "\"ru_maxrss_kb\":1}");
}

static json_t *proc_of(json_t *sec, int pid)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(sec, "processes"), i,
			   p) if (json_integer_value(json_object_get(p, "pid")) == pid) return p;
	return NULL;
}

static long long cls(json_t *p, const char *name)
{
	return json_integer_value(
	    json_object_get(json_object_get(json_object_get(p, "by_class"), name), "faults"));
}

static int has_finding(json_t *sec, const char *id)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(sec, "findings"), i,
			   f) if (!strcmp(json_string_value(json_object_get(f, "id")), id) &&
				  json_string_value(json_object_get(f, "explain"))[0]) return 1;
	return 0;
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	struct fl_report_opts o;
	synth_init(&s);
	write_parent(&s);
	write_child(&s);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK_EQ_U64(m.nprocs, 2);
	fl_report_opts_init(&o);
	o.syms = NULL;

	json_t *sec = fl_report_faults(&m, &o);
	json_t *p = proc_of(sec, 100), *c = proc_of(sec, 101);
	CHECK(p && c);
	CHECK_EQ_U64(cls(p, "zero_fill"), 100);
	CHECK_EQ_U64(cls(p, "cache_hit"), 10);
	CHECK_EQ_U64(cls(p, "disk"), 20);
	CHECK_EQ_U64(cls(p, "swap_in"), 3);
	CHECK_EQ_U64(cls(p, "stack_growth"), 300);
	CHECK_EQ_U64(cls(p, "shim"), 2);
	CHECK_EQ_U64(cls(p, "cow"), 4);
	CHECK_EQ_U64(json_integer_value(json_object_get(p, "faults")), 437); /* shim left out */
	CHECK_EQ_U64(cls(c, "cow"), 20);
	CHECK_EQ_U64(cls(c, "zero_fill"), 5);
	/* the gap between getrusage and perf is named */
	json_t *cnt = json_object_get(p, "counts");
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "gap_minor")), 300);
	CHECK(has_finding(sec, "faults.perf_gap"));
	/* the child's gap is its own: not the faults before perf started,
	 * not the shim's kernel-mode copies */
	cnt = json_object_get(c, "counts");
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "gap_minor")), 40);
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "shim_kernel_minflt")), 15);
	CHECK(has_finding(sec, "faults.disk"));
	CHECK(has_finding(sec, "faults.stack_growth"));
	/* faultline itself, apart: its sampled faults plus its kernel-mode ones,
	 * its 1 MiB buffer, its sampler thread where the trace says so */
	json_t *sp = json_object_get(p, "faultline"), *sc = json_object_get(c, "faultline");
	CHECK_EQ_U64(json_integer_value(json_object_get(sp, "faults")), 2);
	CHECK_EQ_U64(json_integer_value(json_object_get(sp, "mapped_bytes")), 1 << 20);
	CHECK(json_is_null(json_object_get(sp, "threads")));
	CHECK_EQ_U64(json_integer_value(json_object_get(sc, "faults")), 15);
	CHECK_EQ_U64(json_integer_value(json_object_get(sc, "threads")), 1);
	char line[256] = "";
	FILE *mf = fmemopen(line, sizeof(line) - 1, "w");
	fl_report_shim_text(sc, mf, "");
	fclose(mf);
	CHECK(!strcmp(line, "faultline itself: 15 faults, 1.00 MiB mapped, 1 thread\n"));
	/* a shim with no thread of its own (trace version 3) says nothing of threads */
	json_object_set_new(sc, "threads", json_integer(0));
	mf = fmemopen(line, sizeof(line) - 1, "w");
	fl_report_shim_text(sc, mf, "");
	fclose(mf);
	CHECK(!strcmp(line, "faultline itself: 15 faults, 1.00 MiB mapped\n"));
	/* the stack-growth VMA row is the stack */
	size_t i;
	json_t *r;
	int stack_row = 0;
	json_array_foreach(json_object_get(p, "by_vma"), i,
			   r) if (!strcmp(json_string_value(json_object_get(r, "path")), "[stack]"))
	    stack_row = json_integer_value(
			    json_object_get(json_object_get(r, "by_class"), "stack_growth")) == 300;
	CHECK(stack_row);
	/* the text renderer runs on it */
	FILE *dev = fopen("/dev/null", "w");
	fl_report_faults_text(sec, dev);
	json_decref(sec);

	sec = fl_report_cow(&m, &o);
	json_t *k = json_array_get(json_object_get(sec, "forks"), 0);
	CHECK(k != NULL);
	CHECK_EQ_U64(json_integer_value(json_object_get(k, "shared_at_fork")), 100);
	CHECK_EQ_U64(json_integer_value(json_object_get(k, "copied_by_child")), 20);
	CHECK_EQ_U64(json_integer_value(json_object_get(k, "copied_by_parent")), 4);
	CHECK_EQ_U64(json_integer_value(json_object_get(k, "shared_end")), 80);
	CHECK_EQ_U64(json_integer_value(json_object_get(k, "bytes_copied")), 24 * 4096);
	CHECK(json_real_value(json_object_get(k, "copied_by_child_pct")) == 20.0);
	CHECK(json_is_false(json_object_get(k, "fork_exec")));
	CHECK(json_array_size(json_object_get(k, "by_vma")) == 1);
	CHECK(json_array_size(json_object_get(k, "over_time")) == 2);
	CHECK(has_finding(sec, "cow.copied"));
	fl_report_cow_text(sec, dev);
	json_decref(sec);
	fclose(dev);

	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
