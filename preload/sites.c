#include "sites.h"

#include "faultline/schema.h"
#include "stacks.h"
#include "sys.h"

#define PER_LINE 512

struct site {
	uint32_t lock;
	uint32_t dirty;
	uint64_t allocs, frees, bytes;
	int64_t live, peak;
	uint64_t pad_[2];
};

static struct site *sites;

int fl_sites_init(void)
{
	sites = fl_sys_alloc_pages((size_t)FL_STACK_MAX_IDS * sizeof(*sites));
	return sites ? 0 : -1;
}

static struct site *lock(uint32_t *held, uint32_t id)
{
	struct site *s = &sites[id < FL_STACK_MAX_IDS ? id : 0];
	*held = (uint32_t)(s - sites) + 1;
	while (__atomic_exchange_n(&s->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&s->lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
	return s;
}

static void unlock(uint32_t *held, struct site *s)
{
	if (!s->dirty)
		s->dirty = 1;
	__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
	*held = 0;
}

void fl_sites_alloc(uint32_t *held, uint32_t id, uint64_t size)
{
	struct site *s;
	if (!sites)
		return;
	s = lock(held, id);
	s->allocs++;
	s->bytes += size;
	s->live += (int64_t)size;
	if (s->live > s->peak)
		s->peak = s->live;
	unlock(held, s);
}

void fl_sites_free(uint32_t *held, uint32_t id, uint64_t size)
{
	struct site *s;
	if (!sites)
		return;
	s = lock(held, id);
	s->frees++;
	s->live -= (int64_t)size;
	unlock(held, s);
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
	uint32_t max = fl_stacks_max_id(), held;
	int n = 0;
	if (!sites)
		return;
	for (uint32_t id = 0; id < max; id++) {
		struct site *s = &sites[id];
		if (!__atomic_load_n(&s->dirty, __ATOMIC_RELAXED))
			continue;
		lock(&held, id);
		s->dirty = 0;
		rows[n] = (struct row){ id, s->allocs, s->frees, s->bytes, s->live, s->peak };
		__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
		if (++n == PER_LINE) {
			write_rows(o, n, next_seq, t);
			n = 0;
		}
	}
	if (n)
		write_rows(o, n, next_seq, t);
}

void fl_sites_unlock_stale(uint32_t held)
{
	if (sites && held)
		__atomic_store_n(&sites[held - 1].lock, 0, __ATOMIC_RELEASE);
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
