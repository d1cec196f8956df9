/*
 * Which pages a forked process inherited: the ones its parent had faulted
 * in before forking it, and its grandparent before forking the parent. Two
 * children of one parent, forked at different times, see different pages
 * inherited; a grandchild sees pages through either generation; a page an
 * ancestor faulted only after the fork came fresh.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "reports/report.h"
#include "reports/report_faults.h"

#define ANON 0x10000000ULL
#define PAGE_A(i) (ANON + (i)*4096ULL)		  /* root, before its first fork */
#define PAGE_B(i) (ANON + 0x100000 + (i)*4096ULL) /* root, between its forks */
#define PAGE_F(i) (ANON + 0x200000 + (i)*4096ULL) /* child 101, after forking 103 */
#define PAGE_D(i) (ANON + 0x300000 + (i)*4096ULL) /* nobody else's */

static char buf[1 << 14];

static void sample(unsigned long long addr, long long t)
{
	size_t n = strlen(buf);
	snprintf(buf + n, sizeof(buf) - n, "%s[\"0x%llx\",\"0x401000\",1,%lld,0]", n ? "," : "",
		 addr, t);
}

static void begin(struct synth *s, int pid, int ppid, long long parent_t, long long start)
{
	char name[16];
	snprintf(name, sizeof(name), "%d", pid);
	synth_file(s, name);
	synth_header(s, pid, ppid, ppid > 1 ? "fork" : "none", parent_t, start, NULL);
	synth_line(s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		      "[\"0x10000000\",\"0x20000000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	buf[0] = 0;
}

static void end(struct synth *s, long long t)
{
	synth_line(s,
		   "{\"e\":\"faults\",\"t\":%lld,\"seq\":10,\"period\":1,\"lost\":0,"
		   "\"samples\":[%s]}",
		   t, buf);
	synth_line(s,
		   "{\"e\":\"exit\",\"t\":%lld,\"seq\":11,\"how\":\"exit\",\"status\":0,"
		   "\"signal\":0,\"ru_minflt\":1,\"ru_majflt\":0,\"ru_utime_ns\":1,"
		   "\"ru_stime_ns\":1,\"ru_maxrss_kb\":1}",
		   t + 1);
}

static void fork_line(struct synth *s, long long t, int seq, int child)
{
	synth_line(
	    s, "{\"e\":\"fork\",\"t\":%lld,\"seq\":%d,\"tid\":1,\"child\":%d,\"kind\":\"fork\"}", t,
	    seq, child);
}

static void write_trace(struct synth *s)
{
	const long long rt = 1000000000000LL;
	begin(s, 100, 1, 0, rt); /* forks 101 at 1000 and 102 at 2000 */
	fork_line(s, 1000, 3, 101);
	fork_line(s, 2000, 4, 102);
	for (int i = 0; i < 10; i++)
		sample(PAGE_A(i), 100 + i);
	for (int i = 0; i < 10; i++)
		sample(PAGE_B(i), 1500 + i);
	sample(PAGE_A(0), 1600); /* written again after forking 101: copy-on-write */
	end(s, 3000);

	begin(s, 101, 100, 1000, rt + 1000); /* forks 103 at 500 */
	fork_line(s, 500, 3, 103);
	for (int i = 0; i < 5; i++)
		sample(PAGE_A(i), 100 + i);
	for (int i = 0; i < 10; i++)
		sample(PAGE_B(i), 200 + i);
	for (int i = 0; i < 5; i++)
		sample(PAGE_F(i), 600 + i);
	end(s, 900);

	begin(s, 102, 100, 2000, rt + 2000);
	for (int i = 0; i < 10; i++)
		sample(PAGE_A(i), 100 + i);
	for (int i = 0; i < 10; i++)
		sample(PAGE_B(i), 200 + i);
	end(s, 900);

	begin(s, 103, 101, 500, rt + 1500);
	for (int i = 5; i < 10; i++) /* through the grandparent only */
		sample(PAGE_A(i), 100 + i);
	for (int i = 0; i < 10; i++) /* through the parent only */
		sample(PAGE_B(i), 200 + i);
	for (int i = 0; i < 5; i++)
		sample(PAGE_F(i), 300 + i);
	for (int i = 0; i < 5; i++)
		sample(PAGE_D(i), 400 + i);
	end(s, 900);
	synth_close(s);
}

static long long count(json_t *sec, int pid, const char *cls)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(sec, "processes"), i, p) if (
	    json_integer_value(json_object_get(p, "pid")) ==
	    pid) return json_integer_value(json_object_get(json_object_get(json_object_get(p,
											   "by_"
											   "class"),
									   cls),
							   "faults"));
	return -1;
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	struct fl_report_opts o;
	synth_init(&s);
	write_trace(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK_EQ_U64(m.nprocs, 4);
	fl_report_opts_init(&o);
	o.syms = NULL;
	json_t *sec = fl_report_faults(&m, &o);
	CHECK_EQ_U64(count(sec, 100, "zero_fill"), 20);
	CHECK_EQ_U64(count(sec, 100, "cow"), 1);
	/* forked before the root wrote its B pages */
	CHECK_EQ_U64(count(sec, 101, "cow"), 5);
	CHECK_EQ_U64(count(sec, 101, "zero_fill"), 15);
	/* forked after: every page it touches was the root's */
	CHECK_EQ_U64(count(sec, 102, "cow"), 20);
	CHECK_EQ_U64(count(sec, 102, "zero_fill"), 0);
	/* A5-9 from the grandparent, B from the parent; F only after, D nobody's */
	CHECK_EQ_U64(count(sec, 103, "cow"), 15);
	CHECK_EQ_U64(count(sec, 103, "zero_fill"), 10);
	json_decref(sec);
	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
