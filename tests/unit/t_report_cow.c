/*
 * The COW report counts each side's copies by page frame over the whole
 * window of a fork: a region's `moved` column only grows while its memory
 * stays, so what a region had copied is kept when the region grows (counted
 * once) or goes, and the pages copied after the last residency step that
 * read a region and before it was unmapped come from the COW fault samples
 * (labelled). Synthetic: the parent copies 300 pages by the first tick, its
 * region grows (350 copied by then), it copies 150 more, and unmaps the
 * region before another tick: 500 pages copied, 150 of them unread.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_cow.h"

#define R0 0x7f0000010000ULL /* the region at fork: 1000 pages */
#define RG 0x7f0000000000ULL /* where it starts after growing down 16 pages */
#define REND (R0 + 1000 * 4096ULL)
#define ROW(s, e, excl, shared, moved)                                                             \
	"[\"" s "\",\"" e "\"," #excl "+" #shared ",0,0," #excl "," #shared ",0,-1,-1," #moved "]"

static char big[1 << 16];

/* Sampled faults (period 2) at every other page of [from, to), times t0 on. */
static size_t samples(size_t n, int pid, int from, int to, int t0)
{
	for (int pg = from; pg < to; pg += 2)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "%s[\"0x%llx\",\"0x401000\",%d,%d,0]", n ? "," : "",
				      R0 + pg * 4096ULL, pid, t0 + (pg - from) / 8);
	return n;
}

static void residency(struct synth *s, int t, int seq, const char *why, const char *rows)
{
	synth_line(s,
		   "{\"e\":\"residency\",\"t\":%d,\"seq\":%d,\"why\":\"%s\",\"method\":\"pagemap\","
		   "\"vmas\":1,\"regions\":[%s]}",
		   t, seq, why, rows);
}

static void region_row(char *b, size_t len, unsigned long long start, int excl, int shared,
		       int moved)
{
	snprintf(b, len, "[\"0x%llx\",\"0x%llx\",%d,0,0,%d,%d,0,-1,-1,%d]", start, REND,
		 excl + shared, excl, shared, moved);
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	struct fl_report_opts o;
	char row[256];
	size_t n;
	synth_init(&s);
	synth_file(&s, "300");
	synth_header(&s, 300, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s,
		   "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		   "[\"0x%llx\",\"0x%llx\",\"rw-p\",\"0x0\",0,\"\"]]}",
		   R0, REND);
	synth_line(
	    &s, "{\"e\":\"fork\",\"t\":100,\"seq\":3,\"tid\":300,\"child\":301,\"kind\":\"fork\"}");
	region_row(row, sizeof(row), R0, 0, 1000, 0);
	residency(&s, 110, 4, "fork", row);
	n = samples(0, 300, 0, 300, 150);
	synth_line(
	    &s, "{\"e\":\"faults\",\"t\":199,\"seq\":5,\"period\":2,\"lost\":0,\"samples\":[%s]}",
	    big);
	region_row(row, sizeof(row), R0, 300, 700, 300);
	residency(&s, 200, 6, "tick", row);
	synth_line(
	    &s,
	    "{\"e\":\"mmap\",\"t\":205,\"seq\":7,\"tid\":300,\"addr\":\"0x0\",\"size\":65536,"
	    "\"prot\":3,\"flags\":34,\"fd\":-1,\"offset\":0,\"result\":\"0x%llx\",\"errno\":0,"
	    "\"stack\":0}",
	    RG);
	n = samples(0, 300, 300, 350, 201);
	synth_line(
	    &s, "{\"e\":\"faults\",\"t\":229,\"seq\":8,\"period\":2,\"lost\":0,\"samples\":[%s]}",
	    big);
	region_row(row, sizeof(row), RG, 350, 650, 350);
	residency(&s, 230, 9, "tick", row);
	n = samples(0, 300, 350, 500, 231);
	synth_line(
	    &s, "{\"e\":\"faults\",\"t\":259,\"seq\":10,\"period\":2,\"lost\":0,\"samples\":[%s]}",
	    big);
	synth_line(&s,
		   "{\"e\":\"munmap\",\"t\":260,\"seq\":11,\"tid\":300,\"addr\":\"0x%llx\","
		   "\"size\":%llu,\"result\":0,\"errno\":0,\"stack\":0}",
		   RG, REND - RG);
	residency(&s, 300, 12, "tick", "");
	synth_line(
	    &s, "{\"e\":\"exit\",\"t\":600,\"seq\":13,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		"\"ru_minflt\":1,\"ru_majflt\":0,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
		"\"ru_maxrss_kb\":1}");
	(void)n;

	synth_file(&s, "301");
	synth_header(&s, 301, 300, "fork", 100, 1000000000100LL, NULL);
	synth_line(&s,
		   "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		   "[\"0x%llx\",\"0x%llx\",\"rw-p\",\"0x0\",0,\"\"]]}",
		   R0, REND);
	region_row(row, sizeof(row), R0, 0, 1000, 0);
	residency(&s, 5, 3, "fork", row);
	region_row(row, sizeof(row), R0, 350, 650, 0);
	residency(&s, 300, 4, "tick", row);
	synth_line(&s,
		   "{\"e\":\"exit\",\"t\":400,\"seq\":5,\"how\":\"exit\",\"status\":0,\"signal\":0,"
		   "\"ru_minflt\":1,\"ru_majflt\":0,\"ru_utime_ns\":1,\"ru_stime_ns\":1,"
		   "\"ru_maxrss_kb\":1}");
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	fl_report_opts_init(&o);
	o.syms = NULL;

	json_t *sec = fl_report_cow(&m, &o);
	json_t *f = json_array_get(json_object_get(sec, "forks"), 0);
	CHECK(f != NULL);
	CHECK(json_is_true(json_object_get(f, "child_traced")));
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "shared_at_fork")), 1000);
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "copied_by_child")), 0);
	/* the child's side of the parent's 350 copies read at its last step */
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "child_private_end")), 350);
	/* 350 read by frame (the grown row counted once), 150 after the last read */
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "copied_by_parent")), 500);
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "copied_by_parent_unread")), 150);
	CHECK_STR(json_string_value(json_object_get(f, "copied_method")), "pfn+fault_samples");
	json_t *v = json_array_get(json_object_get(f, "by_vma"), 0);
	CHECK_EQ_U64(json_integer_value(json_object_get(v, "copied_by_parent")), 500);
	CHECK_EQ_U64(json_integer_value(json_object_get(f, "bytes_copied")), 500 * 4096);
	json_decref(sec);
	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
