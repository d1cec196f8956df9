/*
 * One tick of the session: the session asks each producer to emit its lines
 * (the threads' events, the heap totals, the sites, the probes, the maps)
 * and the writer to write them. By the ticker each interval; final at exit
 * and exec.
 */
#ifndef FL_TICK_H
#define FL_TICK_H

/* Takes the writer lock. */
void fl_tick(int final);
/* The same with the lock held. */
void fl_tick_locked(int final);

#endif
