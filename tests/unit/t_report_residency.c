/*
 * The residency walker: deltas ("tick" lines list only changed VMAs) are
 * replayed into the full state, lines with the same time form one step, and
 * a VMA the maps no longer hold drops out. Each page counts once: a row that
 * grew or merged replaces the rows it overlaps, and a VMA unmapped between
 * two ticks drops out even while the maps in force still list it.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "model/residency.h"

struct seen {
	int n;
	uint64_t t[8];
	int64_t present[8], shared[8];
};

static int step(const struct fl_res_state *s, void *ctx)
{
	struct seen *z = ctx;
	if (z->n < 8) {
		z->t[z->n] = s->t;
		z->present[z->n] = fl_res_sum(s, FL_RES_PRESENT, 0, UINT64_MAX);
		z->shared[z->n] = fl_res_sum(s, FL_RES_SHARED, 0x10000000, 0x10001000);
	}
	z->n++;
	return 0;
}

#define A "[\"0x10000000\",\"0x10010000\",\"rw-p\",\"0x0\",0,\"\"]"
#define B "[\"0x20000000\",\"0x20010000\",\"rw-p\",\"0x0\",0,\"\"]"
#define C "[\"0x30000000\",\"0x30010000\",\"rw-p\",\"0x0\",0,\"\"]"
#define RES(t, seq, regs) \
	"{\"e\":\"residency\",\"t\":" #t ",\"seq\":" #seq ",\"why\":\"tick\",\"method\":\"pagemap\"," \
	"\"vmas\":2,\"regions\":[" regs "]}"
#define REG(s, e, present, shared) "[\"" s "\",\"" e "\"," #present ",0,0,0," #shared ",0,-1,-1]"

/* A VMA that grew downwards (an mmap merged below it) and one munmap'd between ticks. */
static void test_merge_and_unmap(void)
{
	struct synth s;
	struct fl_model m;
	struct seen z = { 0 };
	synth_init(&s);
	synth_file(&s, "601");
	synth_header(&s, 601, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":[" A "," B "]}");
	synth_line(&s, RES(10, 3, REG("0x10000000", "0x10010000", 10, 0) "," REG("0x20000000", "0x20010000", 20, 0)));
	synth_line(&s, "{\"e\":\"mmap\",\"t\":12,\"seq\":4,\"tid\":601,\"addr\":\"0x0\",\"size\":65536,"
		   "\"prot\":3,\"flags\":34,\"fd\":-1,\"offset\":0,\"result\":\"0xfff0000\",\"errno\":0,\"stack\":0}");
	synth_line(&s, RES(20, 5, REG("0xfff0000", "0x10010000", 12, 0)));
	synth_line(&s, "{\"e\":\"munmap\",\"t\":25,\"seq\":6,\"tid\":601,\"addr\":\"0x20000000\","
		   "\"size\":65536,\"result\":0,\"errno\":0,\"stack\":0}");
	synth_line(&s, RES(30, 7, REG("0xfff0000", "0x10010000", 13, 0)));
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK(fl_res_walk(m.procs[0], step, &z) == 0);
	CHECK_EQ_U64(z.n, 3);
	CHECK_EQ_U64(z.present[0], 30);
	CHECK_EQ_U64(z.present[1], 32); /* the merged VMA once, not beside its old row */
	CHECK_EQ_U64(z.present[2], 13); /* B unmapped, though the maps still list it */
	fl_model_release(&m);
	synth_rm(&s);
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	struct seen z = { 0 };
	synth_init(&s);
	synth_file(&s, "600");
	synth_header(&s, 600, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":[" A "," B "]}");
	synth_line(&s, RES(10, 3, REG("0x10000000", "0x10010000", 10, 4) "," REG("0x20000000", "0x20010000", 20, 0)));
	synth_line(&s, RES(20, 4, REG("0x10000000", "0x10010000", 15, 3)));
	synth_line(&s, "{\"e\":\"maps\",\"t\":25,\"seq\":5,\"why\":\"changed\",\"vmas\":[" A "]}");
	synth_line(&s, RES(30, 6, REG("0x10000000", "0x10010000", 16, 2)));
	synth_line(&s, "{\"e\":\"maps\",\"t\":35,\"seq\":7,\"why\":\"changed\",\"vmas\":[" A "," C "]}");
	synth_line(&s, RES(40, 8, REG("0x10000000", "0x10010000", 17, 1)));
	synth_line(&s, RES(40, 9, REG("0x30000000", "0x30010000", 5, 0)));
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK(fl_res_walk(m.procs[0], step, &z) == 0);
	CHECK_EQ_U64(z.n, 4);
	CHECK_EQ_U64(z.t[0], 10);
	CHECK_EQ_U64(z.present[0], 30);
	CHECK_EQ_U64(z.present[1], 35); /* B unchanged, still counted */
	CHECK_EQ_U64(z.present[2], 16); /* B unmapped: gone */
	CHECK_EQ_U64(z.t[3], 40);
	CHECK_EQ_U64(z.present[3], 22); /* two lines, one step */
	CHECK_EQ_U64(z.shared[0], 4);
	CHECK_EQ_U64(z.shared[3], 1);
	fl_model_release(&m);
	synth_rm(&s);
	test_merge_and_unmap();
	return check_result();
}
