#include "sites.h"

#include "faultline/schema.h"
#include "stacks.h"
#include "sys.h"

#define PER_LINE 512

/* One cache line per site. Lock-free: live is the one figure whose order
 * of updates matters (peak is the largest value it takes), so each update
 * of it is a single atomic add whose result is the exact live bytes after
 * this call in that order; peak is raised to it with a CAS. The counts are
 * plain atomic adds. A row read while threads run may be a few calls apart
 * between its fields; dirty is set after the fields, so the next tick
 * writes the row again. */
struct site {
	int64_t live, peak;
	uint64_t allocs, frees, bytes;
	uint32_t dirty;
	uint32_t pad_[5];
};

_Static_assert(sizeof(struct site) == 64, "a site is one cache line");

static struct site *sites;

int fl_sites_init(void)
{
	sites = fl_sys_alloc_pages((size_t)FL_STACK_MAX_IDS * sizeof(*sites));
	return sites ? 0 : -1;
}

static struct site *site_of(uint32_t id)
{
	return &sites[id < FL_STACK_MAX_IDS ? id : 0];
}

static void mark_dirty(struct site *s)
{
	if (!__atomic_load_n(&s->dirty, __ATOMIC_RELAXED))
		__atomic_store_n(&s->dirty, 1, __ATOMIC_RELEASE);
}

void fl_sites_alloc(uint32_t id, uint64_t size)
{
	struct site *s;
	int64_t live, peak;
	if (!sites)
		return;
	s = site_of(id);
	live = __atomic_add_fetch(&s->live, (int64_t)size, __ATOMIC_RELAXED);
	peak = __atomic_load_n(&s->peak, __ATOMIC_RELAXED);
	while (live > peak &&
	       !__atomic_compare_exchange_n(&s->peak, &peak, live, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	__atomic_fetch_add(&s->allocs, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->bytes, size, __ATOMIC_RELAXED);
	mark_dirty(s);
}

void fl_sites_free(uint32_t id, uint64_t size)
{
	struct site *s;
	if (!sites)
		return;
	s = site_of(id);
	__atomic_fetch_sub(&s->live, (int64_t)size, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->frees, 1, __ATOMIC_RELAXED);
	mark_dirty(s);
}

struct row {
	uint32_t id;
	uint64_t allocs, frees, bytes;
	int64_t live, peak;
};

static struct row rows[PER_LINE];

static void write_rows(struct fl_out *o, int n, uint64_t (*next_seq)(void), uint64_t t)
{
	/* Stack lines first: a reader meets every id before its use. */
	for (int i = 0; i < n; i++)
		fl_stacks_ensure(o, rows[i].id, t, next_seq);
	fl_out_begin(o, FL_EV_SITES, t, next_seq());
	fl_out_key(o, FL_K_SITES);
	fl_out_arr_open(o);
	for (int i = 0; i < n; i++) {
		fl_out_arr_open(o);
		fl_out_v_u64(o, rows[i].id);
		fl_out_v_u64(o, rows[i].allocs);
		fl_out_v_u64(o, rows[i].frees);
		fl_out_v_u64(o, rows[i].bytes);
		fl_out_v_i64(o, rows[i].live);
		fl_out_v_i64(o, rows[i].peak);
		fl_out_arr_close(o);
	}
	fl_out_arr_close(o);
	fl_out_end(o);
}

void fl_sites_emit(struct fl_out *o, uint64_t (*next_seq)(void), uint64_t t)
{
	uint32_t max = fl_stacks_max_id();
	int n = 0;
	if (!sites)
		return;
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		if (!__atomic_load_n(&s->dirty, __ATOMIC_RELAXED))
			continue;
		/* Cleared before reading: an update racing with this read marks
		 * the site again, and the next tick has it whole. */
		__atomic_exchange_n(&s->dirty, 0, __ATOMIC_ACQ_REL);
		rows[n] = (struct row){ id, __atomic_load_n(&s->allocs, __ATOMIC_RELAXED),
					__atomic_load_n(&s->frees, __ATOMIC_RELAXED),
					__atomic_load_n(&s->bytes, __ATOMIC_RELAXED),
					__atomic_load_n(&s->live, __ATOMIC_RELAXED),
					__atomic_load_n(&s->peak, __ATOMIC_RELAXED) };
		if (++n == PER_LINE) {
			write_rows(o, n, next_seq, t);
			n = 0;
		}
	}
	if (n)
		write_rows(o, n, next_seq, t);
}

void fl_sites_after_fork_child(void)
{
	uint32_t max = fl_stacks_max_id();
	if (!sites)
		return;
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		s->allocs = s->frees = s->bytes = 0;
		s->peak = s->live;
		s->dirty = s->live != 0;
	}
}
