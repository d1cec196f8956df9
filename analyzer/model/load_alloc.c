#include "model/load_alloc.h"

#include <errno.h>
#include <stdlib.h>

#include "faultline/schema.h"
#include "util/xalloc.h"

/* Bytes to 4 KiB units; 0 stays "not recorded", a charge of a few bytes
 * still counts as recorded. */
static uint32_t units(int64_t bytes)
{
	uint64_t u;
	if (bytes < 0)
		return 0;
	u = ((uint64_t)bytes + 4095) >> 12;
	return u == 0 ? 1 : u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
}

struct fl_charge fl_load_charge_json(const json_t *o)
{
	return (struct fl_charge){.committed = units(fl_json_get_int(o, FL_K_COMMITTED, -1)),
				  .limit = units(fl_json_get_int(o, FL_K_COMMIT_LIMIT, -1))};
}

struct fl_charge fl_load_charge_flat(const struct fl_flat *f)
{
	return (struct fl_charge){.committed = units(fl_flat_int(f, FL_K_COMMITTED, -1)),
				  .limit = units(fl_flat_int(f, FL_K_COMMIT_LIMIT, -1))};
}

static struct fl_failed *push(struct fl_proc *p)
{
	FL_GROW(p->failed, p->capfailed, p->nfailed + 1);
	return &p->failed[p->nfailed++];
}

void fl_load_alloc_failed(struct fl_proc *p, const json_t *o, uint64_t t, uint64_t seq)
{
	struct fl_failed *f = push(p);
	int fn = fl_fn_from_name(fl_json_get_str(o, FL_K_FUNC));
	*f = (struct fl_failed){.t = t,
				.seq = seq,
				.size = (uint64_t)fl_json_get_int(o, FL_K_SIZE, 0),
				.stack = (uint32_t)fl_json_get_int(o, FL_K_STACK, 0),
				.tid = (int32_t)fl_json_get_int(o, FL_K_TID, 0),
				.err = (int32_t)fl_json_get_int(o, FL_K_ERRNO, 0),
				.fn = (uint8_t)(fn >= 0 ? fn : FL_FN_MALLOC),
				.size_overflow =
				    json_is_true(json_object_get(o, FL_K_SIZE_OVERFLOW)),
				.charge = fl_load_charge_json(o)};
}

void fl_load_failed_mmap(struct fl_proc *p, const struct fl_map_call *c)
{
	if (c->fn != FL_FN_MMAP || c->err != ENOMEM)
		return;
	*push(p) = (struct fl_failed){.t = c->t,
				      .seq = c->seq,
				      .size = c->size,
				      .stack = c->stack,
				      .tid = c->tid,
				      .err = c->err,
				      .fn = FL_FN_MMAP,
				      .charge = c->charge};
}

static int cmp_seq(const void *a, const void *b)
{
	const struct fl_failed *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void fl_load_failed_finish(struct fl_proc *p)
{
	if (p->nfailed > 1)
		qsort(p->failed, p->nfailed, sizeof(*p->failed), cmp_seq);
}
