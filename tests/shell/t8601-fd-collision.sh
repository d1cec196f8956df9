#!/bin/sh
# The shim's fds are visible numbers that the program may take for its own
# (exec 902<file, dup2 onto 901): the shim checks before every read, poll
# and close that an fd still is the file it opened, and never touches one
# that is not. Its perf reads used to eat 8 bytes a tick of a program's file
# on the shim's numbers, and a child's fork handler closed the program's fd
# (then cat read a perf counter forever).
. "$(dirname "$0")/lib.sh"

# 802: one of the numbers the shim took before it moved to the top of the
# fd range; 902: the issue's case.
test_expect_success 'bash: exec 802<file; cat <&802 | wc -l, as natively (it hung)' '
	for fd in 802 902; do
		bash -c "exec $fd</etc/services; cat <&$fd | wc -l" >"$TMP/n$fd" &&
		timeout 60 "$FL" record -q -o "$TMP/t$fd" --interval 5 -- \
			bash -c "exec $fd</etc/services; cat <&$fd | wc -l" >"$TMP/t$fd.out" &&
		diff -u "$TMP/n$fd" "$TMP/t$fd.out" || exit 1
	done
'

cat >"$TMP/fds.c" <<'PROG'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Puts the file on every fd from 800 to HI (the shim's numbers among them),
 * then reads each a byte at a time over many ticks: every fd must give
 * exactly the file's bytes. */
#define LO 800
int main(int argc, char **argv)
{
	struct timespec ms = {0, 1000000};
	static long total[4096];
	int bad = 0, hi = atoi(argv[3]);
	if (argc != 4 || hi >= LO + 4096)
		return 3;
	for (int fd = LO; fd <= hi; fd++) {
		int f = open(argv[1], O_RDONLY);
		if (f < 0 || dup2(f, fd) != fd)
			return 2;
		close(f);
	}
	for (int round = 0; round < 40; round++) {
		for (int fd = LO; fd <= hi; fd++) {
			char c;
			if (read(fd, &c, 1) == 1)
				total[fd - LO]++;
		}
		nanosleep(&ms, NULL);
	}
	for (int fd = LO; fd <= hi; fd++) {
		char buf[4096];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total[fd - LO] += n;
		if (total[fd - LO] != atol(argv[2])) {
			printf("fd %d: %ld bytes\n", fd, total[fd - LO]);
			bad = 1;
		}
	}
	return bad;
}
PROG

test_expect_success 'a program reading files on fds 800-905 gets exactly their bytes' '
	cc -o "$TMP/fds" "$TMP/fds.c" &&
	size=$(wc -c </etc/services) &&
	"$TMP/fds" /etc/services $size 905 &&
	"$FL" record -q -o "$TMP/t2" --interval 5 -- "$TMP/fds" /etc/services $size 905
'

# Up to the last fd the shim may take (the soft limit, at most 4096): every
# one of the shim's numbers is taken over by the program's file while it
# traces.
test_expect_success 'the same on every fd from 800 to the top, over the shim'\''s own' '
	hi=$(ulimit -n) && { [ $hi -le 4096 ] || hi=4096; } && hi=$((hi - 1)) &&
	if [ $hi -lt 900 ]; then
		say "# skipped: soft fd limit $((hi + 1)) is below 901"; exit 0
	fi &&
	size=$(wc -c </etc/services) &&
	"$TMP/fds" /etc/services $size $hi &&
	"$FL" record -q -o "$TMP/t3" --interval 5 -- "$TMP/fds" /etc/services $size $hi &&
	"$FL" report "$TMP/t3" >/dev/null
'
# libunwind's first unwind opens a pipe: it took the program's lowest free
# fds (a traced python's first open() was 5, natively 3). With --all every
# allocation unwinds, so the pipe is open before the program's first open().
cat >"$TMP/first.c" <<'PROG'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	free(malloc(100));
	printf("first open %d\n", open("/dev/null", O_RDONLY));
	return 0;
}
PROG
test_expect_success 'the program'"'"'s first open() gets the fd it gets natively, after an unwind' '
	cc -o "$TMP/first" "$TMP/first.c" &&
	"$TMP/first" >"$TMP/first.n" &&
	"$FL" record -q --all -o "$TMP/t4" -- "$TMP/first" >"$TMP/first.t" &&
	cat "$TMP/first.n" "$TMP/first.t" &&
	diff -u "$TMP/first.n" "$TMP/first.t" &&
	"$FL" report --section heap "$TMP/t4" | grep -q "first"
'
test_done
