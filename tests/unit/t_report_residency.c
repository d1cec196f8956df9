/*
 * The residency walker: deltas ("tick" lines list only changed VMAs) are
 * replayed into the full state, lines with the same time form one step, and
 * a VMA the maps no longer hold drops out.
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
	return check_result();
}
