/*
 * The early fold of the heap's freed blocks, as a report's load reads the
 * file (see heap_replay.h). A report folds every process once the file is
 * read (model/heap_fold.h): a freed block then leaves, having given its
 * share to the figures that outlive it. With a line per heap call (`record
 * --all`, `--large 1`) that fold came after the load had held every block
 * the trace recorded: 10 million malloc/free pairs took ~800 MB to load
 * where the program's heap held 1000 blocks. So a block leaves when its
 * free is read instead, when the fold would take it then and nothing read
 * later can ask about it:
 *
 * - its site's figures come from the process's own "sites" lines (--all:
 *   exact; the fold computes them from the blocks only when there is no
 *   such line, so the fold waits for the first one);
 * - it is smaller than a reservation (fl_heap_large_size): the overcommit
 *   section keeps every large block, freed or not;
 * - no fault sample hit its pages while it was live: the classifier looks
 *   for the block live under each sample. The samples come later in the
 *   file than the blocks they hit, or earlier (each thread's buffers are
 *   written at its own ticks), so they are read first, once, in a pass of
 *   their own (model/sampled_pages.h), and only after FOLD_AFTER blocks
 *   could have gone: a small trace is loaded exactly as before;
 * - the process records no wss lines (they look up the block under each
 *   region at its line's time); the header says so;
 * - a free ended it as the lines came in order: a late line (another
 *   thread's buffer written late) may end a block again once the file is
 *   read (the replay of its address), and a late address's blocks stay;
 *   a block ended by the allocation of another at its address stays too;
 * - it is not the first block read (the heap's first allocation time);
 * - the replay is not collecting the whole file (too many late lines).
 *
 * The count of blocks folded early joins the fold's count of recorded
 * blocks, and each thread's span of their allocation times is kept (the
 * perfetto export's thread tracks). export --format json, which lists
 * every block, does not fold; addr, which asks about the blocks at one
 * address, folds every other block ended in order
 * (fl_model_fold_but_addr), whatever the conditions above.
 */
#include "model/heap_replay.h"

#include <stdlib.h>
#include <string.h>

#include "faultline/schema.h"
#include "model/heap_fold.h"
#include "read/reader.h"
#include "util/xalloc.h"

int fl_model_fold_early;
uint64_t fl_model_fold_but_addr = FL_FOLD_ADDR_NONE;

/* Blocks the fold could take before it starts (the samples' pass runs
 * then): a trace with fewer is loaded as it always was. */
#define FOLD_AFTER 65536
/* Folded blocks that wait in p->blocks before they are compacted away, at
 * least: a compaction moves every block kept. */
#define COMPACT_MIN 65536

static int decide(const struct fl_proc *p)
{
	json_t *wss = json_object_get(p->options, "wss");
	/* for tests: the same command's output without the fold */
	if (getenv(FL_MODEL_NO_EARLY_FOLD_ENV))
		return -1;
	if (fl_model_fold_but_addr != FL_FOLD_ADDR_NONE)
		return 1;
	/* an older trace without the key may hold wss lines */
	return fl_model_fold_early && json_is_false(wss) ? 1 : -1;
}

static int dead_at(const struct fl_heap_stream *s, size_t b)
{
	return b / 64 < s->capdead && (s->dead[b / 64] >> (b % 64) & 1);
}

static void mark_dead(struct fl_heap_stream *s, size_t b)
{
	if (b / 64 >= s->capdead) {
		size_t cap = s->capdead ? s->capdead : 1024;
		while (cap <= b / 64)
			cap *= 2;
		s->dead = fl_xrealloc(s->dead, cap * sizeof(*s->dead));
		memset(s->dead + s->capdead, 0, (cap - s->capdead) * sizeof(*s->dead));
		s->capdead = cap;
	}
	s->dead[b / 64] |= 1ull << (b % 64);
	s->ndead++;
}

/* Whether the report's heap fold would take block b and nothing it
 * computes after the load can ask about b (see above). */
static int foldable(struct fl_heap_stream *s, struct fl_proc *p, size_t b)
{
	const struct fl_block *x = &p->blocks[b];
	uint64_t size = fl_block_size(p, x);
	int64_t period;
	if (!s->fold)
		s->fold = decide(p);
	if (s->fold < 0 || s->collecting || !s->block_seq)
		return 0;
	/* ended by a free read in order, and not the first block */
	if (fl_seqs_get(s->block_seq, b) <= s->min_seq || fl_block_freed_by(x) == FL_FN_COUNT ||
	    fl_u64map_get(&s->late_addrs, x->addr))
		return 0;
	if (fl_model_fold_but_addr != FL_FOLD_ADDR_NONE) /* addr: any but the address's */
		return fl_model_fold_but_addr < x->addr ||
		       fl_model_fold_but_addr - x->addr >= (size ? size : 1);
	if (!p->nsites || size >= fl_heap_large_size(p))
		return 0;
	if (++s->candidates < FOLD_AFTER)
		return 0;
	if (!s->sampled_read) {
		s->sampled_read = 1;
		fl_sampled_pages_init(&s->sampled);
		period = fl_json_get_int(p->options, "faults_period", -1);
		if (p->file && period != 0)
			fl_sampled_pages_read(&s->sampled, p->file);
	}
	return !fl_sampled_pages_hit(&s->sampled, x->addr, x->addr + (size ? size : 1), x->t_alloc,
				     x->t_free);
}

/* Block x's thread and allocation time join the thread's span of folded
 * blocks (a thread or two a process, often; a few hundred at most). */
static void keep_tid_span(struct fl_proc *p, const struct fl_block *x)
{
	int32_t tid = fl_block_tid(p, x);
	size_t i;
	for (i = 0; i < p->nearly_tids && p->early_tids[i].tid != tid; i++)
		;
	if (i == p->nearly_tids) {
		p->early_tids =
		    fl_xrealloc(p->early_tids, (p->nearly_tids + 1) * sizeof(*p->early_tids));
		p->early_tids[p->nearly_tids++] = (struct fl_tid_span){tid, x->t_alloc, x->t_alloc};
		return;
	}
	if (x->t_alloc < p->early_tids[i].first)
		p->early_tids[i].first = x->t_alloc;
	if (x->t_alloc > p->early_tids[i].last)
		p->early_tids[i].last = x->t_alloc;
}

void fl_heap_early_ended(struct fl_heap_stream *s, struct fl_proc *p, size_t b)
{
	if (!foldable(s, p, b))
		return;
	keep_tid_span(p, &p->blocks[b]);
	mark_dead(s, b);
	p->nblocks_dropped++;
	if (!s->in_window && s->ndead >= COMPACT_MIN && s->ndead * 2 >= p->nblocks)
		fl_heap_early_compact(s, p);
}

/* Where block old goes in the compaction; before[w]: folded blocks before word w. */
static size_t moved(const struct fl_heap_stream *s, const uint32_t *before, size_t old)
{
	uint64_t below =
	    old / 64 < s->capdead && old % 64 ? s->dead[old / 64] & ((1ull << (old % 64)) - 1) : 0;
	return old - before[old / 64] - (size_t)__builtin_popcountll(below);
}

void fl_heap_early_compact(struct fl_heap_stream *s, struct fl_proc *p)
{
	size_t n = p->nblocks, nw = (n + 63) / 64, k = 0;
	uint32_t *before; /* folded blocks before each word of s->dead */
	uint32_t acc = 0;
	if (!s->ndead)
		return;
	before = fl_xmalloc((nw ? nw : 1) * sizeof(*before));
	for (size_t w = 0; w < nw; w++) {
		before[w] = acc;
		acc += w < s->capdead ? (uint32_t)__builtin_popcountll(s->dead[w]) : 0;
	}
	/* The live table and the window hold indices: each moves down by the
	 * folded blocks before it (none of them is folded: neither has ended). */
	for (size_t i = 0; i < s->live.cap; i++)
		if (s->live.keys[i] != UINT64_MAX)
			s->live.vals[i] = moved(s, before, s->live.vals[i] - 1) + 1;
	for (size_t i = 0; i < s->nwallocs; i++)
		s->wallocs[i] = moved(s, before, s->wallocs[i]);
	for (size_t i = 0; i < n; i++) {
		if (dead_at(s, i))
			continue;
		if (k != i) {
			p->blocks[k] = p->blocks[i];
			fl_seqs_set(s->block_seq, k, fl_seqs_get(s->block_seq, i));
			if (i < s->end_seq.n)
				fl_seqs_set(&s->end_seq, k, fl_seqs_get(&s->end_seq, i));
		}
		k++;
	}
	p->nblocks = k;
	s->block_seq->n = k;
	if (s->end_seq.n > k)
		s->end_seq.n = k;
	memset(s->dead, 0, s->capdead * sizeof(*s->dead));
	s->ndead = 0;
	free(before);
}

void fl_heap_early_release(struct fl_heap_stream *s)
{
	free(s->dead);
	s->dead = NULL;
	s->capdead = s->ndead = 0;
	if (s->sampled_read)
		fl_sampled_pages_release(&s->sampled);
	s->sampled_read = 0;
}
