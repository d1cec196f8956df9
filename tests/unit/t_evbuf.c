/*
 * The event ring: events come out in the order they went in, with their
 * trailing strings; a full ring refuses a push; a drained ring starts
 * again at its first bytes (whose pages are faulted in already) with all
 * of its room, instead of running on into fresh pages; a ring that still
 * holds events runs on; and a consumer that finds nothing leaves the tail
 * alone; a record it cannot have written (a stray write) ends a drain,
 * which gives up the rest and says how many bytes. Then a producer and a
 * consumer thread at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "record/evbuf.h"

#define CAP 4096

struct seen {
	uint64_t next; /* the a[0] expected next */
	uint64_t count;
	int errors;
};

static void take(const struct fl_event *ev, void *arg)
{
	struct seen *s = arg;
	if (ev->a[0] != s->next || ev->kind != FL_EVK_ALLOC)
		s->errors++;
	if (ev->a[0] % 3 == 0 &&
	    (ev->str_len != 5 || memcmp((const char *)(ev + 1), "path", 5) != 0))
		s->errors++;
	s->next = ev->a[0] + 1;
	s->count++;
}

/* Pushes event i (every third with a string); its offset in the ring in
 * *at. */
static int push(struct fl_evbuf *b, uint64_t i, uint64_t *at)
{
	struct fl_event ev;
	int r;
	memset(&ev, 0, sizeof(ev));
	ev.kind = FL_EVK_ALLOC;
	ev.a[0] = i;
	ev.str_len = i % 3 == 0 ? 5 : 0;
	r = fl_evbuf_push(b, &ev, "path");
	*at = (b->head - ev.size) & (b->cap - 1);
	return r;
}

static struct fl_evbuf shared;
static volatile int done;

static void *consumer(void *arg)
{
	struct seen *s = arg;
	while (!done)
		fl_evbuf_drain(&shared, take, s);
	fl_evbuf_drain(&shared, take, s);
	return NULL;
}

int main(void)
{
	struct fl_evbuf b;
	struct seen s = {0}, cs = {0};
	uint64_t i = 0, at, prev_end, n, tail;
	pthread_t th;

	/* A drain that loops (a damaged record below, or a ring whose tail
	 * went back, sending the consumer round a cycle of stale records)
	 * fails the test (SIGALRM) rather than hang it. */
	alarm(120);
	CHECK(fl_evbuf_init(&b, CAP) == 0);
	/* Fill up: a full ring refuses. */
	while (push(&b, i, &at) == 0)
		i++;
	n = i;
	CHECK(n > 10);
	fl_evbuf_drain(&b, take, &s);
	CHECK_EQ_U64(s.count, i);

	for (int round = 0; round < 50; round++) {
		uint64_t k, m = (uint64_t)(round % 7) + 2;
		/* Drained: the next event lands at the ring's first byte... */
		CHECK_EQ_U64(b.head, b.tail);
		CHECK(push(&b, i++, &at) == 0);
		CHECK_EQ_U64(at, 0);
		/* ...and the ones after it follow it. */
		for (k = 1; k < m; k++) {
			prev_end = b.head & (CAP - 1);
			CHECK(push(&b, i++, &at) == 0);
			CHECK_EQ_U64(at, prev_end);
		}
		/* A drain that finds nothing leaves the tail where it is. */
		if (round == 7) {
			fl_evbuf_drain(&b, take, &s);
			tail = b.tail;
			fl_evbuf_drain(&b, take, &s);
			CHECK_EQ_U64(b.tail, tail);
			continue;
		}
		/* The whole ring is room again: it takes as many as at first,
		 * less the ones already in. */
		if (round == 20) {
			while (push(&b, i, &at) == 0)
				i++, k++;
			CHECK(k + 1 >= n);
		}
		fl_evbuf_drain(&b, take, &s);
	}
	CHECK_EQ_U64(s.count, i);
	CHECK_EQ_U64(s.errors, 0);

	/* A record the producer cannot have written (a stray write into the
	 * ring): the drain takes the records before it, gives up the rest
	 * and says how many bytes, instead of looping (a size of 0) or
	 * reading past what was written or past the ring's end; the ring
	 * works on afterwards. */
	for (int damage = 0; damage < 6; damage++) {
		uint64_t first, second, head, taken;
		struct fl_event *ev;
		fl_evbuf_drain(&b, take, &s);
		CHECK(push(&b, i++, &first) == 0);
		CHECK(push(&b, i++, &second) == 0);
		CHECK(push(&b, i++, &at) == 0);
		head = b.head;
		ev = (struct fl_event *)(b.data + second);
		switch (damage) {
		case 0:
			ev->size = 0;
			break; /* would loop forever */
		case 1:
			ev->size = 12;
			break; /* not a multiple of 8 */
		case 2:
			ev->size = (uint32_t)(head - b.tail) + 8;
			break; /* past the head */
		case 3:
			ev->size = CAP * 2;
			break; /* past the ring */
		case 4:
			ev->str_len = ev->size;
			break; /* its string past its end */
		default:
			ev->size = 8;
			ev->kind = FL_EVK_ALLOC;
			break; /* too short for an event */
		}
		taken = s.count;
		tail = b.tail + ((struct fl_event *)(b.data + first))->size; /* where it stops */
		CHECK_EQ_U64(fl_evbuf_drain(&b, take, &s), head - tail);
		CHECK_EQ_U64(s.count, taken + 1);
		CHECK_EQ_U64(b.tail, head);
		s.next = i; /* the two after it are gone */
		CHECK(push(&b, i++, &at) == 0);
		CHECK_EQ_U64(fl_evbuf_drain(&b, take, &s), 0);
		CHECK_EQ_U64(s.count, taken + 2);
	}
	CHECK_EQ_U64(s.errors, 0);
	/* A producer and a consumer at once: every event, in order. The
	 * consumer spins on a ring it often finds empty, where the producer
	 * moves the tail itself: a consumer that stored the tail it had read
	 * moved it back over newer events (1 run in 30 under ASan with one
	 * round; several rounds on a smaller ring make it show more often). */
	for (int round = 0; round < 8; round++) {
		memset(&cs, 0, sizeof(cs));
		done = 0;
		CHECK(fl_evbuf_init(&shared, round % 2 ? CAP : 1024) == 0);
		pthread_create(&th, NULL, consumer, &cs);
		for (i = 0; i < 200000;)
			if (push(&shared, i, &at) == 0)
				i++;
		done = 1;
		pthread_join(th, NULL);
		CHECK_EQ_U64(cs.count, i);
		CHECK_EQ_U64(cs.errors, 0);
	}
	return check_result();
}
