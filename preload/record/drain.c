/*
 * The drain: every thread's event ring formatted into trace lines (at each
 * tick, or when one thread's ring is full), and the heap line that sums
 * every thread's exact call counters. Formatting happens here, never at
 * push. All of it with the writer lock held.
 */
#include "record/drain.h"

#include <string.h>

#include "faultline/schema.h"
#include "record/commit.h"
#include "base/config.h"
#include "record/evbuf.h"
#include "record/heapcodec.h"
#include "record/record.h"
#include "record/sites.h"
#include "record/stacks.h"
#include "record/thread.h"
#include "trace/clock.h"
#include "trace/writer.h"

static const char *call_name(uint16_t fn)
{
	return fn < FL_CALL_COUNT ? fl_call_names[fn] : "?";
}

static void begin_event(struct fl_out *o, const struct fl_event *ev, const char *name)
{
	fl_stacks_ensure(o, ev->stack, ev->t, fl_seq_next);
	fl_out_begin(o, name, ev->t, ev->seq);
	fl_out_u64(o, FL_K_TID, ev->tid);
}

static void result_errno(struct fl_out *o, const struct fl_event *ev, int hex_result)
{
	if (hex_result)
		fl_out_hex(o, FL_K_RESULT, ev->a[6]);
	else
		fl_out_i64(o, FL_K_RESULT, (int64_t)ev->a[6]);
	fl_out_u64(o, FL_K_ERRNO, ev->a[7]);
	fl_out_u64(o, FL_K_STACK, ev->stack);
}

/* The commit charge an event carries (FL_EVF_CHARGE), as its two keys;
 * a figure meminfo lacked is left out. */
static void charge_keys(struct fl_out *o, const struct fl_event *ev)
{
	struct fl_commit c;
	if (!(ev->flags & FL_EVF_CHARGE) || ev->str_len < sizeof(c))
		return;
	memcpy(&c, ev + 1, sizeof(c));
	if (c.committed_as >= 0)
		fl_out_i64(o, FL_K_COMMITTED, c.committed_as);
	if (c.commit_limit >= 0)
		fl_out_i64(o, FL_K_COMMIT_LIMIT, c.commit_limit);
}

/* A failed allocation: JSON readers take integers up to INT64_MAX, so a
 * larger request (malloc(SIZE_MAX), an overflowing calloc) is written as
 * that and flagged. */
static void failed_event(struct fl_out *o, const struct fl_event *ev)
{
	begin_event(o, ev, FL_EV_ALLOC_FAILED);
	fl_out_str(o, FL_K_FUNC, call_name(ev->fn));
	fl_out_u64(o, FL_K_SIZE, ev->a[0] > INT64_MAX ? INT64_MAX : ev->a[0]);
	if (ev->a[0] > INT64_MAX)
		fl_out_bool(o, FL_K_SIZE_OVERFLOW, 1);
	fl_out_u64(o, FL_K_ERRNO, ev->a[1]);
	fl_out_u64(o, FL_K_STACK, ev->stack);
}

/* The heap events: 1 if ev is one (its line begun, not ended). */
static int heap_event(struct fl_out *o, const struct fl_event *ev)
{
	switch (ev->kind) {
	case FL_EVK_ALLOC:
		begin_event(o, ev, FL_EV_ALLOC);
		fl_out_str(o, FL_K_FUNC, call_name(ev->fn));
		fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_SIZE, ev->a[1]);
		fl_out_u64(o, FL_K_WEIGHT, ev->a[2]);
		fl_out_u64(o, FL_K_STACK, ev->stack);
		charge_keys(o, ev);
		break;
	case FL_EVK_ALLOC_FAILED:
		failed_event(o, ev);
		charge_keys(o, ev);
		break;
	case FL_EVK_FREE:
		begin_event(o, ev, FL_EV_FREE);
		fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_SIZE, ev->a[1]);
		break;
	case FL_EVK_REALLOC:
		begin_event(o, ev, FL_EV_REALLOC);
		fl_out_str(o, FL_K_FUNC, call_name(ev->fn));
		fl_out_hex(o, FL_K_OLD_ADDR, ev->a[0]);
		fl_out_hex(o, FL_K_ADDR, ev->a[1]);
		fl_out_u64(o, FL_K_SIZE, ev->a[2]);
		fl_out_u64(o, FL_K_WEIGHT, ev->a[3]);
		fl_out_u64(o, FL_K_OLD_SIZE, ev->a[4]);
		fl_out_u64(o, FL_K_STACK, ev->stack);
		charge_keys(o, ev);
		break;
	default:
		return 0;
	}
	return 1;
}

/* The mapping events (mmap family, brk): 1 if ev is one. */
static int map_event(struct fl_out *o, const struct fl_event *ev)
{
	switch (ev->kind) {
	case FL_EVK_MMAP:
		begin_event(o, ev, FL_EV_MMAP);
		fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_SIZE, ev->a[1]);
		fl_out_u64(o, FL_K_PROT, ev->a[2]);
		fl_out_u64(o, FL_K_FLAGS, ev->a[3]);
		fl_out_i64(o, FL_K_FD, (int64_t)(int)ev->a[4]);
		fl_out_u64(o, FL_K_OFFSET, ev->a[5]);
		result_errno(o, ev, 1);
		charge_keys(o, ev);
		if (ev->str_len && !(ev->flags & FL_EVF_CHARGE))
			fl_out_strn(o, FL_K_PATH, (const char *)(ev + 1),
				    strnlen((const char *)(ev + 1), ev->str_len));
		break;
	case FL_EVK_MUNMAP:
		begin_event(o, ev, FL_EV_MUNMAP);
		fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_SIZE, ev->a[1]);
		result_errno(o, ev, 0);
		break;
	case FL_EVK_MREMAP:
		begin_event(o, ev, FL_EV_MREMAP);
		fl_out_hex(o, FL_K_OLD_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_OLD_SIZE, ev->a[1]);
		fl_out_u64(o, FL_K_SIZE, ev->a[2]);
		fl_out_u64(o, FL_K_FLAGS, ev->a[3]);
		result_errno(o, ev, 1);
		break;
	case FL_EVK_MPROTECT:
	case FL_EVK_MADVISE:
		begin_event(o, ev, ev->kind == FL_EVK_MPROTECT ? FL_EV_MPROTECT : FL_EV_MADVISE);
		fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		fl_out_u64(o, FL_K_SIZE, ev->a[1]);
		fl_out_u64(o, ev->kind == FL_EVK_MPROTECT ? FL_K_PROT : FL_K_ADVICE, ev->a[2]);
		result_errno(o, ev, 0);
		break;
	case FL_EVK_BRK:
		begin_event(o, ev, FL_EV_BRK);
		fl_out_str(o, FL_K_FUNC, call_name(ev->fn));
		if (ev->fn == FL_CALL_SBRK)
			fl_out_i64(o, FL_K_SIZE, (int64_t)ev->a[0]);
		else
			fl_out_hex(o, FL_K_ADDR, ev->a[0]);
		result_errno(o, ev, 1);
		break;
	default:
		return 0;
	}
	return 1;
}

static void format_event(const struct fl_event *ev, void *arg)
{
	struct fl_out *o = arg;
	if (fl_trace.stopped)
		return;
	/* A line with a commit charge keeps its own keys: the compact form
	 * has no place for them. */
	if (fl_config.compact && !(ev->flags & FL_EVF_CHARGE) && fl_heapcodec_add(o, ev))
		return;
	/* The calls before it first: the lines keep the order of the ring. */
	fl_heapcodec_flush(o);
	if (!heap_event(o, ev) && !map_event(o, ev))
		return;
	fl_out_end(o);
	fl_writer_write(0);
}

/* Lock held: t's events out, and a note if some of them were unreadable. */
static void drain_ring(struct fl_thread *t, struct fl_out *o)
{
	uint64_t lost = fl_evbuf_drain(&t->ring, format_event, o);
	fl_heapcodec_flush(o);
	if (FL_UNLIKELY(lost))
		fl_writer_note(
		    "ring_damaged",
		    "a thread's event ring held a record the shim cannot have written (a "
		    "stray write into its memory); its bytes to the end were given up",
		    lost);
}

void fl_drain_thread(struct fl_thread *t)
{
	drain_ring(t, fl_writer_out());
	fl_writer_write(0);
}

void fl_drain_all(void)
{
	struct fl_out *o = fl_writer_out();
	/* A new epoch once a second at most (heapcodec.c): a line lost on the way costs
	 * the reader one epoch's calls at most. */
	fl_heapcodec_reset();
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		int st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (st == FL_TS_FREE)
			continue;
		drain_ring(t, o);
		if (t->dropped) {
			fl_writer_note("dropped", "event ring full", t->dropped);
			t->dropped = 0;
		}
		if (st == FL_TS_DEAD) {
			fl_sites_flush(&t->site_pend);
			fl_thread_retire(t);
		}
	}
}

void fl_drain_heap_line(void)
{
	struct fl_out *o = fl_writer_out();
	uint64_t calls[FL_CALL_COUNT], bytes[FL_CALL_COUNT];
	int64_t live = __atomic_load_n(&fl_refill_line.retired_live, __ATOMIC_RELAXED);

	for (int i = 0; i < FL_CALL_COUNT; i++) {
		calls[i] = __atomic_load_n(&fl_retired_calls[i], __ATOMIC_RELAXED);
		bytes[i] = __atomic_load_n(&fl_retired_bytes[i], __ATOMIC_RELAXED);
	}
	for (struct fl_thread *t = fl_thread_first(); t; t = t->next) {
		if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == FL_TS_FREE)
			continue;
		struct fl_hot h;
		fl_thread_hot_read(t, &h);
		for (int i = 0; i < FL_CALL_COUNT; i++) {
			calls[i] += fl_hot_calls(t, &h, i);
			bytes[i] += fl_hot_bytes(t, &h, i);
		}
		live += fl_hot_live(&h);
	}
	if (live < 0)
		live = 0;
	fl_record_peak_update((uint64_t)live);

	fl_out_begin(o, FL_EV_HEAP, fl_now(), fl_seq_next());
	fl_out_key(o, FL_K_CALLS);
	fl_out_obj_open(o);
	for (int i = 0; i < FL_CALL_COUNT; i++)
		fl_out_u64(o, fl_call_names[i], calls[i]);
	fl_out_obj_close(o);
	fl_out_key(o, FL_K_BYTES);
	fl_out_obj_open(o);
	for (int i = 0; i < FL_CALL_COUNT; i++)
		if (bytes[i])
			fl_out_u64(o, fl_call_names[i], bytes[i]);
	fl_out_obj_close(o);
	fl_out_u64(o, FL_K_LIVE, (uint64_t)live);
	fl_out_u64(o, FL_K_PEAK, __atomic_load_n(&fl_trace.peak_live, __ATOMIC_RELAXED));
	fl_out_end(o);
}
