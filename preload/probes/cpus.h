/*
 * The CPUs a per-CPU perf event can be opened on: the online ones, by
 * number. Online CPUs need not be numbered 0..n-1: a CPU taken offline
 * (hotplug, SMT switched off with siblings numbered in between) leaves a
 * gap, and the numbers above the gap are online all the same. The kernel
 * lists them in /sys/devices/system/cpu/online ("0-3,8-11").
 */
#ifndef FL_CPUS_H
#define FL_CPUS_H

/* Parses a kernel CPU list ("0-3,8-11\n", cpulist_parse's format) into
 * ids, in ascending order: the number of CPUs it names (which may be more
 * than max: only the first max are stored), or -1 when text is not such a
 * list (an empty one, a range that runs backwards, anything else). */
int fl_cpus_parse(const char *text, int *ids, int max);

/* The online CPUs' numbers into ids (at most max): their count, as
 * fl_cpus_parse. Without the sysfs file (not mounted, unreadable), CPUs
 * 0 to sysconf(_SC_NPROCESSORS_ONLN) - 1. */
int fl_cpus_online(int *ids, int max);

#endif
