/*
 * The classifier's page table over many pages (its table doubles several
 * times): every page's first sample is its first fault and a later one is
 * not, and the block under each sample is the one the per-address lookup
 * (fl_faults_site_at) finds, though blocks entered the table before it grew.
 */
#include "analysis/fault_class.h"
#include "check.h"
#include "model/model.h"
#include "synth.h"

#define REGION 0x10000000ULL
#define NPAGES 12000 /* the table starts at 1024 entries */
#define PER_LINE 50

struct pass_check {
	const struct fl_proc *p;
	size_t n, first, site, bad_site;
};

static void check_sample(void *ctx, const struct fl_fault *f, const struct fl_fault_info *fi)
{
	struct pass_check *k = ctx;
	/* pass 1 (the first NPAGES samples) touches each page once; pass 2 again */
	CHECK_EQ_U64(fi->first, k->n < NPAGES);
	k->first += fi->first;
	k->site += fi->site != 0;
	k->bad_site += fi->site != fl_faults_site_at(k->p, f->addr, f->t);
	k->n++;
}

static void samples(struct synth *s, long long *t, long long *seq, size_t pass)
{
	char buf[PER_LINE * 48 + 1];
	for (size_t i = 0; i < NPAGES; i += PER_LINE) {
		size_t len = 0;
		buf[0] = 0;
		for (size_t j = i; j < i + PER_LINE && j < NPAGES; j++) {
			/* pages in a scattered order, a different one each pass */
			size_t pg = (j * (pass ? 7919 : 104729)) % NPAGES;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s[\"0x%llx\",\"0x401000\",100,%lld,0]",
						len ? "," : "", REGION + pg * 4096ULL + 128, *t);
		}
		synth_line(s,
			   "{\"e\":\"faults\",\"t\":%lld,\"seq\":%lld,\"period\":1,\"lost\":0,"
			   "\"samples\":[%s]}",
			   *t, (*seq)++, buf);
		*t += 1;
	}
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	long long t = 10, seq = 3;
	synth_init(&s);
	synth_file(&s, "100");
	synth_header(&s, 100, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s,
		   "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		   "[\"0x10000000\",\"0x%llx\",\"rw-p\",\"0x0\",0,\"\"]]}",
		   REGION + NPAGES * 4096ULL);
	/* a small block on every third page, live to the end */
	for (size_t pg = 0; pg < NPAGES; pg += 3)
		synth_line(&s,
			   "{\"e\":\"alloc\",\"t\":%lld,\"seq\":%lld,\"tid\":100,\"fn\":\"malloc\","
			   "\"addr\":\"0x%llx\",\"size\":256,\"stack\":%zu,\"weight\":256}",
			   t, seq++, REGION + pg * 4096ULL + 64, 1 + pg % 40);
	t += 5;
	samples(&s, &t, &seq, 0);
	samples(&s, &t, &seq, 1);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK_EQ_U64(m.nprocs, 1);
	const struct fl_proc *p = m.procs[0];
	CHECK_EQ_U64(p->nfaults, 2 * NPAGES);
	struct pass_check k = {p, 0, 0, 0, 0};
	fl_faults_classify_each(&m, p, check_sample, &k);
	CHECK_EQ_U64(k.n, 2 * NPAGES);
	CHECK_EQ_U64(k.first, NPAGES);
	CHECK_EQ_U64(k.site, 2 * ((NPAGES + 2) / 3)); /* every sample on a block's page */
	CHECK_EQ_U64(k.bad_site, 0);
	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
