/* The online CPUs by number (preload/probes/cpus.c): the kernel's list
 * format, gaps included, and this machine's own list. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "probes/cpus.h"

static void ranges_and_gaps(void)
{
	int ids[16];
	CHECK_EQ_U64(fl_cpus_parse("0\n", ids, 16), 1);
	CHECK_EQ_U64(ids[0], 0);
	/* SMT off with siblings numbered in between, or a CPU taken offline:
	 * the numbers above the gap are online all the same. */
	CHECK_EQ_U64(fl_cpus_parse("0-3,8-11\n", ids, 16), 8);
	CHECK_EQ_U64(ids[3], 3);
	CHECK_EQ_U64(ids[4], 8);
	CHECK_EQ_U64(ids[7], 11);
	CHECK_EQ_U64(fl_cpus_parse("1,3,5", ids, 16), 3);
	CHECK_EQ_U64(ids[0], 1);
	CHECK_EQ_U64(ids[2], 5);
	CHECK_EQ_U64(fl_cpus_parse("0-1,4,6-7\n", ids, 16), 5);
	CHECK_EQ_U64(ids[2], 4);
	CHECK_EQ_U64(ids[3], 6);
}

static void counts_beyond_room(void)
{
	int ids[4] = {-1, -1, -1, -1};
	/* The count says how many; only max are stored. */
	CHECK_EQ_U64(fl_cpus_parse("0-1023\n", ids, 2), 1024);
	CHECK_EQ_U64(ids[1], 1);
	CHECK_EQ_U64(ids[2], (unsigned long long)-1);
	CHECK_EQ_U64(fl_cpus_parse("0-8191", NULL, 0), 8192);
}

static void not_a_list(void)
{
	int ids[8];
	CHECK(fl_cpus_parse("", ids, 8) == -1);
	CHECK(fl_cpus_parse("\n", ids, 8) == -1);
	CHECK(fl_cpus_parse("3-1", ids, 8) == -1);
	CHECK(fl_cpus_parse("0-3,2", ids, 8) == -1); /* out of order */
	CHECK(fl_cpus_parse("0,,1", ids, 8) == -1);
	CHECK(fl_cpus_parse("0-", ids, 8) == -1);
	CHECK(fl_cpus_parse("a", ids, 8) == -1);
	CHECK(fl_cpus_parse("0 x", ids, 8) == -1);
	CHECK(fl_cpus_parse("99999999999", ids, 8) == -1);
}

/* This machine's: as many as sysconf says are online, ascending, each a
 * CPU the kernel has a directory for. */
static void this_machine(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int n = fl_cpus_online(NULL, 0), *ids;
	CHECK(online >= 1);
	CHECK_EQ_U64(n, online);
	ids = calloc((size_t)n, sizeof(*ids));
	CHECK(ids != NULL);
	if (!ids)
		return;
	CHECK_EQ_U64(fl_cpus_online(ids, n), n);
	for (int i = 0; i < n; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", ids[i]);
		CHECK(i == 0 || ids[i] > ids[i - 1]);
		CHECK(access("/sys/devices/system/cpu", F_OK) != 0 || access(path, F_OK) == 0);
	}
	free(ids);
}

int main(void)
{
	ranges_and_gaps();
	counts_beyond_room();
	not_a_list();
	this_machine();
	return check_result();
}
