#!/bin/sh
# The shim's reservations stay out of the program's own limits: under
# RLIMIT_AS its tables take a sixteenth of the limit (at most an eighth
# below 1 GiB; it used to reserve 930 MB, leaving a program 46 MiB of a
# 1 GB limit; t8605 checks it is traced there too), and its fds sit
# at the top of RLIMIT_NOFILE, never in the bottom three quarters of a
# small one (with 16 the program's first open() returned 10 instead of 3;
# with 8 it could open no file at all, 5 natively).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/as.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
	size_t mib = 0;
	while (malloc(1 << 20))
		mib++;
	printf("%zu\n", mib);
	return 0;
}
PROG

cat >"$TMP/nofile.c" <<'PROG'
#include <fcntl.h>
#include <stdio.h>
int main(void)
{
	printf("%d\n", open("/dev/null", O_RDONLY));
	return 0;
}
PROG

test_expect_success 'under prlimit --as=1000000000 a program gets (nearly) its native memory' '
	command -v prlimit >/dev/null || { say "# skipped: no prlimit"; exit 0; } &&
	cc -o "$TMP/as" "$TMP/as.c" &&
	native=$(prlimit --as=1000000000 "$TMP/as") &&
	traced=$(prlimit --as=1000000000 "$FL" record -q -o "$TMP/t1" -- "$TMP/as") &&
	say "# native $native MiB, traced $traced MiB" &&
	test $((traced * 100)) -ge $((native * 90))
'

test_expect_success 'with ulimit -n 16 and 64 the first open() returns what it does natively' '
	cc -o "$TMP/nofile" "$TMP/nofile.c" &&
	for n in 16 64; do
		native=$(ulimit -n $n && "$TMP/nofile") &&
		traced=$(ulimit -n $n && "$FL" record -q -o "$TMP/t$n" -- "$TMP/nofile") &&
		say "# ulimit -n $n: native $native, traced $traced" &&
		test "$native" = "$traced" || exit 1
	done
'
cat >"$TMP/count.c" <<'PROG'
#include <fcntl.h>
#include <stdio.h>
int main(void)
{
	int n = 0;
	while (open("/dev/null", O_RDONLY) >= 0)
		n++;
	printf("%d\n", n);
	return 0;
}
PROG

test_expect_success 'with ulimit -n 8 and 16 the shim takes at most a quarter of the fds' '
	cc -o "$TMP/count" "$TMP/count.c" &&
	for n in 8 16; do
		native=$(ulimit -n $n && "$TMP/count") &&
		traced=$(ulimit -n $n && "$FL" record -q -o "$TMP/c$n" -- "$TMP/count") &&
		say "# ulimit -n $n: native $native files, traced $traced" &&
		test $traced -ge $((native - n / 4)) || exit 1
	done
'
test_done
