/*
 * The residency store (struct fl_residency_store): every line comes back
 * exactly as added (region counts changing from line to line, unknown and
 * extreme figures, NULL and interned methods), in time order when lines
 * came out of order (as the loader's sort of the array put them), and a
 * loaded trace's residency lines take a few bytes each, not a struct and
 * an allocation.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include "model/model.h"
#include "synth.h"

#define NLINES 3000
#define MAXREG 5

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static const char *const methods[] = {NULL, "pagemap_scan", "pagemap", ""};

static int64_t figure(uint64_t r)
{
	return r % 5 == 0    ? -1
	       : r % 7 == 0  ? INT64_MAX
	       : r % 11 == 0 ? INT64_MIN
			     : (int64_t)(r >> 3);
}

/* Line i: 0 to MAXREG regions, every field random, some at the extremes. */
static void random_line(struct fl_residency *x, uint64_t t)
{
	x->t = t;
	x->method = methods[test_rng_next(&rng) % 4];
	x->nregions = (size_t)(test_rng_next(&rng) % (MAXREG + 1));
	x->regions = calloc(MAXREG, sizeof(*x->regions));
	for (size_t j = 0; j < x->nregions; j++) {
		struct fl_res_region *g = &x->regions[j];
		uint64_t r = test_rng_next(&rng);
		g->start = r % 9 == 0 ? UINT64_MAX : r;
		g->end = test_rng_next(&rng);
		g->present = figure(test_rng_next(&rng));
		g->swapped = figure(test_rng_next(&rng));
		g->file = figure(test_rng_next(&rng));
		g->anon_exclusive = figure(test_rng_next(&rng));
		g->anon_shared = figure(test_rng_next(&rng));
		g->huge = figure(test_rng_next(&rng));
		g->written = figure(test_rng_next(&rng));
		g->referenced = figure(test_rng_next(&rng));
		g->moved = figure(test_rng_next(&rng));
	}
}

static int same(const struct fl_residency *a, const struct fl_residency *b)
{
	return a->t == b->t && a->method == b->method && a->nregions == b->nregions &&
	       (!a->nregions || !memcmp(a->regions, b->regions, a->nregions * sizeof(*a->regions)));
}

static int cmp_t(const void *a, const void *b)
{
	const struct fl_residency *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void round_trip(int shuffled)
{
	struct fl_residency *want = calloc(NLINES, sizeof(*want));
	struct fl_residency_store s = {0};
	struct fl_residency_cursor k;
	const struct fl_residency *c;
	size_t n = 0;
	for (size_t i = 0; i < NLINES; i++) {
		/* shuffled: times out of order, some equal; else t from 0 up to the top */
		random_line(&want[i], shuffled		? test_rng_next(&rng) % (NLINES / 2)
				      : i == NLINES - 1 ? UINT64_MAX
							: i * 1000003);
		fl_residency_store_add(&s, &want[i]);
	}
	if (shuffled)
		qsort(want, NLINES, sizeof(*want), cmp_t);
	fl_residency_store_sort(&s);
	CHECK_EQ_U64(s.n, NLINES);
	fl_residency_begin(&k, &s);
	while ((c = fl_residency_next(&k)) != NULL) {
		if (n < NLINES)
			CHECK(same(c, &want[n]));
		CHECK_EQ_U64(fl_residency_index(&k), n);
		n++;
	}
	fl_residency_end(&k);
	CHECK_EQ_U64(n, NLINES);
	fl_residency_store_release(&s);
	for (size_t i = 0; i < NLINES; i++)
		free(want[i].regions);
	free(want);
}

/* A trace's residency lines as a program's move (one region, its pages
 * changing a little each tick): a few bytes a line, where one took 128 B. */
static void loaded_store_is_small(void)
{
	struct synth s;
	struct fl_model m;
	synth_init(&s);
	synth_file(&s, "300");
	synth_header(&s, 300, 1, "none", 0, 1700000000000000000LL, NULL);
	for (int i = 1; i <= NLINES; i++)
		synth_line(
		    &s,
		    "{\"e\":\"residency\",\"t\":%lld,\"seq\":%d,\"why\":\"tick\","
		    "\"method\":\"pagemap_scan\",\"regions\":[[\"0x10000000\",\"0x90000000\","
		    "%d,0,0,%d,0,0,-1,-1]]}",
		    i * 100000000LL, i + 1, i * 3, i * 3);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK(m.nprocs == 1);
	if (m.nprocs == 1) {
		const struct fl_proc *p = m.procs[0];
		struct fl_residency_cursor k;
		const struct fl_residency *r, *last = NULL;
		CHECK_EQ_U64(p->nresidency, NLINES);
		CHECK(p->residency.len < (size_t)NLINES * 24);
		fl_residency_begin(&k, &p->residency);
		while ((r = fl_residency_next(&k)) != NULL)
			last = r;
		CHECK(last && last->nregions == 1 && last->regions[0].present == NLINES * 3 &&
		      last->regions[0].written == -1 && last->regions[0].end == 0x90000000ULL &&
		      last->method && !strcmp(last->method, "pagemap_scan"));
		fl_residency_end(&k);
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
