/*
 * The counters store: every line comes back exactly as added (extremes and
 * unknowns included), in time order when lines came out of order (as the
 * loader's sort of the array put them), and a loaded trace's counters take
 * a few bytes a line, not a struct each: the store is what keeps the
 * analyzer's memory from growing 200 B with every tick (doc/limits.md).
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include "model/model.h"
#include "synth.h"

#define NLINES 5000

static uint64_t rng = 0x2545f4914f6cdd1dULL;

/* Line i: every field random, some unknown, some at the extremes. */
static void random_line(struct fl_counters *c, uint64_t t)
{
	int64_t *f = &c->minflt;
	size_t nf = (sizeof(*c) - sizeof(c->t)) / sizeof(*f);
	c->t = t;
	for (size_t j = 0; j < nf; j++) {
		uint64_t r = test_rng_next(&rng);
		f[j] = r % 5 == 0    ? -1
		       : r % 7 == 0  ? INT64_MAX
		       : r % 11 == 0 ? INT64_MIN
				     : (int64_t)(r >> 3);
	}
}

static int cmp_t(const void *a, const void *b)
{
	const struct fl_counters *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void round_trip(int shuffled)
{
	struct fl_counters *want = calloc(NLINES, sizeof(*want));
	struct fl_counters_store s;
	struct fl_counters_cursor k;
	const struct fl_counters *c;
	size_t n = 0;
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < NLINES; i++) {
		/* shuffled: times out of order, some equal */
		random_line(&want[i], shuffled ? test_rng_next(&rng) % (NLINES / 2) : i * 100);
		fl_counters_store_add(&s, &want[i]);
	}
	if (shuffled)
		qsort(want, NLINES, sizeof(*want), cmp_t);
	fl_counters_store_sort(&s);
	CHECK_EQ_U64(s.n, NLINES);
	fl_counters_begin(&k, &s);
	while ((c = fl_counters_next(&k)) != NULL) {
		if (n < NLINES)
			CHECK(!memcmp(c, &want[n], sizeof(*c)));
		n++;
	}
	CHECK_EQ_U64(n, NLINES);
	CHECK(!memcmp(&s.last, &want[NLINES - 1], sizeof(s.last)));
	fl_counters_store_release(&s);
	free(want);
}

/*
 * A trace of NLINES ticks whose figures move as a program's do (time, fault
 * counts and RSS change each tick; the rest stays): the loaded store holds
 * under 16 bytes a line, where the array held sizeof(struct fl_counters).
 */
static void loaded_store_is_small(void)
{
	struct synth s;
	struct fl_model m;
	const struct fl_proc *p;
	const struct fl_counters *last;
	synth_init(&s);
	synth_file(&s, "300");
	synth_header(&s, 300, 1, "none", 0, 1700000000000000000LL, NULL);
	for (int i = 1; i <= NLINES; i++)
		synth_line(&s,
			   "{\"e\":\"counters\",\"t\":%lld,\"seq\":%d,\"minflt\":%d,\"majflt\":0,"
			   "\"ru_minflt\":%d,\"ru_majflt\":0,\"rss_anon\":%d,\"rss_file\":1048576,"
			   "\"rss_shmem\":0,\"vsz\":2147483648,\"swap\":0,\"pte_bytes\":65536,"
			   "\"stack_vma\":135168,\"committed_as\":1073741824,"
			   "\"commit_limit\":12884901888,\"oom_score\":666}",
			   i * 100000000LL, i + 1, i * 37, i * 41, i * 4096 * 3);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK(m.nprocs == 1);
	if (m.nprocs == 1) {
		p = m.procs[0];
		CHECK_EQ_U64(p->ncounters, NLINES);
		CHECK(p->counters.len < (size_t)NLINES * 16);
		CHECK(p->counters.len * 10 < (size_t)NLINES * sizeof(struct fl_counters));
		last = fl_proc_last_counters(p);
		CHECK(last && last->minflt == NLINES * 37 && last->rss_anon == NLINES * 4096 * 3 &&
		      last->dtlb_load == -1 && last->commit_limit == 12884901888LL);
	}
	fl_model_release(&m);
	synth_rm(&s);
}

int main(void)
{
	round_trip(0);
	round_trip(1);
	loaded_store_is_small();
	return check_result();
}
