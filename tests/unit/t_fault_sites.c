/*
 * The classifier finds each sample's allocation block by a sweep over time;
 * its answer must be the one of the per-sample query fl_faults_site_at (the
 * interval map), the oracle here. The heap is made hard on purpose: blocks
 * overlap while live (a free missed), share start addresses, straddle pages,
 * have size 0, span many pages, live to the end, and samples fall at the
 * very times of allocs and frees.
 */
#include "check.h"
#include "synth.h"
#include "model/model.h"
#include "analysis/fault_class.h"
#include "analysis/fault_summary.h"
#include "model/heap_fold.h"

#define REGION 0x10000000ULL
#define PAGES 64

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define MAXLIVE 4096

static char buf[1 << 16];

/* Each sample's site from the classifier's sweep against the per-address lookup. */
struct site_check {
	const struct fl_proc *p;
	size_t n, nsite, bad;
	uint32_t *want; /* each sample's site by the lookup, before the fold; NULL after it */
};

static void check_site(void *ctx, const struct fl_fault *f, const struct fl_fault_info *fi)
{
	struct site_check *k = ctx;
	uint32_t want = fl_faults_site_at(k->p, f->addr, f->t);
	if (!k->p->heap_folded)
		k->want[k->n] = want;
	else /* the blocks are gone: the answer taken before the fold */
		want = k->want[k->n];
	k->n++;
	CHECK(fi->cls != FL_FC_UNKNOWN && fi->cls != FL_FC_SHIM);
	if (fi->site != want && !k->bad++)
		fprintf(stderr, "sample %zu (0x%llx at %llu): site %u, want %u\n", k->n - 1,
			(unsigned long long)f->addr, (unsigned long long)f->t, fi->site, want);
	k->nsite += want != 0;
}

int main(void)
{
	struct synth s;
	struct fl_model m;
	unsigned long long live[MAXLIVE], lsize[MAXLIVE];
	size_t nlive = 0, nsamples = 0, nsite = 0, nover = 0;
	long long t = 10, seq = 3;
	synth_init(&s);
	synth_file(&s, "100");
	synth_header(&s, 100, 1, "none", 0, 1000000000000LL, NULL);
	synth_line(&s, "{\"e\":\"maps\",\"t\":1,\"seq\":2,\"why\":\"start\",\"vmas\":["
		       "[\"0x10000000\",\"0x10100000\",\"rw-p\",\"0x0\",0,\"\"]]}");
	for (int step = 0; step < 6000; step++) {
		unsigned long long r = next() % 100;
		if (r < 45 && nlive < MAXLIVE) {
			unsigned long long a, sz;
			unsigned long long k = next() % 10;
			if (k == 0 && nlive) /* the same start as a live block */
				a = live[next() % nlive];
			else
				a = REGION + (next() % (PAGES * 4096ULL)) / 16 * 16;
			sz = k == 1   ? 0
			     : k == 2 ? 4096 * (3 + next() % 6)
			     : k == 3 ? 4096 + next() % 4096
				      : 8 + next() % 400;
			synth_line(
			    &s,
			    "{\"e\":\"alloc\",\"t\":%lld,\"seq\":%lld,\"tid\":100,\"fn\":"
			    "\"malloc\","
			    "\"addr\":\"0x%llx\",\"size\":%llu,\"stack\":%llu,\"weight\":%llu}",
			    t, seq++, a, sz, 1 + next() % 50, sz);
			live[nlive] = a;
			lsize[nlive++] = sz;
		} else if (r < 80 && nlive) {
			size_t i = next() % nlive;
			synth_line(&s,
				   "{\"e\":\"free\",\"t\":%lld,\"seq\":%lld,\"tid\":100,\"addr\":"
				   "\"0x%llx\","
				   "\"size\":%llu}",
				   t, seq++, live[i], lsize[i]);
			live[i] = live[--nlive];
			lsize[i] = lsize[nlive];
		} else {
			int n = 1 + (int)(next() % 12);
			buf[0] = 0;
			for (int j = 0; j < n; j++) {
				size_t len = strlen(buf);
				unsigned long long a = REGION + next() % (PAGES * 4096ULL);
				if (nlive && next() % 2) /* inside or at the edge of a live block */
					a = live[next() % nlive] + next() % 512;
				snprintf(buf + len, sizeof(buf) - len,
					 "%s[\"0x%llx\",\"0x401000\",100,%lld,0]", len ? "," : "",
					 a, t + (long long)(next() % 3));
			}
			synth_line(
			    &s,
			    "{\"e\":\"faults\",\"t\":%lld,\"seq\":%lld,\"period\":1,\"lost\":0,"
			    "\"samples\":[%s]}",
			    t + 2, seq++, buf);
			nsamples += (size_t)n;
		}
		t += (long long)(next() % 3); /* often the same t as the line before */
	}
	synth_line(&s,
		   "{\"e\":\"exit\",\"t\":%lld,\"seq\":%lld,\"how\":\"exit\",\"status\":0,"
		   "\"signal\":0,\"ru_minflt\":1,\"ru_majflt\":0,\"ru_utime_ns\":1,"
		   "\"ru_stime_ns\":1,\"ru_maxrss_kb\":1}",
		   t + 10, seq);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK_EQ_U64(m.nprocs, 1);
	const struct fl_proc *p = m.procs[0];
	CHECK_EQ_U64(p->nfaults, nsamples);
	CHECK(p->nblocks > 1000);

	struct site_check k = {p, 0, 0, 0, calloc(nsamples + 1, sizeof(uint32_t))};
	fl_faults_classify_each(&m, p, check_site, &k);
	CHECK_EQ_U64(k.n, nsamples);
	CHECK(k.bad == 0);
	nsite = k.nsite;
	/* Live blocks overlapping one another at some sample time: the hard case occurred. */
	for (size_t i = 0; i < p->nblocks && !nover; i++)
		for (size_t j = i + 1; j < p->nblocks && p->blocks[j].t_alloc < p->blocks[i].t_free;
		     j++)
			if (p->blocks[j].addr <
				p->blocks[i].addr + fl_block_size(p, &p->blocks[i]) &&
			    p->blocks[i].addr < p->blocks[j].addr + fl_block_size(p, &p->blocks[j]))
				nover++;
	CHECK(nover > 0);
	/* Most samples were aimed at live blocks: a good share must have a site. */
	CHECK(nsite > nsamples / 4);

	/* Folded, the model holds the live blocks only, and every block's span
	 * for the classifier, which answers as before; once the samples are
	 * classified the spans go too. */
	size_t recorded = p->nblocks, still_live = 0;
	for (size_t i = 0; i < p->nblocks; i++)
		still_live += p->blocks[i].t_free == FL_T_NEVER;
	fl_proc_heap_fold((struct fl_proc *)p);
	CHECK_EQ_U64(p->nblocks, still_live);
	CHECK(still_live < recorded / 2);
	CHECK_EQ_U64(p->nspans, recorded);
	k.n = k.nsite = k.bad = 0;
	fl_faults_classify_each(&m, p, check_site, &k);
	CHECK_EQ_U64(k.n, nsamples);
	CHECK(k.bad == 0);
	CHECK_EQ_U64(k.nsite, nsite);
	CHECK(fl_faults_summary(&m, p) != NULL);
	CHECK(p->spans == NULL && p->nspans == 0);
	free(k.want);
	fl_model_release(&m);
	synth_rm(&s);
	return check_result();
}
