/*
 * The packed heap block (struct fl_block, model.h): every field comes back
 * exactly as given, at the edges of what packs into the 40 B and past them
 * (then from the block's cold part), and freed_by is set and read apart
 * from the tid it shares a word with. The block's width is the analyzer's
 * peak memory on a large trace (doc/limits.md), so it is checked too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rng.h"
#include "model/model.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

#define NBLOCKS 20000

/* The fields of block i: mostly packable, some at or past each edge. */
static struct fl_block_fields fields_of(size_t i)
{
	static const uint64_t sizes[] = {0, 1, 64, UINT32_MAX - 1, UINT32_MAX, UINT64_MAX};
	static const int32_t tids[] = {-1,	  0,  4242,	(1 << 30) - 2, (1 << 30) - 1,
				       INT32_MAX, -2, INT32_MIN};
	uint64_t r = test_rng_next(&rng);
	struct fl_block_fields f = {.addr = test_rng_next(&rng),
				    .size = r % 3 ? (r >> 8) % 100000 : sizes[(r >> 8) % 6],
				    .t_alloc = test_rng_next(&rng),
				    .stack = (uint32_t)(r >> 32),
				    .tid =
					r % 5 ? (int32_t)((r >> 16) % 100000) : tids[(r >> 20) % 8],
				    .fn = (int)((r >> 40) % FL_FN_COUNT)};
	f.weight = r % 7 ? f.size : test_rng_next(&rng);
	if (r % 11 == 0)
		f.charge = (struct fl_charge){(uint32_t)test_rng_next(&rng),
					      (uint32_t)test_rng_next(&rng)};
	(void)i;
	return f;
}

int main(void)
{
	struct fl_proc p = {0};
	struct fl_block_fields *want = calloc(NBLOCKS, sizeof(*want));
	size_t plain = 0, bad = 0;
	static const int bys[] = {FL_FN_FREE, FL_FN_REALLOC, FL_FN_COUNT};
	CHECK(sizeof(struct fl_block) <= 40);
	p.blocks = calloc(NBLOCKS, sizeof(*p.blocks));
	for (size_t i = 0; i < NBLOCKS; i++) {
		want[i] = fields_of(i);
		fl_block_set(&p, &p.blocks[i], &want[i]);
		plain += fl_block_cold_of(&p, &p.blocks[i]) == NULL;
	}
	for (size_t i = 0; i < NBLOCKS; i++) {
		struct fl_block *b = &p.blocks[i];
		const struct fl_block_fields *f = &want[i];
		struct fl_charge c = fl_block_charge(&p, b);
		int by = bys[i % 3];
		bad += b->t_free != FL_T_NEVER || fl_block_freed_by(b) != FL_FN_COUNT;
		fl_block_set_freed_by(b, by);
		bad += b->addr != f->addr || b->t_alloc != f->t_alloc || b->stack != f->stack ||
		       fl_block_size(&p, b) != f->size || fl_block_weight(&p, b) != f->weight ||
		       fl_block_tid(&p, b) != f->tid || fl_block_fn(b) != f->fn ||
		       c.committed != f->charge.committed || c.limit != f->charge.limit ||
		       fl_block_freed_by(b) != by;
	}
	CHECK_EQ_U64(bad, 0);
	/* most blocks packed, and the cold ones kept apart, one part each */
	CHECK(plain > NBLOCKS / 3);
	CHECK_EQ_U64(p.nblock_cold, NBLOCKS - plain);
	free(p.blocks);
	free(p.block_cold);
	free(want);
	return check_result();
}
