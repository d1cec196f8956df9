#!/bin/sh
# A crash handler on a small (8 KiB) alternate signal stack runs under the
# shim as it does natively: it allocates and unwinds (backtrace) there, and
# the shim records nothing on that stack (an unwind alone takes several
# KiB). It used to overflow it and die of SIGSEGV.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/crash.c" <<'PROG'
#include <execinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig)
{
	void *pcs[16];
	int n = backtrace(pcs, 16);
	(void)sig;
	free(malloc(100000)); /* a large block: always recorded elsewhere */
	write(1, n > 0 ? "handler ran\n" : "no frames\n", n > 0 ? 12 : 10);
	_exit(42);
}

int main(void)
{
	static char alt[8192];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_ONSTACK;
	if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return 1;
	free(malloc(100000));
	*(volatile int *)8 = 1;
	return 2;
}
PROG

test_expect_success 'a handler on an 8 KiB sigaltstack runs and exits with its code, as natively' '
	cc -O0 -o "$TMP/crash" "$TMP/crash.c" &&
	{ "$TMP/crash" >"$TMP/n.out"; echo $? >>"$TMP/n.out"; } &&
	{ run_traced "$TMP/t" "$TMP/crash" >"$TMP/t.out"; echo $? >>"$TMP/t.out"; } &&
	diff -u "$TMP/n.out" "$TMP/t.out" &&
	grep -q "^42$" "$TMP/t.out"
'

test_expect_success 'the trace ends with the handler'\''s exit status' '
	grep -h "\"e\":\"exit\"" "$TMP"/t/*.ndjson | grep -q "\"status\":42"
'
test_done
