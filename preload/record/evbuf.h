/*
 * A per-thread single-producer single-consumer ring of variable-size event
 * records. The owning thread pushes (O(1), no lock, no allocation); the
 * writer drains under the writer lock. Records are 8-byte aligned; a record
 * may carry a trailing string (a mapped file's path).
 */
#ifndef FL_EVBUF_H
#define FL_EVBUF_H

#include <stddef.h>
#include <stdint.h>

enum fl_ev_kind {
	FL_EVK_PAD = 0,
	FL_EVK_ALLOC,
	FL_EVK_FREE,
	FL_EVK_REALLOC,
	FL_EVK_MMAP,
	FL_EVK_MUNMAP,
	FL_EVK_MREMAP,
	FL_EVK_MPROTECT,
	FL_EVK_MADVISE,
	FL_EVK_BRK,
	FL_EVK_ALLOC_FAILED, /* a[0] size asked, a[1] errno */
};

/* struct fl_event flags */
enum fl_ev_flags {
	/* The trailing data is a struct fl_commit (record/commit.h), not a
	 * path: the commit charge when a large reservation was made or an
	 * allocation failed. */
	FL_EVF_CHARGE = 1 << 0,
};

struct fl_event {
	uint32_t size; /* whole record, multiple of 8 */
	uint16_t kind; /* enum fl_ev_kind */
	uint16_t fn;   /* enum fl_call */
	uint32_t tid;
	uint32_t stack;
	uint64_t t;
	uint64_t seq;
	uint64_t a[8];	  /* kind-specific arguments, see writer.c; a[6] result, a[7] errno */
	uint32_t str_len; /* bytes of trailing string data (may hold NULs) */
	uint32_t flags;	  /* enum fl_ev_flags */
};

struct fl_evbuf {
	char *data;
	uint64_t cap;  /* power of two */
	uint64_t head; /* written by the producer */
	uint64_t tail; /* written by the consumer */
};

/* Maps the ring's memory; 0 or -1. */
int fl_evbuf_init(struct fl_evbuf *b, uint64_t cap);
/* The same in cap zeroed bytes the caller mapped (cap a power of two). */
void fl_evbuf_init_at(struct fl_evbuf *b, char *data, uint64_t cap);
/* Copies ev (and str_len bytes of str) into the ring, setting ev->size.
 * Returns -1 if the ring has no room (nothing written). */
int fl_evbuf_push(struct fl_evbuf *b, struct fl_event *ev, const void *str);
/* Calls fn for each complete record, then frees their space. Returns 0,
 * or the bytes given up from a record that fl_evbuf_push() cannot have
 * written (a stray write into the ring) to the head. */
uint64_t fl_evbuf_drain(struct fl_evbuf *b, void (*fn)(const struct fl_event *, void *), void *arg);
/* Forgets every record (fork child: they belong to the parent's trace). */
void fl_evbuf_reset(struct fl_evbuf *b);

#endif
