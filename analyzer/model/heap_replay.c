/*
 * The heap replay: allocations and frees in seq order give every block the
 * time it was freed, and by what.
 */
#include "model/heap_replay.h"

#include <stdlib.h>
#include <string.h>

#include "model/push.h"
#include "util/u64map.h"
#include "util/xalloc.h"

/*
 * The live blocks by address: the value is the block's index + 1. A freed
 * address leaves the table (backward-shift deletion, the table being
 * util/u64map's open addressing with linear probing), so the table stays
 * the size of the live heap, not of every address the heap ever used.
 * UINT64_MAX is the map's reserved key and never a heap address: a block
 * there is never tracked, so it stays live, and a free there finds nothing.
 * The probes are here, inline, rather than util/u64map's calls: every heap
 * call of a trace makes one, and a free looked its address up twice.
 */
#define NO_SLOT SIZE_MAX

/* The slot of addr, or NO_SLOT; *hole: where the probe met an empty slot. */
static inline size_t live_find(const struct fl_u64map *m, uint64_t addr, size_t *hole)
{
	size_t j;
	*hole = NO_SLOT;
	if (!m->cap || addr == UINT64_MAX)
		return NO_SLOT;
	j = fl_u64map_hash(addr, m->cap);
	while (m->keys[j] != addr) {
		if (m->keys[j] == UINT64_MAX) {
			*hole = j;
			return NO_SLOT;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return j;
}

static void live_remove(struct fl_u64map *m, size_t i)
{
	size_t mask = m->cap - 1, j = i;
	for (;;) {
		size_t h;
		j = (j + 1) & mask;
		if (m->keys[j] == UINT64_MAX)
			break;
		h = fl_u64map_hash(m->keys[j], m->cap);
		/* j's entry may fill the hole at i unless its home lies in (i, j] */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = UINT64_MAX;
	m->vals[i] = 0;
	m->n--;
}

static inline void end_block(struct fl_proc *p, uint64_t val, uint64_t t, int by)
{
	p->blocks[val - 1].t_free = t;
	fl_block_set_freed_by(&p->blocks[val - 1], by);
}

static void free_block(struct fl_proc *p, struct fl_u64map *live, uint64_t addr, uint64_t t, int by)
{
	size_t hole, j = live_find(live, addr, &hole);
	if (j == NO_SLOT)
		return;
	end_block(p, live->vals[j], t, by);
	live_remove(live, j);
}

/*
 * The table doubles at a quarter full, not util/u64map's half: a heap's
 * live blocks are few (thousands), and at half full the clusters of linear
 * probing made each free's lookup and backward shift several times longer.
 */
static void live_grow(struct fl_u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	uint64_t *keys = fl_xmalloc(cap * sizeof(*keys)), *vals = fl_xmalloc(cap * sizeof(*vals));
	memset(keys, 0xff, cap * sizeof(*keys));
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (m->keys[i] == UINT64_MAX)
			continue;
		j = fl_u64map_hash(m->keys[i], cap);
		while (keys[j] != UINT64_MAX)
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

/* Block b is now live at its address; a block still live there was freed
 * without a record: it ends when b is allocated, freed_by FL_FN_COUNT. */
static void add_live(struct fl_proc *p, struct fl_u64map *live, size_t b)
{
	uint64_t addr = p->blocks[b].addr;
	size_t hole, j;
	if (addr == UINT64_MAX)
		return;
	if ((live->n + 1) * 4 > live->cap)
		live_grow(live);
	j = live_find(live, addr, &hole);
	if (j != NO_SLOT) {
		end_block(p, live->vals[j], p->blocks[b].t_alloc, FL_FN_COUNT);
		live->vals[j] = b + 1;
		return;
	}
	live->keys[hole] = addr;
	live->vals[hole] = b + 1;
	live->n++;
}

static int cmp_free(const void *a, const void *b)
{
	const struct fl_heap_free *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_seq_idx(const void *a, const void *b, void *ctx)
{
	const struct fl_seqs *seq = ctx;
	uint64_t x = fl_seqs_get(seq, *(const size_t *)a), y = fl_seqs_get(seq, *(const size_t *)b);
	return x < y ? -1 : x > y;
}

/*
 * The indices 0..n-1 ordered by seq[], stably, when seq[] is a few
 * ascending runs (threads' buffers flushed one after the other): the runs
 * are merged pairwise, O(n log runs). Returns NULL when there are too many
 * runs for that to beat qsort_r.
 */
#define MAX_RUNS 64
static size_t *merge_runs(const struct fl_seqs *seq, size_t n)
{
	size_t starts[MAX_RUNS + 1], nruns = 0, *idx, *tmp;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || fl_seqs_get(seq, i - 1) > fl_seqs_get(seq, i)) {
			if (nruns == MAX_RUNS)
				return NULL;
			starts[nruns++] = i;
		}
	starts[nruns] = n;
	idx = fl_xmalloc(n * sizeof(*idx));
	tmp = fl_xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	while (nruns > 1) {
		size_t k = 0, *t;
		for (size_t r = 0; r < nruns; r += 2) {
			/* Runs r and r + 1 (empty when r is the last) into tmp. */
			size_t a = starts[r], m = starts[r + 1];
			size_t e = r + 2 <= nruns ? starts[r + 2] : m, i = a, j = m, o = a;
			while (i < m && j < e)
				tmp[o++] = fl_seqs_get(seq, idx[j]) < fl_seqs_get(seq, idx[i])
					       ? idx[j++]
					       : idx[i++];
			while (i < m)
				tmp[o++] = idx[i++];
			while (j < e)
				tmp[o++] = idx[j++];
			starts[k++] = a;
		}
		starts[k] = n;
		nruns = k;
		t = idx;
		idx = tmp;
		tmp = t;
	}
	free(tmp);
	return idx;
}

/*
 * Moves blocks and seq into the order idx gives (element i takes what was
 * at idx[i]) in place, cycle by cycle: a copy of the blocks would double
 * the model's largest array at its peak. idx is consumed.
 */
static void permute(struct fl_block *blocks, struct fl_seqs *seq, size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct fl_block b;
		uint64_t s;
		size_t j = i;
		if (idx[i] == i)
			continue;
		b = blocks[i];
		s = fl_seqs_get(seq, i);
		while (idx[j] != i) {
			size_t k = idx[j];
			blocks[j] = blocks[k];
			fl_seqs_set(seq, j, fl_seqs_get(seq, k));
			idx[j] = j;
			j = k;
		}
		blocks[j] = b;
		fl_seqs_set(seq, j, s);
		idx[j] = j;
	}
}

/* The first index in [from, n) whose seq is above s (ascending there). */
static size_t upper_bound(const struct fl_seqs *seq, size_t from, size_t n, uint64_t s)
{
	size_t lo = from, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fl_seqs_get(seq, mid) <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first index in [from, n) whose seq is at least s (ascending there). */
static size_t lower_bound(const struct fl_seqs *seq, size_t from, size_t n, uint64_t s)
{
	size_t lo = from, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fl_seqs_get(seq, mid) < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Two ascending runs, [0, m) and [m, n), of which only the few blocks
 * before the first run's last seq are out of place: the common case of a
 * thread whose few calls were written late, after the others'. Those are
 * merged in from the back as merge_runs would (stably: at equal seqs the
 * first run's block first), each block moved once, in stretches, with a
 * copy of those few only: merge_runs' two index arrays and permute()'s
 * cycle walk cost more than the rest of the replay. Returns 0 when it does
 * not apply (more runs, or more than an eighth of the blocks to move in).
 */
static int merge_short_tail(struct fl_proc *p, struct fl_seqs *seq, size_t m)
{
	size_t n = p->nblocks, k, end, a = m;
	struct fl_block *tail;
	uint64_t *tail_seq;
	for (size_t i = m + 1; i < n; i++)
		if (fl_seqs_get(seq, i - 1) > fl_seqs_get(seq, i))
			return 0;
	k = lower_bound(seq, m, n, fl_seqs_get(seq, m - 1)) - m; /* the rest is in place */
	if (k > n / 8)
		return 0;
	tail = fl_xmalloc(k * sizeof(*tail));
	tail_seq = fl_xmalloc(k * sizeof(*tail_seq));
	memcpy(tail, p->blocks + m, k * sizeof(*tail));
	for (size_t j = 0; j < k; j++)
		tail_seq[j] = fl_seqs_get(seq, m + j);
	end = m + k;
	for (size_t j = k; j-- > 0;) {
		/* the first run's blocks after tail[j] move up behind it */
		size_t lo = upper_bound(seq, 0, a, tail_seq[j]), cnt = a - lo;
		memmove(p->blocks + end - cnt, p->blocks + lo, cnt * sizeof(*p->blocks));
		fl_seqs_move(seq, end - cnt, lo, cnt);
		end -= cnt + 1;
		a = lo;
		p->blocks[end] = tail[j];
		fl_seqs_set(seq, end, tail_seq[j]);
	}
	free(tail);
	free(tail_seq);
	return 1;
}

/* Puts the blocks in allocation (seq) order, and block_seq with them; usually they already are. */
static void order_blocks(struct fl_proc *p, struct fl_seqs *seq)
{
	size_t i, *idx;
	for (i = 1; i < p->nblocks; i++)
		if (fl_seqs_get(seq, i - 1) > fl_seqs_get(seq, i))
			break;
	if (i >= p->nblocks || merge_short_tail(p, seq, i))
		return;
	idx = merge_runs(seq, p->nblocks);
	if (!idx) {
		idx = fl_xmalloc(p->nblocks * sizeof(*idx));
		for (i = 0; i < p->nblocks; i++)
			idx[i] = i;
		qsort_r(idx, p->nblocks, sizeof(*idx), cmp_seq_idx, seq);
	}
	permute(p->blocks, seq, idx, p->nblocks);
	free(idx);
}

/* The frees in seq order; usually they already are. */
static void order_frees(struct fl_heap_free *frees, size_t nfrees)
{
	size_t i;
	for (i = 1; i < nfrees && frees[i - 1].seq <= frees[i].seq; i++)
		;
	if (i < nfrees)
		qsort(frees, nfrees, sizeof(*frees), cmp_free);
}

void fl_heap_replay(struct fl_proc *p, struct fl_seqs *block_seq, struct fl_heap_free *frees,
		    size_t nfrees)
{
	struct fl_u64map live;
	size_t b = 0, f = 0;
	fl_u64map_init(&live);
	order_blocks(p, block_seq);
	order_frees(frees, nfrees);
	while (b < p->nblocks || f < nfrees) {
		if (f < nfrees && (b == p->nblocks || frees[f].seq <= fl_seqs_get(block_seq, b))) {
			free_block(p, &live, frees[f].addr, frees[f].t, frees[f].by);
			f++;
			continue;
		}
		add_live(p, &live, b);
		b++;
	}
	fl_u64map_release(&live);
	free(frees);
	fl_seqs_release(block_seq);
}

void fl_heap_stream_init(struct fl_heap_stream *s)
{
	memset(s, 0, sizeof(*s));
	fl_u64map_init(&s->live);
	fl_u64map_init(&s->late_addrs);
}

void fl_heap_stream_release(struct fl_heap_stream *s)
{
	fl_heap_early_release(s);
	free(s->wfrees);
	free(s->wallocs);
	fl_u64map_release(&s->live);
	fl_u64map_release(&s->late_addrs);
	fl_seqs_release(&s->end_seq);
	free(s->frees);
	memset(s, 0, sizeof(*s));
}

static void hold_free(struct fl_heap_stream *s, uint64_t seq, uint64_t t, uint64_t addr, int by)
{
	struct fl_heap_free *h = FL_PUSH(s->frees, s->nfrees, s->capfrees);
	h->seq = seq;
	h->t = t;
	h->addr = addr;
	h->by = (uint8_t)by;
}

/* A free replayed in order ended the block in slot j of the live table:
 * it keeps the free's seq, leaves the table and may fold early. */
static void end_live(struct fl_heap_stream *s, struct fl_proc *p, size_t j, uint64_t seq,
		     uint64_t t, int by)
{
	size_t b = s->live.vals[j] - 1;
	fl_seqs_set(&s->end_seq, b, seq);
	end_block(p, b + 1, t, by);
	live_remove(&s->live, j);
	fl_heap_early_ended(s, p, b);
}

/*
 * Whether a line of this seq comes in replay order: after every line
 * replayed so far, or a realloc's new block right after the free of its
 * old one (same seq). A line that does not is late, and its address is
 * replayed again once the file is read.
 */
static inline int on_time(struct fl_heap_stream *s, uint64_t seq, int is_free, uint64_t addr)
{
	int ok = !s->nlines || seq > s->max_seq || (seq == s->max_seq && !is_free && s->max_free);
	s->nlines++;
	if (ok) {
		s->max_seq = seq;
		s->max_free = is_free;
	} else {
		*fl_u64map_slot(&s->late_addrs, addr) = 1;
		s->nlate++;
	}
	return ok;
}

/*
 * Late lines by the thousand (threads whose buffers interleave) would have
 * most addresses replayed twice: past one line in 16, the rest of the file
 * is collected for fl_heap_replay instead, and the frees applied so far go
 * back into the list (with their seq, which the blocks they ended kept).
 */
#define LATE_SHARE 16
#define LATE_MIN 4096

static void start_collecting(struct fl_heap_stream *s, struct fl_proc *p)
{
	fl_heap_early_compact(s, p); /* the fold stops here: whole replays need every block */
	for (size_t b = 0; b < p->nblocks; b++) {
		struct fl_block *x = &p->blocks[b];
		if (x->t_free != FL_T_NEVER && fl_block_freed_by(x) != FL_FN_COUNT)
			hold_free(s, fl_seqs_get(&s->end_seq, b), x->t_free, x->addr,
				  fl_block_freed_by(x));
		x->t_free = FL_T_NEVER; /* live, or ended by an alloc at its address */
		fl_block_set_freed_by(x, FL_FN_COUNT);
	}
	/* the window's blocks are live as read; its frees wait with the others */
	for (size_t i = 0; i < s->nwfrees; i++) {
		struct fl_heap_free *f = FL_PUSH(s->frees, s->nfrees, s->capfrees);
		*f = s->wfrees[i];
	}
	s->nwfrees = s->nwallocs = 0;
	s->windowed = 0;
	fl_seqs_release(&s->end_seq);
	fl_u64map_release(&s->live);
	fl_u64map_init(&s->live);
	fl_u64map_release(&s->late_addrs);
	fl_u64map_init(&s->late_addrs);
	s->collecting = 1;
}

/* Whether the line is replayed now; else it is held (late, or collecting). */
static inline int replay_now(struct fl_heap_stream *s, uint64_t seq, int is_free, uint64_t addr)
{
	if (s->collecting)
		return 0;
	if (on_time(s, seq, is_free, addr))
		return 1;
	if (s->nlate >= LATE_MIN && s->nlate * LATE_SHARE > s->nlines) {
		s->wmin = UINT64_MAX;
		/* the window, even before the first barrier: without one, it is
		 * replayed when the file is read, as the collected file would be */
		s->windowed = 1;
	}
	return 0;
}

/* Whether a line of this seq comes after the window's last replay; else it
 * is late, held as before the window (its address is replayed again once
 * the file is read), and too many of those collect the rest of the file. */
static int window_takes(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq, int is_free,
			uint64_t addr)
{
	size_t late;
	s->nlines++;
	if (seq > s->max_seq || (seq == s->max_seq && !is_free && s->max_free))
		return 1;
	*fl_u64map_slot(&s->late_addrs, addr) = 1;
	/* Until the window's first replay, a thread's buffer is late up to
	 * the seq the lines in order had reached when it opened: one buffer
	 * a thread at most, not counted. */
	late = ++s->nlate - s->nlate_windowed;
	if (s->wreplays && late >= LATE_MIN && late * LATE_SHARE > s->nlines)
		start_collecting(s, p);
	return 0;
}

/* The window's frees and allocations at or below seq w, merged in seq order
 * (at one seq, a realloc's free first) as the stream replays lines in
 * order; the rest stay. Sorted in place: the window is the load's largest
 * part while lines come interleaved. */
#define WINDOW_WORK 16

static void window_replay(struct fl_heap_stream *s, struct fl_proc *p, uint64_t w)
{
	size_t f = 0, a = 0, nf = 0, na = 0;
	if (!s->wreplays++)
		s->nlate_windowed = s->nlate;
	/* Each line is sorted about twice (a window spans two ticks); barriers
	 * that each let a few lines out of a window held open by lines far
	 * ahead (a hostile trace's seqs) would sort it again and again: past
	 * WINDOW_WORK sorts a line, the rest of the file is collected. */
	s->wsorted += s->nwfrees + s->nwallocs;
	if (s->wsorted > WINDOW_WORK * s->nlines + (1u << 20)) {
		start_collecting(s, p);
		return;
	}
	order_frees(s->wfrees, s->nwfrees);
	if (s->nwallocs > 1)
		qsort_r(s->wallocs, s->nwallocs, sizeof(*s->wallocs), cmp_seq_idx, s->block_seq);
	while (nf < s->nwfrees && s->wfrees[nf].seq <= w)
		nf++;
	while (na < s->nwallocs && fl_seqs_get(s->block_seq, s->wallocs[na]) <= w)
		na++;
	s->in_window = 1;
	while (f < nf || a < na) {
		uint64_t aseq = a < na ? fl_seqs_get(s->block_seq, s->wallocs[a]) : UINT64_MAX;
		const struct fl_heap_free *e;
		size_t hole, j;
		if (a < na && (f == nf || aseq < s->wfrees[f].seq)) {
			add_live(p, &s->live, s->wallocs[a++]);
			s->max_seq = aseq;
			s->max_free = 0;
			continue;
		}
		e = &s->wfrees[f++];
		s->max_seq = e->seq;
		s->max_free = 1;
		if ((j = live_find(&s->live, e->addr, &hole)) == NO_SLOT) {
			hold_free(s, e->seq, e->t, e->addr, e->by);
		} else {
			end_live(s, p, j, e->seq, e->t, e->by);
		}
	}
	s->in_window = 0;
	/* (an empty side may be a NULL array: no memmove of it) */
	if (nf) {
		memmove(s->wfrees, s->wfrees + nf, (s->nwfrees - nf) * sizeof(*s->wfrees));
		s->nwfrees -= nf;
	}
	if (na) {
		memmove(s->wallocs, s->wallocs + na, (s->nwallocs - na) * sizeof(*s->wallocs));
		s->nwallocs -= na;
	}
	s->wmin = s->nwfrees ? s->wfrees[0].seq : UINT64_MAX; /* both sorted */
	if (s->nwallocs && fl_seqs_get(s->block_seq, s->wallocs[0]) < s->wmin)
		s->wmin = fl_seqs_get(s->block_seq, s->wallocs[0]);
	if (s->ndead * 2 >= p->nblocks)
		fl_heap_early_compact(s, p);
}

void fl_heap_stream_barrier(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq)
{
	uint64_t w = s->barrier_seq;
	int had = s->barriers > 0;
	s->barrier_seq = seq;
	s->barriers++;
	if (s->windowed && !s->collecting && had && s->wmin <= w)
		window_replay(s, p, w);
}

void fl_heap_stream_free(struct fl_heap_stream *s, struct fl_proc *p, uint64_t seq, uint64_t t,
			 uint64_t addr, int by)
{
	size_t hole, j;
	if (s->windowed && !s->collecting) {
		if (window_takes(s, p, seq, 1, addr)) {
			struct fl_heap_free *f = FL_PUSH(s->wfrees, s->nwfrees, s->capwfrees);
			*f = (struct fl_heap_free){seq, t, addr, (uint8_t)by};
			if (seq < s->wmin)
				s->wmin = seq;
		} else
			hold_free(s, seq, t, addr, by);
		return;
	}
	if (!replay_now(s, seq, 1, addr) || (j = live_find(&s->live, addr, &hole)) == NO_SLOT) {
		hold_free(s, seq, t, addr, by); /* a block read later may be its */
		return;
	}
	end_live(s, p, j, seq, t, by);
}

void fl_heap_stream_alloc(struct fl_heap_stream *s, struct fl_proc *p, struct fl_seqs *block_seq)
{
	size_t b = p->nblocks - 1;
	uint64_t seq = fl_seqs_get(block_seq, b);
	s->block_seq = block_seq;
	if (!s->nallocs++ || seq < s->min_seq)
		s->min_seq = seq;
	if (!s->collecting)
		fl_seqs_reserve(&s->end_seq, b); /* set when a free ends the block */
	if (s->windowed && !s->collecting) {
		/* a late one is replayed with its address once the file is read */
		if (window_takes(s, p, seq, 0, p->blocks[b].addr)) {
			size_t *w = FL_PUSH(s->wallocs, s->nwallocs, s->capwallocs);
			*w = b;
			if (seq < s->wmin)
				s->wmin = seq;
		}
		return;
	}
	if (!replay_now(s, seq, 0, p->blocks[b].addr))
		return; /* replayed with its address's calls once the file is read */
	add_live(p, &s->live, b);
}

/*
 * The addresses a late line touched, replayed again from scratch: the
 * replay is a separate story per address (a free ends the block live at its
 * own address, an allocation the block live at its own), so replaying these
 * addresses' calls in seq order, the others' having come in order, ends
 * every block as the replay of the whole file would. It holds what that
 * replay would, for these addresses only: their blocks' indices and frees.
 */
/* Whether a late line touched addr: asked of every block, so inline. */
static inline int is_late(const struct fl_u64map *late_addrs, uint64_t addr)
{
	size_t hole;
	return live_find(late_addrs, addr, &hole) != NO_SLOT;
}

static void redo_late(struct fl_heap_stream *s, struct fl_proc *p, const struct fl_seqs *block_seq)
{
	struct fl_heap_free *frees = NULL;
	size_t *idx = NULL, n = 0, cap = 0, nfrees = 0, capfrees = 0, b = 0, f = 0;
	struct fl_u64map live;
	for (size_t i = 0; i < p->nblocks; i++) {
		struct fl_block *x = &p->blocks[i];
		if (!is_late(&s->late_addrs, x->addr))
			continue;
		*(size_t *)fl_push_slot((void **)&idx, &cap, n++, sizeof(*idx)) = i;
		if (x->t_free != FL_T_NEVER && fl_block_freed_by(x) != FL_FN_COUNT) {
			struct fl_heap_free *f = FL_PUSH(frees, nfrees, capfrees);
			*f = (struct fl_heap_free){fl_seqs_get(&s->end_seq, i), x->t_free, x->addr,
						   (uint8_t)fl_block_freed_by(x)};
		}
		x->t_free = FL_T_NEVER;
		fl_block_set_freed_by(x, FL_FN_COUNT);
	}
	for (size_t i = 0; i < s->nfrees; i++) {
		struct fl_heap_free *f;
		if (!is_late(&s->late_addrs, s->frees[i].addr))
			continue;
		f = FL_PUSH(frees, nfrees, capfrees);
		*f = s->frees[i];
	}
	if (n)
		qsort_r(idx, n, sizeof(*idx), cmp_seq_idx, (void *)block_seq);
	order_frees(frees, nfrees);
	fl_u64map_init(&live);
	while (b < n || f < nfrees) { /* fl_heap_replay's loop, on these addresses */
		if (f < nfrees && (b == n || frees[f].seq <= fl_seqs_get(block_seq, idx[b]))) {
			free_block(p, &live, frees[f].addr, frees[f].t, frees[f].by);
			f++;
			continue;
		}
		add_live(p, &live, idx[b]);
		b++;
	}
	fl_u64map_release(&live);
	free(idx);
	free(frees);
}

void fl_heap_stream_finish(struct fl_heap_stream *s, struct fl_proc *p, struct fl_seqs *block_seq)
{
	if (s->windowed && !s->collecting)
		window_replay(s, p, UINT64_MAX);
	fl_heap_early_compact(s, p);
	if (s->collecting) {
		fl_heap_replay(p, block_seq, s->frees, s->nfrees);
		s->frees = NULL;
		fl_heap_stream_release(s);
		return;
	}
	if (s->nlate) {
		redo_late(s, p, block_seq);
		order_blocks(p, block_seq); /* a late allocation came after later ones */
	}
	fl_seqs_release(block_seq);
	fl_heap_stream_release(s);
}
