/*
 * Threads. Each traced thread ticks from a timer on its own CPU clock
 * (session/init.c), made as the thread registers. A thread that only
 * computes or touches memory would make no traced call and never tick, and
 * the perf buffers would fill unread (t3010): a new thread registers as it
 * starts. The start routine and its argument wait in a slot of a fixed
 * table (nothing of ours may allocate); with every slot taken the thread
 * starts as it is, and registers at its first traced call.
 */
#include <pthread.h>

#include "hooks/hooks.h"

#define START_SLOTS 256

struct start_slot {
	void *(*fn)(void *);
	void *arg;
	int used;
};
static struct start_slot slots[START_SLOTS];

static void *start_thread(void *p)
{
	struct start_slot *s = p;
	void *(*fn)(void *) = s->fn;
	void *arg = s->arg;
	__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
	if (__atomic_load_n(&fl_state, __ATOMIC_ACQUIRE) == FL_READY)
		fl_thread_get();
	return fn(arg);
}

static struct start_slot *claim_slot(void)
{
	for (int i = 0; i < START_SLOTS; i++) {
		int expect = 0;
		if (__atomic_compare_exchange_n(&slots[i].used, &expect, 1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return &slots[i];
	}
	return NULL;
}

FL_EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			     void *arg)
{
	struct start_slot *s;
	int r;
	if (!TRACING() || fl_proc_in_vfork_child() || !(s = claim_slot()))
		return REAL(pthread_create)(th, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	r = REAL(pthread_create)(th, attr, start_thread, s);
	if (r != 0)
		__atomic_store_n(&s->used, 0, __ATOMIC_RELEASE);
	return r;
}
