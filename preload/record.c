#include "record.h"

#include <math.h>
#include <string.h>

#include "config.h"
#include "init.h"
#include "ptrset.h"
#include "resolve.h"
#include "stacks.h"
#include "sys.h"
#include "writer.h"

static uint64_t next_random(struct fl_thread *t)
{
	/* xorshift64*: fast, per thread, no lock */
	uint64_t x = t->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Bytes until the next sample: exponential with mean sample_bytes, so that
 * sampling is a Poisson process over allocated bytes (as in tcmalloc). */
static uint64_t draw_interval(struct fl_thread *t)
{
	double u = ((double)(next_random(t) >> 11) + 0.5) / 9007199254740992.0;
	double v = -log(u) * (double)fl_config.sample_bytes;
	return v < 1.0 ? 1 : (uint64_t)v;
}

/* Whether to record an allocation of size bytes, and what it stands for. */
static int sample_due(struct fl_thread *t, size_t size, uint64_t *weight)
{
	if (fl_config.all || size >= fl_config.large_bytes) {
		*weight = size;
		return 1;
	}
	if (t->until_sample == 0)
		t->until_sample = draw_interval(t);
	if (t->until_sample > size) {
		t->until_sample -= size;
		return 0;
	}
	t->until_sample = draw_interval(t);
	/* P(sampled) = 1 - exp(-size/T): weighting by its inverse keeps the
	 * per-site byte estimates unbiased. */
	double p = -expm1(-(double)size / (double)fl_config.sample_bytes);
	*weight = p > 0 ? (uint64_t)((double)size / p + 0.5) : size;
	return 1;
}

void fl_record_nested(enum fl_call c, uint64_t bytes, int64_t live_delta)
{
	struct fl_thread *t = fl_tls_self;
	if (fl_state != FL_READY || fl_tls_guard != 1 || !t)
		return;
	t->calls[c]++;
	t->bytes[c] += bytes;
	t->live += live_delta;
}

void fl_record_push(struct fl_thread *t, struct fl_event *ev, const void *str)
{
	if (fl_evbuf_push(&t->ring, ev, str) == 0)
		return;
	/* Ring full: write it out ourselves. The writer never waits for a
	 * program thread, so taking its lock here cannot deadlock. */
	fl_writer_lock();
	fl_writer_drain_thread(t);
	fl_writer_unlock();
	if (fl_evbuf_push(&t->ring, ev, str) != 0)
		t->dropped++;
}

static void fill(struct fl_thread *t, struct fl_event *ev, enum fl_ev_kind kind, enum fl_call c)
{
	ev->kind = (uint16_t)kind;
	ev->fn = (uint16_t)c;
	ev->tid = (uint32_t)t->tid;
	ev->t = fl_now();
	ev->seq = fl_seq_next();
}

void fl_record_alloc(enum fl_call c, void *p, size_t size)
{
	struct fl_thread *t = fl_thread_get();
	size_t usable = p ? fl_real.malloc_usable_size(p) : 0;
	uint64_t weight;
	struct fl_event ev;

	if (!t) {
		fl_thread_count_orphan(c, size, (int64_t)usable);
		return;
	}
	t->calls[c]++;
	t->bytes[c] += size;
	t->live += (int64_t)usable;
	if (!p || !sample_due(t, size, &weight))
		return;
	memset(&ev, 0, sizeof(ev));
	ev.stack = fl_stacks_capture();
	if (fl_ptrset_insert((uintptr_t)p, size, ev.stack) != 0)
		return;
	fill(t, &ev, FL_EVK_ALLOC, c);
	ev.a[0] = (uintptr_t)p;
	ev.a[1] = size;
	ev.a[2] = weight;
	fl_record_push(t, &ev, NULL);
}

void fl_record_free(void *p)
{
	struct fl_thread *t = fl_thread_get();
	size_t usable = fl_real.malloc_usable_size(p);
	uint64_t size;
	uint32_t stack;
	struct fl_event ev;

	if (!t) {
		fl_thread_count_orphan(FL_CALL_FREE, 0, -(int64_t)usable);
		return;
	}
	t->calls[FL_CALL_FREE]++;
	t->live -= (int64_t)usable;
	if (!fl_ptrset_remove((uintptr_t)p, &size, &stack))
		return;
	memset(&ev, 0, sizeof(ev));
	fill(t, &ev, FL_EVK_FREE, FL_CALL_FREE);
	ev.a[0] = (uintptr_t)p;
	ev.a[1] = size;
	fl_record_push(t, &ev, NULL);
}

void fl_record_realloc(enum fl_call c, void *old, size_t old_usable, void *p, size_t size)
{
	struct fl_thread *t = fl_thread_get();
	size_t usable = p ? fl_real.malloc_usable_size(p) : 0;
	uint64_t old_size = 0, weight;
	uint32_t old_stack;
	int old_recorded = 0;
	struct fl_event ev;

	if (!t) {
		fl_thread_count_orphan(c, size, (int64_t)usable - (int64_t)old_usable);
		return;
	}
	t->calls[c]++;
	t->bytes[c] += size;
	/* A failed realloc leaves the old block alone. */
	if (!p && size)
		return;
	t->live += (int64_t)usable - (int64_t)old_usable;
	if (old)
		old_recorded = fl_ptrset_remove((uintptr_t)old, &old_size, &old_stack);
	memset(&ev, 0, sizeof(ev));
	if (p && sample_due(t, size, &weight)) {
		ev.stack = fl_stacks_capture();
		if (fl_ptrset_insert((uintptr_t)p, size, ev.stack) == 0) {
			fill(t, &ev, FL_EVK_REALLOC, c);
			ev.a[0] = old_recorded ? (uintptr_t)old : 0;
			ev.a[1] = (uintptr_t)p;
			ev.a[2] = size;
			ev.a[3] = weight;
			ev.a[4] = old_size;
			fl_record_push(t, &ev, NULL);
			return;
		}
	}
	if (old_recorded) {
		fill(t, &ev, FL_EVK_FREE, FL_CALL_FREE);
		ev.a[0] = (uintptr_t)old;
		ev.a[1] = old_size;
		fl_record_push(t, &ev, NULL);
	}
}

void fl_record_event(enum fl_call c, struct fl_event *ev, const void *str, int want_stack)
{
	struct fl_thread *t = fl_thread_get();
	if (!t) {
		fl_thread_count_orphan(c, 0, 0);
		return;
	}
	t->calls[c]++;
	if (want_stack)
		ev->stack = fl_stacks_capture();
	fill(t, ev, (enum fl_ev_kind)ev->kind, c);
	fl_record_push(t, ev, str);
}
