#include "record/evbuf.h"

#include <string.h>

#include "base/sys.h"

int fl_evbuf_init(struct fl_evbuf *b, uint64_t cap)
{
	char *data = fl_sys_alloc_pages(cap);
	if (!data)
		return -1;
	fl_evbuf_init_at(b, data, cap);
	return 0;
}

void fl_evbuf_init_at(struct fl_evbuf *b, char *data, uint64_t cap)
{
	b->data = data;
	b->cap = cap;
	b->head = b->tail = 0;
}

int fl_evbuf_push(struct fl_evbuf *b, struct fl_event *ev, const void *str)
{
	uint64_t need = (sizeof(*ev) + ev->str_len + 7) & ~(uint64_t)7;
	uint64_t head = b->head;
	uint64_t tail = __atomic_load_n(&b->tail, __ATOMIC_ACQUIRE);
	uint64_t off = head & (b->cap - 1);
	uint64_t to_end = b->cap - off;
	uint64_t pad = to_end < need ? to_end : 0;
	/* Drained: start again at the ring's first bytes, whose pages are
	 * faulted in already, instead of running on into fresh ones (a page
	 * fault costs more than the event: ~250 of them in bench/malloc_bench's
	 * 10M pairs, 1.5-7 us each here). The rest of the ring is padded and
	 * the tail moved past the pad, so that the whole ring is room again: a
	 * consumer that read the old tail skips the pad (written before the
	 * head is), and one that finds nothing to drain does not store the
	 * tail (fl_evbuf_drain), so it cannot move it back. */
	if (head == tail && off >= need &&
	    __atomic_compare_exchange_n(&b->tail, &tail, tail + to_end, 0, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		struct fl_event *p = (struct fl_event *)(b->data + off);
		p->size = (uint32_t)to_end;
		p->kind = FL_EVK_PAD;
		tail += to_end;
		head += to_end;
		off = 0;
		pad = 0;
	}
	if (need + pad > b->cap - (head - tail))
		return -1;
	if (pad) {
		struct fl_event *p = (struct fl_event *)(b->data + off);
		p->size = (uint32_t)pad;
		p->kind = FL_EVK_PAD;
		head += pad;
		off = 0;
	}
	ev->size = (uint32_t)need;
	memcpy(b->data + off, ev, sizeof(*ev));
	if (ev->str_len)
		memcpy(b->data + off + sizeof(*ev), str, ev->str_len);
	__atomic_store_n(&b->head, head + need, __ATOMIC_RELEASE);
	return 0;
}

/* Whether the record at ring offset off, with avail bytes written from
 * there, is one fl_evbuf_push() could have written: a multiple of 8 that
 * ends inside what was written and before the ring's end, and an event
 * long enough for its string. */
static int record_sound(const struct fl_evbuf *b, uint64_t off, uint64_t avail)
{
	const struct fl_event *ev = (const struct fl_event *)(b->data + off);
	uint64_t size = ev->size;
	if (size < 8 || size % 8 != 0 || size > avail || size > b->cap - off)
		return 0;
	if (ev->kind == FL_EVK_PAD)
		return 1;
	return size >= sizeof(*ev) && size - sizeof(*ev) >= ev->str_len;
}

uint64_t fl_evbuf_drain(struct fl_evbuf *b, void (*fn)(const struct fl_event *, void *), void *arg)
{
	uint64_t head = __atomic_load_n(&b->head, __ATOMIC_ACQUIRE);
	/* atomic: the producer moves it too (a compare-exchange, on an empty ring) */
	uint64_t tail0 = __atomic_load_n(&b->tail, __ATOMIC_RELAXED), tail = tail0, lost = 0;

	while (tail < head) {
		uint64_t off = tail & (b->cap - 1);
		const struct fl_event *ev = (const struct fl_event *)(b->data + off);
		/* The ring is the program's memory: a stray write into it (a
		 * bug of the program's, or of the shim's) can leave a size that
		 * would send this loop round forever, with the writer's lock
		 * held, or out of the ring. The rest of what was written is
		 * given up instead, and its bytes returned. */
		if (!record_sound(b, off, head - tail)) {
			lost = head - tail;
			tail = head;
			break;
		}
		if (ev->kind != FL_EVK_PAD)
			fn(ev, arg);
		tail += ev->size;
	}
	/* Nothing drained, nothing stored: the producer may have moved the
	 * tail itself since it was read (fl_evbuf_push, on an empty ring), and
	 * storing the value read would move it back, over events the producer
	 * has written since into the room it got (t_evbuf lost events that
	 * way, 1 run in 30 under ASan). Something drained: the ring was not
	 * empty, so the producer cannot have moved the tail. */
	if (tail != tail0)
		__atomic_store_n(&b->tail, tail, __ATOMIC_RELEASE);
	return lost;
}

void fl_evbuf_reset(struct fl_evbuf *b)
{
	b->head = b->tail = 0;
}
