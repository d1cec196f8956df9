#!/bin/sh
# The program's kernel-mode faults between its exec and the shim's perf
# counters (the kernel loading it): `record` counts them with a kernel-mode
# counter enabled at the exec and hands its fd to the shim, which reads it
# once into exec_kernel_minflt and closes it. The program sees neither the
# fd nor the variable. Before, these faults were missing from gap_minor
# (tests/real/kernel-gap-python.sh: 47 against perf stat's 54).
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null && perf stat -e minor-faults:k -x, -o /dev/null true 2>/dev/null ||
	skip_all "perf cannot count kernel-mode minor faults here"

cat >"$TMP/fds.c" <<'PROG'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct rlimit rl;
	int first = open("/dev/null", O_RDONLY), n = 0, self = dirfd(d);
	long top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 ? (long)rl.rlim_cur : 4096;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		/* the shim's own sit in the last 64 below min(RLIMIT_NOFILE, 4096);
		 * record's counter went to the middle until the shim closed it */
		if (e->d_name[0] != '.' && fd != self && fd < top - 64)
			n++;
	}
	printf("first open %d, %d fds below the shim's, variable %s\n", first, n,
	       getenv("FAULTLINE_EXEC_FAULTS_FD") ? "set" : "unset");
	return 0;
}
PROG

test_expect_success 'the program sees the same fds and environment as natively' '
	cc -o "$TMP/fds" "$TMP/fds.c" &&
	"$TMP/fds" >"$TMP/n.out" &&
	"$FL" record -q -o "$TMP/t" -- "$TMP/fds" >"$TMP/t.out" &&
	cat "$TMP/t.out" &&
	diff -u "$TMP/n.out" "$TMP/t.out"
'

test_expect_success 'the counters lines carry the faults from the exec' '
	cat "$TMP"/t/*.ndjson | grep "\"e\":\"counters\"" | tail -n 1 >"$TMP/last" &&
	k=$(jq .exec_kernel_minflt "$TMP/last") && say "# exec_kernel_minflt $k" &&
	test "$k" -ge 1 &&
	"$FL" report --json "$TMP/t" >"$TMP/r.json" &&
	test "$(jq ".sections.faults.processes[0].counts.kernel_minflt_before_perf" "$TMP/r.json")" = "$k"
'

test_expect_success 'without record (a bare preload) the key is absent, not made up' '
	preload "$TMP/b" "$TMP/fds" >/dev/null &&
	cat "$TMP"/b/*.ndjson | grep "\"e\":\"counters\"" | tail -n 1 |
		jq -e "has(\"exec_kernel_minflt\") | not" >/dev/null
'
test_done
