#include "model/sampled_pages.h"

#include <stdlib.h>
#include <string.h>

#include "model/load_faults.h"
#include "util/xalloc.h"

/* Pages of 4 KiB whatever the trace's page size: a finer key only makes
 * the test below look at more pages, never miss one. */
#define PAGE_SHIFT 12

static int take(void *ctx, const struct fl_fault *v, size_t n)
{
	struct fl_sampled_pages *sp = ctx;
	for (size_t i = 0; i < n; i++) {
		uint64_t *slot = fl_u64map_slot(&sp->index, v[i].addr >> PAGE_SHIFT);
		struct fl_sampled_page *pg;
		if (!*slot) {
			FL_GROW(sp->v, sp->cap, sp->n + 1);
			sp->v[sp->n] = (struct fl_sampled_page){v[i].t, v[i].t};
			*slot = ++sp->n;
			continue;
		}
		pg = &sp->v[*slot - 1];
		if (v[i].t < pg->first)
			pg->first = v[i].t;
		if (v[i].t > pg->last)
			pg->last = v[i].t;
	}
	return 0;
}

void fl_sampled_pages_init(struct fl_sampled_pages *sp)
{
	memset(sp, 0, sizeof(*sp));
	fl_u64map_init(&sp->index);
}

void fl_sampled_pages_read(struct fl_sampled_pages *sp, const char *path)
{
	fl_load_faults_scan(path, take, sp);
}

int fl_sampled_pages_hit(const struct fl_sampled_pages *sp, uint64_t addr, uint64_t end,
			 uint64_t t0, uint64_t t1)
{
	if (!sp->n)
		return 0;
	if (end <= addr)
		end = addr + 1;
	for (uint64_t pg = addr >> PAGE_SHIFT; pg <= (end - 1) >> PAGE_SHIFT; pg++) {
		const uint64_t *slot = fl_u64map_get(&sp->index, pg);
		if (slot && sp->v[*slot - 1].first <= t1 && sp->v[*slot - 1].last >= t0)
			return 1;
	}
	return 0;
}

void fl_sampled_pages_release(struct fl_sampled_pages *sp)
{
	fl_u64map_release(&sp->index);
	free(sp->v);
	memset(sp, 0, sizeof(*sp));
}
