/*
 * The io store (struct fl_io_store): every line comes back exactly as added
 * (fd counts changing from line to line, unknown and extreme figures, NULL
 * and interned paths), in time order when lines came out of order (as the
 * loader's sort of the array put them), and a loaded trace's io lines take
 * a few bytes each, not a struct and an allocation.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include "model/model.h"
#include "synth.h"

#define NLINES 4000
#define MAXFDS 6

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static const char *const paths[] = {NULL, "/data/a", "/data/b", "", "/dev/null"};

static uint64_t figure(uint64_t r)
{
	return r % 5 == 0    ? 0
	       : r % 7 == 0  ? UINT64_MAX
	       : r % 11 == 0 ? (uint64_t)INT64_MIN
			     : r >> 3;
}

/* Line i: 0 to MAXFDS fds, every field random, some at the extremes. */
static void random_line(struct fl_io *x, uint64_t t)
{
	x->t = t;
	x->nfds = (size_t)(test_rng_next(&rng) % (MAXFDS + 1));
	x->fds = calloc(MAXFDS, sizeof(*x->fds));
	for (size_t j = 0; j < x->nfds; j++) {
		uint64_t r = test_rng_next(&rng);
		x->fds[j].fd = r % 3 == 0    ? -1
			       : r % 13 == 0 ? INT32_MIN
			       : r % 17 == 0 ? INT32_MAX
					     : (int32_t)(r % 64);
		x->fds[j].path = paths[test_rng_next(&rng) % 5];
		x->fds[j].calls = figure(test_rng_next(&rng));
		x->fds[j].bytes = figure(test_rng_next(&rng));
	}
}

static int same(const struct fl_io *a, const struct fl_io *b)
{
	if (a->t != b->t || a->nfds != b->nfds)
		return 0;
	for (size_t j = 0; j < a->nfds; j++)
		if (a->fds[j].fd != b->fds[j].fd || a->fds[j].path != b->fds[j].path ||
		    a->fds[j].calls != b->fds[j].calls || a->fds[j].bytes != b->fds[j].bytes)
			return 0;
	return 1;
}

static int cmp_t(const void *a, const void *b)
{
	const struct fl_io *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void round_trip(int shuffled)
{
	struct fl_io *want = calloc(NLINES, sizeof(*want));
	struct fl_io_store s = {0};
	struct fl_io_cursor k;
	const struct fl_io *c;
	size_t n = 0;
	for (size_t i = 0; i < NLINES; i++) {
		/* shuffled: times out of order, some equal; else t from 0 up to the top */
		random_line(&want[i], shuffled		? test_rng_next(&rng) % (NLINES / 2)
				      : i == NLINES - 1 ? UINT64_MAX
							: i * 1000003);
		fl_io_store_add(&s, &want[i]);
	}
	if (shuffled)
		qsort(want, NLINES, sizeof(*want), cmp_t);
	fl_io_store_sort(&s);
	CHECK_EQ_U64(s.n, NLINES);
	fl_io_begin(&k, &s);
	while ((c = fl_io_next(&k)) != NULL) {
		if (n < NLINES)
			CHECK(same(c, &want[n]));
		n++;
	}
	fl_io_end(&k);
	CHECK_EQ_U64(n, NLINES);
	CHECK(fl_io_last(&s) && same(fl_io_last(&s), &want[NLINES - 1]));
	fl_io_store_release(&s);
	CHECK(fl_io_last(&s) == NULL);
	for (size_t i = 0; i < NLINES; i++)
		free(want[i].fds);
	free(want);
}

/* A trace's io lines as a program's move (one file read a little each tick):
 * a few bytes a line, where a line took a struct and its rows (72 B). */
static void loaded_store_is_small(void)
{
	struct synth s;
	struct fl_model m;
	synth_init(&s);
	synth_file(&s, "300");
	synth_header(&s, 300, 1, "none", 0, 1700000000000000000LL, NULL);
	for (int i = 1; i <= NLINES; i++)
		synth_line(&s,
			   "{\"e\":\"io\",\"t\":%lld,\"seq\":%d,\"fds\":[[3,\"/data/f\",%d,%lld]]}",
			   i * 100000000LL, i + 1, i, i * 4096LL);
	synth_close(&s);
	CHECK(fl_model_load(&m, s.dir) == 0);
	CHECK(m.nprocs == 1);
	if (m.nprocs == 1) {
		const struct fl_proc *p = m.procs[0];
		const struct fl_io *last = fl_io_last(&p->io);
		CHECK_EQ_U64(p->nio, NLINES);
		CHECK(p->io.len < (size_t)NLINES * 12);
		CHECK(last && last->nfds == 1 && last->fds[0].fd == 3 &&
		      last->fds[0].calls == NLINES && last->fds[0].bytes == NLINES * 4096ULL &&
		      last->fds[0].path && !strcmp(last->fds[0].path, "/data/f"));
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
